/**
 * One exchange as a cassette keeps it: one JSON object per line (JSON Lines).
 * The run writes it (`--record FILE`), `conformance judge FILE` reads it, and
 * a check's test cases are written in it (test/checks/cases/). Credentials
 * are redacted before a record is made; a body longer than the cap is kept
 * up to the cap, with its size and its sha256.
 */
import type { Exchange, TransportError } from '../harness/http.ts';
import { exchangeOf } from '../harness/http.ts';

export interface ExchangeRecord {
  /** order in which the exchanges were sent, from 1 */
  seq?: number;
  /** when the request was sent (ISO 8601) */
  at?: string;
  durationMs?: number;
  operationId?: string;
  /** what the driver sent it for (e.g. "sample", "probe:no-credentials") */
  purpose?: string;
  request: { method: string; url: string; headers?: Record<string, string>; body?: string };
  /** absent when no answer came (see `error`) */
  response?: {
    status: number;
    headers?: Record<string, string>;
    /** the body as UTF-8 text, or (when it is not valid UTF-8) `bodyBase64`; JSON may be given as `json` in hand-written cases */
    body?: string;
    bodyBase64?: string;
    json?: unknown;
    /** the body's size as received (defaults to the kept body's size) */
    bytes?: number;
    /** the body was cut at the size cap */
    truncated?: boolean;
    sha256?: string;
  };
  error?: { code: TransportError; message: string };
}

/** The exchange a record stands for: it reads as one the harness made (json(), digest(), contentType()…). */
export function fromRecord(r: ExchangeRecord): Exchange {
  const res = r.response;
  let body: Buffer | undefined;
  let headers = res?.headers ?? {};
  if (res?.bodyBase64 !== undefined) body = Buffer.from(res.bodyBase64, 'base64');
  else if (res?.body !== undefined) body = Buffer.from(res.body, 'utf8');
  else if (res && 'json' in res) {
    body = Buffer.from(JSON.stringify(res.json), 'utf8');
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers = { ...headers, 'content-type': 'application/json' };
  }
  const kept = body?.length ?? 0;
  const bytes = res?.bytes ?? kept;
  return exchangeOf({
    operationId: r.operationId,
    method: r.request.method,
    url: r.request.url,
    requestHeaders: r.request.headers,
    requestBody: r.request.body,
    status: res?.status,
    headers,
    body,
    bytes,
    truncated: res?.truncated ?? bytes > kept,
    durationMs: r.durationMs,
    error: r.error,
    sha256: res?.sha256,
  });
}

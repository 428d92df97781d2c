/**
 * A HAR 1.2 recording (http://www.softwareishard.com/blog/har-12-spec/: a
 * browser's network panel, mitmproxy, Charles, Postman) as exchange records,
 * the cassette's format, so that `conformance judge traffic.har` judges it
 * with the same checks as the proxy's traffic.
 *
 * HAR keeps the response body decoded (`content.text`, whatever the
 * `Content-Encoding` was), as text or, with `content.encoding: "base64"`, as
 * base64; the record keeps it so and drops `Content-Encoding` (the body it
 * holds is no longer encoded). Credentials in the recording (a browser's HAR
 * holds them in clear) are masked as the proxy masks them.
 */
import type { ExchangeRecord } from '../cassette/record.ts';
import { ConformanceError } from '../errors.ts';
import { CredentialMask } from './record.ts';

interface HarHeader {
  name: string;
  value: string;
}
export interface HarEntry {
  startedDateTime: string;
  time?: number;
  request: { method: string; url: string; headers?: HarHeader[]; postData?: { mimeType?: string; text?: string; params?: { name: string; value?: string }[] } };
  response: { status: number; statusText?: string; headers?: HarHeader[]; content?: { size?: number; mimeType?: string; text?: string; encoding?: string }; _error?: string };
}
export interface Har {
  log: { version?: string; creator?: { name: string; version?: string }; entries: HarEntry[] };
}

/** Whether a parsed JSON document is a HAR (a `log` with `entries`). */
export function isHar(doc: unknown): doc is Har {
  return typeof doc === 'object' && doc !== null && Array.isArray((doc as Har).log?.entries);
}

function headerMap(list: HarHeader[] | undefined, drop: (name: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list ?? []) {
    if (typeof h?.name !== 'string' || h.name.startsWith(':') || drop(h.name.toLowerCase())) continue;
    const k = h.name.toLowerCase();
    out[k] = out[k] === undefined ? String(h.value ?? '') : `${out[k]}, ${String(h.value ?? '')}`;
  }
  return out;
}

/** The records of a HAR's entries, in their order, credentials masked (CONF_ERR_CASSETTE names an entry that is not one). */
export function harToRecords(har: Har, mask = new CredentialMask()): ExchangeRecord[] {
  return har.log.entries.map((e, i): ExchangeRecord => {
    if (typeof e?.request?.method !== 'string' || typeof e.request.url !== 'string' || typeof e.response?.status !== 'number') {
      throw new ConformanceError('CONF_ERR_CASSETTE', `HAR entry ${i}: expected request.method, request.url and response.status / received ${JSON.stringify(e).slice(0, 120)}`);
    }
    const started = Date.parse(e.startedDateTime);
    if (!Number.isFinite(started)) throw new ConformanceError('CONF_ERR_CASSETTE', `HAR entry ${i}: expected startedDateTime as an ISO 8601 date / received ${JSON.stringify(e.startedDateTime)}`);
    const reqHeaders = headerMap(e.request.headers, () => false);
    mask.learn(reqHeaders);
    const post = e.request.postData;
    const body = post?.text ?? (post?.params ? post.params.map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(p.value ?? '')}`).join('&') : undefined);
    const record: ExchangeRecord = {
      seq: i + 1,
      at: new Date(started).toISOString(),
      ...(typeof e.time === 'number' && e.time >= 0 ? { durationMs: Math.round(e.time) } : {}),
      request: { method: e.request.method.toUpperCase(), url: mask.text(e.request.url), headers: mask.headers(reqHeaders), ...(body !== undefined ? { body: mask.text(body) } : {}) },
    };
    const res = e.response;
    if (res.status === 0) {
      // HAR writes status 0 for a request that got no answer (blocked, reset, aborted)
      record.error = { code: 'other', message: res._error ? `no answer (${res._error})` : 'no answer' };
      return record;
    }
    const headers = mask.headers(headerMap(res.headers, (n) => n === 'content-encoding' || n === 'content-length'));
    const c = res.content ?? {};
    if (c.mimeType && headers['content-type'] === undefined) headers['content-type'] = c.mimeType;
    const text = typeof c.text === 'string' ? c.text : undefined;
    let kept: Pick<NonNullable<ExchangeRecord['response']>, 'body' | 'bodyBase64' | 'bytes'> = {};
    if (text !== undefined && c.encoding === 'base64') kept = { bodyBase64: text, bytes: Buffer.from(text, 'base64').length };
    else if (text !== undefined) kept = { body: mask.text(text), bytes: Buffer.byteLength(text, 'utf8') };
    record.response = { status: res.status, headers, ...kept };
    return record;
  });
}

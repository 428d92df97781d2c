/**
 * One exchange as a cassette keeps it: one JSON object per line (JSON Lines).
 * The run writes it (`--record FILE`), `conformance judge FILE` reads it, and
 * a check's test cases are written in it (test/checks/cases/). Credentials
 * are redacted before a record is made; a body longer than the cap is kept
 * up to the cap, with its size and its sha256. docs/cassette.md describes
 * the format line by line; it is the one format shared by everything that
 * records traffic (the run, a proxy, a HAR import).
 */
import { isUtf8 } from 'node:buffer';
import type { Exchange, TransportError } from '../harness/http.ts';
import { exchangeOf, SECRET_HEADER } from '../harness/http.ts';
import type { Redactor } from '../harness/redact.ts';

/** The format's version, in the header's `cassette` field: a reader refuses another. */
export const CASSETTE_VERSION = 1;
/** A body is kept up to this many characters by default (`--record-body-cap`). */
export const DEFAULT_BODY_CAP = 1024 * 1024;

/**
 * The run options a cassette's header keeps: those that change what the run
 * sends or how it judges (`conformance judge` makes the same run with them).
 * Credentials, token commands, TLS files and proxies are never kept; extra
 * headers only by name.
 */
export const RECORDED_OPTIONS = [
  'profile',
  'allowWrites',
  'allowExport',
  'disposableOrders',
  'dryRun',
  'productOrderBody',
  'terminateBody',
  'requireComplete',
  'seed',
  'fuzzRuns',
  'fuzzBudgetMs',
  'timeoutMs',
  'concurrency',
  'maxConcurrency',
  'maxOrders',
  'checks',
  'budget',
  'maxBodyBytes',
  'waitMs',
  'maxRunS',
  'authHeader',
  'authScheme',
] as const;

/**
 * The first line of a cassette: which run it is, so that `conformance judge`
 * can make the same run again (the options that change what is sent, never a
 * credential) and refuse a cassette of another contract.
 */
export interface CassetteHeader {
  cassette: typeof CASSETTE_VERSION;
  /** what wrote it: the kit (`order-tracking-conformance`), or a proxy, a HAR import */
  tool: { name: string; version: string };
  /** sha256 of the contract (openapi.yaml) the run used, and its path */
  contract: string;
  contractPath?: string;
  /** the kit's suite digest (src/ and mock/ with the contract) when the kit wrote it */
  suite?: string;
  seed?: number;
  /** the base URL of the target, redacted; `embedded`: it was the bundled reference server */
  target: string;
  embedded?: boolean;
  /** the run's options that change what is sent (`RunOptions` keys), without credentials */
  options?: Record<string, unknown>;
  /** the principals that held a credential (main, otherUser, otherTenant): names, never values */
  principals?: string[];
  /** the body cap the cassette was written with, in characters */
  bodyCap?: number;
  /** --shard: the part of the orders the run examined, and the global shard (`conformance merge` reads it) */
  shard?: { k: number | 'all'; n: number; global: number };
  startedAt: string;
}

export interface ExchangeRecord {
  /** order in which the exchanges were sent, from 1 */
  seq?: number;
  /** in a merged cassette (`conformance merge`): the shard that recorded it */
  shard?: number;
  /** when the request was sent (ISO 8601) */
  at?: string;
  durationMs?: number;
  operationId?: string;
  /** what the driver sent it for (e.g. "sample", "probe:no-credentials") */
  purpose?: string;
  /** whose credential it carried: main, otherUser, otherTenant, none, or token (a made-up one); default main */
  principal?: string;
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
    /**
     * the record keeps only the first part of a body that was whole (the
     * cassette's cap, or the head the run kept of a download or a streamed
     * export): `bytes` and `sha256` are the whole body's
     */
    cut?: boolean;
    /** the body was read as a stream (the CSV export): the run kept its head and its digest */
    streamed?: boolean;
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
    truncated: res?.truncated ?? (res?.cut ? false : bytes > kept),
    durationMs: r.durationMs,
    error: r.error,
    sha256: res?.sha256,
  });
}

/** A header value that names a secret but was not redacted by value (a cookie the server set, a made-up token): masked. */
const MASKED = '(redacted)';

/** headers as recorded (redacted, or masked), by name and value, per Redactor and while it holds as many secrets: most repeat across a run */
const headerCache = new WeakMap<Redactor, { size: number; values: Map<string, string> }>();
const HEADER_CACHE = 2000;

function headersOf(h: Record<string, string>, r: Redactor): Record<string, string> {
  let cache = headerCache.get(r);
  if (!cache || cache.size !== r.size) headerCache.set(r, (cache = { size: r.size, values: new Map() }));
  const out: Record<string, string> = {};
  for (const k in h) {
    const v = h[k] as string;
    const key = `${k}\0${v}`;
    let shown = cache.values.get(key);
    if (shown === undefined) {
      const red = r.text(v);
      shown = SECRET_HEADER.test(k) && !red.includes('$') ? MASKED : red;
      if (cache.values.size >= HEADER_CACHE) cache.values.clear();
      cache.values.set(key, shown);
    }
    out[k] = shown;
  }
  return out;
}

/** the JSON of each header as recorded (`"name":"shown"`), by name then value, per Redactor and while it holds as many secrets */
const headerJsonCache = new WeakMap<Redactor, { size: number; count: number; byName: Map<string, Map<string, string>> }>();

/** JSON.stringify(headersOf(h, r)), without the object */
function headersJson(h: Record<string, string>, r: Redactor): string {
  let cache = headerJsonCache.get(r);
  if (!cache || cache.size !== r.size) headerJsonCache.set(r, (cache = { size: r.size, count: 0, byName: new Map() }));
  let out = '';
  for (const k in h) {
    // an own `__proto__` is no key of the object headersOf makes (its assignment sets the prototype)
    if (k === '__proto__') continue;
    const v = h[k] as string;
    let values = cache.byName.get(k);
    if (values === undefined) cache.byName.set(k, (values = new Map()));
    let json = values.get(v);
    if (json === undefined) {
      const red = r.text(v);
      json = `${JSON.stringify(k)}:${JSON.stringify(SECRET_HEADER.test(k) && !red.includes('$') ? MASKED : red)}`;
      if (cache.count >= HEADER_CACHE) {
        cache.byName.clear();
        cache.count = 0;
        cache.byName.set(k, (values = new Map()));
      }
      values.set(v, json);
      cache.count++;
    }
    out = out === '' ? json : `${out},${json}`;
  }
  return `{${out}}`;
}

/**
 * A body as a record keeps it: UTF-8 text (redacted, then cut at `cap`
 * characters) or, when it is not UTF-8, base64 (redacted in its base64
 * spellings, cut at the same size). With `raw`, a body kept whole that holds
 * no credential is given as its bytes (`text`), not decoded: `recordLine`
 * writes them as they are.
 */
function bodyOf(body: Buffer, partial: boolean, r: Redactor, cap: number, raw = false): { body?: string; bodyBase64?: string; text?: Buffer; cut: boolean } {
  if (body.length === 0) return { cut: false };
  // a head the run kept (a download, a stream) may end inside a UTF-8 sequence
  const text = partial ? body.subarray(0, trimUtf8(body)) : body;
  if (isUtf8(text)) {
    // most bodies hold no credential: told on the bytes (a body of `cap` bytes or fewer is at most `cap` characters)
    if (text.length <= cap && !r.mayHoldBytes(text)) return raw ? { text, cut: false } : { body: text.toString('utf8'), cut: false };
    const s = text.toString('utf8');
    return s.length <= cap ? { body: r.text(s), cut: false } : { body: stripEllipsis(r.cut(s, cap)), cut: true };
  }
  const keep = Math.floor(cap / 4) * 3;
  return body.length <= keep ? { bodyBase64: r.text(body.toString('base64')), cut: false } : { bodyBase64: r.text(body.subarray(0, keep).toString('base64')), cut: true };
}

/** The length of `b` without a UTF-8 sequence cut at its end. */
function trimUtf8(b: Buffer): number {
  let end = b.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const c = b[end - i] as number;
    if ((c & 0xc0) === 0x80) continue;
    if (c >= 0xc0) end -= i;
    break;
  }
  return end;
}

const stripEllipsis = (s: string): string => (s.endsWith('…') ? s.slice(0, -1) : s);

const ASCII = /^[\x00-\x7f]*$/;

/** the UTF-8 bytes of `s`, one character per byte (a string written as latin1 writes them as they are) */
const utf8Bytes = (s: string): string => (ASCII.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1'));

/**
 * The record of an exchange as its cassette line, without the newline: the
 * UTF-8 bytes of `JSON.stringify(toRecord(ex, seq, r, cap))`, exactly, one
 * character per byte, the parts of `recordParts` joined.
 */
export function recordLine(ex: Exchange, seq: number, r: Redactor, cap: number): string {
  const { head, body, tail } = recordParts(ex, seq, r, cap);
  return body === undefined ? utf8Bytes(head) : utf8Bytes(head) + body + utf8Bytes(tail);
}

/**
 * The record of an exchange as the three parts of its cassette line, made
 * without the record object (the same fields in the same order, each
 * header's JSON cached): `head` and `tail` are text (written as UTF-8), and
 * `body`, when the response body is kept as it came, is its JSON string made
 * from its bytes, one character per byte (written as latin1). A body that
 * needs no redaction is never decoded: the JSON string of valid UTF-8 is its
 * bytes with `"`, `\` and the control characters below U+0020 escaped, all
 * ASCII, which JSON.stringify does on the bytes read as latin1 as it does on
 * the decoded text. The writer copies each part into its batch in its own
 * encoding: the line is never joined, nor scanned for non-ASCII characters
 * (that, and joining the parts, were half the recorder's time in a run).
 */
export function recordParts(ex: Exchange, seq: number, r: Redactor, cap: number): { head: string; body?: string; tail: string } {
  const j = JSON.stringify;
  let line = `{"seq":${j(seq)},"at":${j(new Date(ex.sentAt ?? Date.now()).toISOString())},"durationMs":${j(Math.round(ex.durationMs * 10) / 10)},"request":{"method":${j(ex.method)},"url":${j(r.text(ex.url))},"headers":${headersJson(ex.requestHeaders, r)}`;
  if (ex.requestBody !== undefined) line += `,"body":${j(ex.requestBody.length > cap ? stripEllipsis(r.cut(ex.requestBody, cap)) : r.text(ex.requestBody))}`;
  line += '}';
  if (ex.operationId) line += `,"operationId":${j(ex.operationId)}`;
  if (ex.purpose) line += `,"purpose":${j(ex.purpose)}`;
  if (ex.principal && ex.principal !== 'main') line += `,"principal":${j(ex.principal)}`;
  let text: Buffer | undefined;
  let bodyAt = 0;
  if (ex.status !== undefined) {
    const kept = bodyOf(ex.body, ex.body.length < ex.bytes, r, cap, true);
    line += `,"response":{"status":${j(ex.status)},"headers":${headersJson(ex.headers, r)}`;
    if (kept.body !== undefined) line += `,"body":${j(kept.body)}`;
    if (kept.text !== undefined) {
      line += ',"body":';
      bodyAt = line.length;
      text = kept.text;
    }
    if (kept.bodyBase64 !== undefined) line += `,"bodyBase64":${j(kept.bodyBase64)}`;
    const partial = kept.cut || ex.body.length < ex.bytes;
    if (ex.bytes !== ex.body.length || partial) line += `,"bytes":${j(ex.bytes)}`;
    if (ex.truncated) line += ',"truncated":true';
    else if (partial) {
      line += ',"cut":true';
      if (ex.body.length === ex.bytes || (ex as { sha256?: string }).sha256) line += `,"sha256":${j(ex.digest())}`;
    }
    if (ex.streamed) line += ',"streamed":true';
    line += '}';
  }
  if (ex.error) line += `,"error":{"code":${j(ex.error.code)},"message":${j(r.text(ex.error.message))}}`;
  line += '}';
  if (text === undefined) return { head: line, tail: '' };
  return { head: line.slice(0, bodyAt), body: j(text.toString('latin1')), tail: line.slice(bodyAt) };
}

/**
 * The record of an exchange: everything redacted with the run's Redactor (URL,
 * headers, bodies both ways), the response body kept up to `cap` characters
 * and beyond it its size and sha256.
 */
export function toRecord(ex: Exchange, seq: number, r: Redactor, cap: number): ExchangeRecord {
  const rec: ExchangeRecord = { seq, at: new Date(ex.sentAt ?? Date.now()).toISOString(), durationMs: Math.round(ex.durationMs * 10) / 10, request: { method: ex.method, url: r.text(ex.url), headers: headersOf(ex.requestHeaders, r) } };
  if (ex.operationId) rec.operationId = ex.operationId;
  if (ex.purpose) rec.purpose = ex.purpose;
  if (ex.principal && ex.principal !== 'main') rec.principal = ex.principal;
  if (ex.requestBody !== undefined) rec.request.body = ex.requestBody.length > cap ? stripEllipsis(r.cut(ex.requestBody, cap)) : r.text(ex.requestBody);
  if (ex.status !== undefined) {
    const kept = bodyOf(ex.body, ex.body.length < ex.bytes, r, cap);
    const res: NonNullable<ExchangeRecord['response']> = { status: ex.status, headers: headersOf(ex.headers, r) };
    if (kept.body !== undefined) res.body = kept.body;
    if (kept.bodyBase64 !== undefined) res.bodyBase64 = kept.bodyBase64;
    const partial = kept.cut || ex.body.length < ex.bytes;
    if (ex.bytes !== ex.body.length || partial) res.bytes = ex.bytes;
    if (ex.truncated) res.truncated = true;
    else if (partial) {
      res.cut = true;
      // the digest of the whole body: given by the harness for downloads and streams, computed here otherwise
      if (ex.body.length === ex.bytes || (ex as { sha256?: string }).sha256) res.sha256 = ex.digest();
    }
    if (ex.streamed) res.streamed = true;
    rec.response = res;
  }
  if (ex.error) rec.error = { code: ex.error.code, message: r.text(ex.error.message) };
  return rec;
}

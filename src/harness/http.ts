/**
 * The HTTP harness: every request the suite makes goes through here.
 *
 * On undici: one connection pool sized by `--concurrency`, no redirect
 * following, and the policies of src/harness/policies/, each a small module
 * that `request()` and `stream()` both pass through: the run's time limit
 * and the request budget before anything is sent, a slot of the limiter (its
 * limit fixed, or adaptive with `--concurrency auto`), the deadline of the
 * exchange (`--timeout-ms`, headers and body together, so a trickling endless
 * body is cut too), the cap on a buffered body's size, the circuit breaker
 * (a dead target cannot stretch a run) and the credential watch on every
 * outcome, and the backoff on 429 honouring Retry-After (except where a check
 * asks for the raw 429). Listeners see every exchange (HTTP-NO-5XX,
 * HTTP-JSON, latency).
 *
 * Against hostile targets: every exchange settles at its deadline even when
 * undici does not (its slot is freed), and the deadline measures the target,
 * not the kit (a timer the busy event loop fired late waits again); links are
 * resolved by src/harness/url.ts; a body is read as JSON only after its
 * encoding, charset, depth and keys are checked (src/harness/json.ts); large
 * bodies are read a few at a time and kept as their head once parsed;
 * Retry-After (seconds or an HTTP date) is waited out only within the run's
 * limits, and `--max-run-s` caps the run: both stops surface as
 * `harness.incomplete`, a code of src/errors.ts for an INCOMPLETE verdict.
 * Evidence is redacted before it is cut and built once per exchange.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { TextDecoder } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvHttpProxyAgent, Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import type { Evidence } from '../report/types.ts';
import { duplicateKey, MAX_JSON_STRING, parseCut, scanJson } from './json.ts';
import { offsetOfPointer } from './pointer-at.ts';
import { Redactor, safeJson, toCurl } from './redact.ts';
import { resolveLink, wellFormed } from './url.ts';
import { Backoff } from './policies/backoff.ts';
import { Breaker } from './policies/breaker.ts';
import { Budget } from './policies/budget.ts';
import { AimdConcurrency, FixedConcurrency, START, type ConcurrencyPolicy } from './policies/concurrency.ts';
import { CredentialWatch } from './policies/credential-watch.ts';
import { Deadline, RunDeadline } from './policies/deadline.ts';
import { Limiter } from './policies/limiter.ts';
import { BodyCap } from './policies/size-cap.ts';

export { retryAfterSeconds } from './policies/backoff.ts';
export type { ConcurrencySummary } from './policies/concurrency.ts';

export type Principal = 'main' | 'otherUser' | 'otherTenant' | 'none' | { token: string };

export interface HarnessOptions {
  baseUrl: string;
  timeoutMs: number;
  /** requests in flight; with `adaptive`, the most in flight (--max-concurrency) */
  concurrency: number;
  /** --concurrency auto: the number in flight starts at 4 and follows the target (src/harness/policies/concurrency.ts), up to `concurrency` */
  adaptive?: boolean;
  /** responses larger than this are cut and reported */
  maxBodyBytes: number;
  /** most requests one run may make */
  budget: number;
  tokens: { main?: string; otherUser?: string; otherTenant?: string };
  /** header carrying the credential, and its scheme prefix */
  authHeader?: string;
  authScheme?: string;
  /** longest Retry-After the harness waits out on its own, in seconds */
  maxRetryAfterS?: number;
  /** consecutive transport failures that make the target unavailable */
  breakerThreshold?: number;
  /** the whole run's time limit (--max-run-s), in ms; undefined: none */
  maxRunMs?: number;
  /** headers sent with every request (--header); those named in `secretHeaders` or with a secret-looking name are redacted */
  headers?: Record<string, string>;
  secretHeaders?: readonly string[];
  /** TLS towards the target (PEM text) and whether its certificate is checked (--insecure: not) */
  tls?: TlsSettings;
  /** forward proxies (--proxy, HTTP(S)_PROXY, NO_PROXY); absent or empty: connect directly */
  proxy?: ProxySettings;
  /** credentials fetched and refreshed during the run (--token-command, OAuth2), by principal */
  tokenSources?: Partial<Record<'main' | 'otherUser' | 'otherTenant', TokenSource>>;
  /** answers requests instead of the network (`conformance judge`: a cassette); absent: undici towards the target */
  transport?: Transport;
  /** bytes of a streamed body kept on its exchange (default 4 KiB, for evidence; a recording run keeps up to its cassette's cap) */
  keepStreamedBytes?: number;
  /** how the harness waits out a Retry-After (a replay makes it instant); default: a timer */
  sleep?: (ms: number) => Promise<void>;
  /** the clock exchanges are stamped with and a Retry-After date is read against (default Date.now; `judge` gives its virtual clock) */
  now?: () => number;
}

/**
 * What a request is sent as, beside what undici takes: the principal's name
 * and the driver's purpose, for a transport that answers from a recording.
 */
export interface TransportRequest {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal?: unknown;
  principal: string;
  purpose: string | undefined;
  operationId: string | undefined;
  /** the request keeps only this many bytes of its body (a download); undefined: the whole body is used */
  keepBytes: number | undefined;
  /** the body is consumed as a stream (Harness.stream) */
  streamed: boolean;
}

/** What a recorded answer says of itself that its bytes cannot (they may be cut): the body's whole size and digest, and the time it took. */
export interface RecordedAnswer {
  bytes: number;
  sha256: string | undefined;
  durationMs: number;
  /** the target's answer was past --max-body-bytes (the harness cut it) */
  truncated: boolean;
}

/** An answer as undici gives it, and, from a recording, what the recording says of it. */
export interface TransportAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: NodeJS.ReadableStream & AsyncIterable<unknown> & { destroy(): unknown };
  recorded?: RecordedAnswer;
}

export interface Transport {
  request(req: TransportRequest): Promise<TransportAnswer>;
  close(): Promise<void>;
}

export interface TlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  /** false with --insecure: the target's certificate is not checked */
  rejectUnauthorized?: boolean;
}

export interface ProxySettings {
  http?: string;
  https?: string;
  /** NO_PROXY's syntax: host names, domains (.example.com), host:port, `*` */
  noProxy?: string;
}

/** A credential that expires: `current()` fetches it when it has none or it is about to expire; `refresh()` fetches a new one. */
export interface TokenSource {
  /** a human name for messages (`--token-command`, `OAuth2 at https://...`) */
  readonly name: string;
  current(): Promise<string>;
  refresh(): Promise<string>;
}

/** A credential source that could not give a token: the run stops INCOMPLETE with this code. */
export class TokenSourceError extends Error {
  constructor(
    readonly code: 'CONF_ERR_TOKEN_COMMAND' | 'CONF_ERR_OAUTH',
    message: string,
  ) {
    super(message);
  }
}

/** Header names whose values are secrets whatever the user says. */
export const SECRET_HEADER = /authorization|cookie|token|key|secret|password|passwd|credential|session|signature/i;

/**
 * The undici dispatcher a harness sends through: a Pool on the target's origin
 * when no proxy applies (the fast path), otherwise undici's EnvHttpProxyAgent
 * with the proxies given explicitly (never read from process.env behind the
 * kit's back). Plain-HTTP targets are proxied as a forward proxy does it (the
 * absolute URL in the request line, so the proxy sees every request);
 * https:// targets through a CONNECT tunnel. The connection limit is the same
 * either way.
 */
export function makeDispatcher(origin: string | undefined, o: { concurrency: number; timeoutMs: number; tls?: TlsSettings; proxy?: ProxySettings }): Dispatcher {
  const tls = o.tls ?? {};
  const connect = { ...tls, timeout: o.timeoutMs };
  const base = { connections: o.concurrency, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs, connectTimeout: o.timeoutMs, keepAliveTimeout: 10_000 };
  const proxied = Boolean(o.proxy?.http || o.proxy?.https);
  if (!proxied && origin !== undefined) return new Pool(origin, { ...base, connect });
  return new EnvHttpProxyAgent({ ...base, connect, requestTls: tls, proxyTunnel: false, httpProxy: o.proxy?.http ?? '', httpsProxy: o.proxy?.https ?? '', noProxy: o.proxy?.noProxy ?? '' } as ConstructorParameters<typeof EnvHttpProxyAgent>[0]);
}

export interface RequestSpec {
  method?: string;
  /** path with query, relative to the base URL's origin (or an absolute URL on the same origin) */
  path: string;
  query?: Record<string, string | number | undefined>;
  as?: Principal;
  headers?: Record<string, string>;
  json?: unknown;
  /** a raw body, sent as is */
  body?: string;
  operationId?: string;
  /** what the driver sends it for, kept in the cassette (e.g. "preflight"); without it the principal says ("probe:no-credentials") */
  purpose?: string;
  /** false for checks that must see the 429 itself */
  retry429?: boolean;
  /**
   * Keep only this many bytes of the body (a download): the whole body is
   * hashed as it streams (`digest()`), never held whole.
   */
  keepBytes?: number;
}

export type TransportError = 'timeout' | 'reset' | 'refused' | 'tls' | 'too_large' | 'unavailable' | 'budget' | 'blocked' | 'protocol' | 'other';

/**
 * Why a run could not judge the provider (ANALYSIS.md, "Could not certify"):
 * the fault is on the user's side or the run's, so the verdict is INCOMPLETE
 * (exit 2), never FAIL. Codes are from src/errors.ts.
 */
export interface Incomplete {
  code: 'CONF_ERR_CREDENTIALS' | 'CONF_ERR_TOKEN_COMMAND' | 'CONF_ERR_OAUTH' | 'CONF_ERR_INTERRUPTED' | 'CONF_ERR_TLS' | 'CONF_ERR_NO_API' | 'CONF_ERR_BUDGET' | 'CONF_ERR_RETRY_AFTER_LIMIT' | 'CONF_ERR_RUN_TIME_LIMIT' | 'CONF_ERR_UNREACHABLE' | 'CONF_ERR_INTERNAL' | 'CONF_ERR_CASSETTE';
  message: string;
}

/** Names a TLS failure for a person: which certificate problem, and what to do about it. */
export function tlsProblem(code: string, message: string): string | undefined {
  if (/SELF_SIGNED|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/.test(code)) return `the target's certificate is not signed by a trusted authority (${code}: self-signed or a private CA; trust it with NODE_EXTRA_CA_CERTS=ca.pem)`;
  if (/CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/.test(code)) return `the target's certificate is outside its validity dates (${code})`;
  if (/ALTNAME|HOSTNAME|HOST_MISMATCH/.test(code)) return `the target's certificate does not name this host (${code})`;
  if (/CERTIFICATE_REQUIRED|ALERT_HANDSHAKE_FAILURE|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA/.test(code)) return `the target asks for a client certificate that the run did not present (${code})`;
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL/.test(code)) return `the target does not speak TLS at this address (${code}): use http:// instead of https://`;
  if (/^ERR_SSL_|^ERR_TLS_|CERT/.test(code)) return `TLS failed (${code}${message ? `: ${message}` : ''})`;
  return undefined;
}

export interface Exchange {
  operationId: string | undefined;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: string | undefined;
  status: number | undefined;
  headers: Record<string, string>;
  body: Buffer;
  bytes: number;
  truncated: boolean;
  durationMs: number;
  error: { code: TransportError; message: string } | undefined;
  /** who sent it (main, otherUser, otherTenant, none, or token for a made-up credential) and why, for a cassette */
  principal?: string;
  purpose?: string;
  /** when it was sent (Date.now()) */
  sentAt?: number;
  /** the exchange was streamed to a consumer (Harness.stream): its body holds the head only */
  streamed?: boolean;
  /** the parsed JSON body, or undefined when it is not JSON */
  json(): unknown;
  /** true when the body parsed as JSON */
  isJson(): boolean;
  /** why a body that may be JSON was not parsed (foreign encoding, charset, depth, duplicate key), if that is why */
  jsonProblem(): string | undefined;
  /** sha256 (hex) of the whole body as received, computed once per exchange */
  digest(): string;
  text(): string;
  contentType(): string;
}

export type Listener = (ex: Exchange) => void;

/** A principal by name, as a cassette keeps it (a made-up credential is `token`, never its value). */
export function principalName(as: Principal | undefined): string {
  return typeof as === 'object' ? 'token' : (as ?? 'main');
}

/** What an exchange was sent for when the driver did not say: the probes without or with a made-up credential. */
function purposeOf(spec: RequestSpec): string | undefined {
  if (spec.purpose !== undefined) return spec.purpose;
  if (spec.as === 'none') return 'probe:no-credentials';
  if (typeof spec.as === 'object') return 'probe:invalid-credentials';
  return undefined;
}

function classify(err: unknown): { code: TransportError; message: string } {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || e.name === 'TimeoutError' || e.name === 'AbortError' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { code: 'timeout', message: 'no complete answer within the time limit' };
  }
  const tls = tlsProblem(code, e.cause && 'message' in e.cause ? String((e.cause as { message?: string }).message ?? '') : '');
  if (tls) return { code: 'tls', message: tls };
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'EAI_AGAIN') return { code: 'refused', message: `connection failed (${code})` };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return { code: 'reset', message: 'the connection was reset' };
  if (code.startsWith('HPE_') || code === 'UND_ERR_INFO') return { code: 'protocol', message: `invalid HTTP (${code})` };
  return { code: 'other', message: e.message ?? String(err) };
}

const DECODERS = new Map<string, TextDecoder>();

/** The charset a Content-Type declares (JSON's default: utf-8). */
function charsetOf(contentType: string | undefined): string {
  const type = contentType ?? '';
  // a target answers with a handful of Content-Types: each is read once (the cache is bounded, a hostile target may vary it)
  let charset = CHARSETS.get(type);
  if (charset === undefined) {
    const m = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type);
    charset = (m?.[1] ?? 'utf-8').toLowerCase();
    if (CHARSETS.size < 64) CHARSETS.set(type, charset);
  }
  return charset;
}

const CHARSETS = new Map<string, string>();

/**
 * Why a body must not be read as JSON text, before it is parsed: an encoding
 * nobody asked for (the kit sends no Accept-Encoding), bytes that do not
 * decode in the declared charset, nesting past MAX_JSON_DEPTH, a key given
 * twice in one object. Undefined when it may be parsed.
 */
function decodeBody(body: Buffer, headers: Record<string, string>): { text: string; longest: number; keys: number } | { problem: string } {
  const enc = (headers['content-encoding'] ?? '').trim().toLowerCase();
  if (enc !== '' && enc !== 'identity') return { problem: `the body is ${enc}-encoded (Content-Encoding: ${enc}), which the request did not ask for (no Accept-Encoding)` };
  if (body[0] === 0x1f && body[1] === 0x8b) return { problem: 'the body is gzip data (it starts with 1f 8b) without a Content-Encoding' };
  const charset = charsetOf(headers['content-type']);
  let text: string;
  if (charset === 'utf-8' || charset === 'utf8') {
    // the usual case, on the fast path: validate, then decode
    if (!isUtf8(body)) return { problem: `the body is not valid ${charset} (its declared charset)` };
    text = body.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  } else {
    try {
      let decoder = DECODERS.get(charset);
      if (!decoder) DECODERS.set(charset, (decoder = new TextDecoder(charset, { fatal: true })));
      text = decoder.decode(body);
    } catch (err) {
      return { problem: (err as Error).name === 'RangeError' ? `the declared charset ${JSON.stringify(charset)} is not one a decoder knows` : `the body is not valid ${charset} (its declared charset)` };
    }
  }
  const scan = scanJson(text);
  return scan.problem ? { problem: scan.problem } : { text, longest: scan.longest, keys: scan.keys };
}

/** An exchange as recorded: plain fields, and the body parsed as JSON once, on first use (no closures per exchange). */
class HttpExchange implements Exchange {
  private parsed: { ok: boolean; value: unknown; problem?: string } | undefined;
  /** the Content-Type header `contentType()` last read, and its media type */
  private typeRaw: string | undefined;
  private typeOf: string | undefined;
  /** sha256 of the whole body as received (computed once; given when the body was streamed and not kept) */
  sha256: string | undefined;
  principal?: string;
  purpose?: string;
  sentAt?: number;
  streamed?: boolean;
  constructor(
    public operationId: string | undefined,
    public method: string,
    public url: string,
    public requestHeaders: Record<string, string>,
    public requestBody: string | undefined,
    public status: number | undefined,
    public headers: Record<string, string>,
    public body: Buffer,
    public bytes: number,
    public truncated: boolean,
    public durationMs: number,
    public error: Exchange['error'],
  ) {}

  private parse(): { ok: boolean; value: unknown; problem?: string } {
    if (this.parsed) return this.parsed;
    const usable = this.body.length > 0 && !this.truncated && this.body.length === this.bytes;
    if (!usable) return (this.parsed = { ok: false, value: undefined });
    const decoded = decodeBody(this.body, this.headers);
    if ('problem' in decoded) return (this.parsed = { ok: false, value: undefined, problem: decoded.problem });
    let value: unknown;
    try {
      value = decoded.longest > MAX_JSON_STRING ? parseCut(decoded.text) : JSON.parse(decoded.text);
    } catch {
      return (this.parsed = { ok: false, value: undefined });
    }
    const twice = duplicateKey(decoded.text, decoded.keys, value);
    this.parsed = twice ? { ok: false, value: undefined, problem: twice } : { ok: true, value };
    return this.parsed;
  }

  json(): unknown {
    return this.parse().value;
  }

  isJson(): boolean {
    return this.parse().ok;
  }

  jsonProblem(): string | undefined {
    return this.parse().problem;
  }

  digest(): string {
    this.sha256 ??= createHash('sha256').update(this.body).digest('hex');
    return this.sha256;
  }

  /** Parses and digests the body now, then keeps only its head: a large body is not held whole by whoever keeps the exchange. */
  settle(head: number): void {
    this.parse();
    this.digest();
    if (this.body.length > head) this.body = Buffer.from(this.body.subarray(0, head));
  }

  text(): string {
    return this.body.toString('utf8');
  }

  contentType(): string {
    // asked several times per exchange (watchers, checks, evidence): worked out once per header value
    const raw = this.headers['content-type'] ?? '';
    if (this.typeOf === undefined || this.typeRaw !== raw) {
      this.typeRaw = raw;
      this.typeOf = raw.split(';')[0]?.trim().toLowerCase() ?? '';
    }
    return this.typeOf;
  }
}

/** The fields of an exchange, as a cassette keeps them (src/cassette/record.ts). */
export interface ExchangeFields {
  operationId?: string;
  method: string;
  url: string;
  requestHeaders?: Record<string, string>;
  requestBody?: string;
  status?: number;
  headers?: Record<string, string>;
  body?: Buffer;
  /** the body's size as received (defaults to the kept body's) */
  bytes?: number;
  truncated?: boolean;
  durationMs?: number;
  error?: Exchange['error'];
  /** sha256 (hex) of the whole body, when only part of it was kept */
  sha256?: string;
}

/** An exchange made from recorded fields (a cassette line, a check's test case): it reads as one the harness made. */
export function exchangeOf(f: ExchangeFields): Exchange {
  const body = f.body ?? Buffer.alloc(0);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(f.headers ?? {})) headers[k.toLowerCase()] = v;
  const ex = new HttpExchange(f.operationId, f.method.toUpperCase(), f.url, f.requestHeaders ?? {}, f.requestBody, f.status, headers, body, f.bytes ?? body.length, f.truncated ?? false, f.durationMs ?? 0, f.error);
  if (f.sha256) ex.sha256 = f.sha256;
  return ex;
}

/** A body larger than this is a large body: read by at most LARGE_READS exchanges at once, parsed as soon as it is read, and not kept whole. */
/** characters of a body shown in evidence: the first ones, or those around the value at fault */
const EXCERPT = 600;
const LARGE_BODY = 1024 * 1024;
const LARGE_READS = 2;
/** What an exchange keeps of a large body once it is parsed and digested: its head, for evidence. */
const LARGE_HEAD = 64 * 1024;

/** Most run problems kept word for word; the rest are counted. */
const MAX_PROBLEMS = 100;
/** Longest run problem kept, in characters (after redaction). */
const MAX_PROBLEM_CHARS = 2000;

/** Why a run cannot judge the target (the run is INCOMPLETE, exit 2): a code of src/errors.ts and its detail. */
export class Harness {
  readonly redactor = new Redactor();
  readonly origin: string;
  readonly basePath: string;
  private readonly pool: Dispatcher;
  /** the base URL's query string (`?a=1`), added to every request that does not give those parameters itself */
  readonly baseQuery: URLSearchParams;
  /** token sources whose current token is being fetched, so that concurrent requests wait for one fetch */
  private readonly fetching = new Map<string, Promise<void>>();
  /*
   * The policies every request and every stream pass through (src/harness/policies/):
   * the run's time limit and the budget before anything is sent, the limiter for a slot
   * (its limit set by the concurrency policy), the exchange's deadline, the size cap of
   * a buffered body, the breaker and the credential watch on every outcome, the backoff
   * on a busy answer.
   */
  /** the run's time limit (--max-run-s): when it passes, no request is sent */
  readonly runClock: RunDeadline;
  private readonly budget: Budget;
  private readonly limiter: Limiter;
  /** how many requests may be in flight: fixed (--concurrency N) or adaptive (--concurrency auto) */
  readonly concurrency: ConcurrencyPolicy;
  private readonly breaker: Breaker;
  private readonly watch = new CredentialWatch();
  private readonly backoff: Backoff;
  private readonly listeners: Listener[] = [];
  private guard: ((method: string, path: string) => string | undefined) | undefined;
  private problemsDropped = 0;
  /** the first reason this run cannot judge the target, if any (the run is INCOMPLETE) */
  incomplete: Incomplete | undefined;
  /** requests sent (counted against --budget) */
  get requests(): number {
    return this.budget.spent;
  }
  /** requests other than GET and HEAD actually sent */
  writesSent = 0;
  /** writes the guard refused before they were sent */
  readonly blocked: string[] = [];
  readonly problems: string[] = [];
  readonly latency = new Map<string, number[]>();
  /** slots for reading large bodies: a few 30 MB answers at a time, not one per connection */
  private readonly largeReads = new Limiter(LARGE_READS);
  /** the exchange answered last, for naming an unsolicited response by its method and path */
  private lastAnswered: Exchange | undefined;
  private get lastExchange(): string | undefined {
    const ex = this.lastAnswered;
    return ex ? `${ex.method} ${ex.url.slice(this.origin.length)}` : undefined;
  }
  /** each exchange's evidence base, built once however many findings cite it */
  private readonly evidenceOf = new WeakMap<Exchange, Evidence>();

  constructor(readonly options: HarnessOptions) {
    const u = new URL(options.baseUrl);
    this.origin = u.origin;
    this.basePath = u.pathname.replace(/\/+$/, '');
    this.baseQuery = u.searchParams;
    this.pool = makeDispatcher(this.origin, options);
    // a response no request asked for makes undici drop the connection ("bad response"): a protocol
    // failure of the target, seen by the listeners as an exchange of its own (HTTP-NO-5XX judges it)
    this.pool.on('disconnect', (_origin: unknown, _targets: unknown, err: Error & { code?: string }) => {
      if (err?.code !== 'UND_ERR_SOCKET' || !/bad response/i.test(err.message)) return;
      const after = this.lastExchange ? ` after ${this.lastExchange}` : '';
      const message = `the target sent a response no request asked for on a connection${after}; the connection was dropped`;
      this.problem(message);
      this.emit(this.failed({ path: '/' }, 'GET', this.lastExchange?.split(' ')[1] ?? '/', {}, undefined, { code: 'protocol', message }, 0));
    });
    this.runClock = new RunDeadline(options.maxRunMs);
    this.budget = new Budget(options.budget);
    this.limiter = new Limiter(options.adaptive ? Math.min(START, options.concurrency) : options.concurrency);
    this.concurrency = options.adaptive ? new AimdConcurrency(options.concurrency, (n) => this.limiter.setLimit(n)) : new FixedConcurrency(options.concurrency);
    this.breaker = new Breaker(options.breakerThreshold ?? 6);
    this.backoff = new Backoff(options.maxRetryAfterS ?? 10, (m) => this.problem(m));
    this.redactor.add(options.tokens.main, 'CONFORMANCE_TOKEN');
    this.redactor.add(options.tokens.otherUser, 'CONFORMANCE_TOKEN_OTHER_USER');
    this.redactor.add(options.tokens.otherTenant, 'CONFORMANCE_TOKEN_OTHER_TENANT');
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (SECRET_HEADER.test(name) || (options.secretHeaders ?? []).some((n) => n.toLowerCase() === name.toLowerCase())) {
        this.redactor.add(value, `CONFORMANCE_HEADER_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`);
      }
    }
  }

  /**
   * Makes sure each principal with a token source holds a current token
   * (fetched at first use and again before it expires). A source that cannot
   * give one stops the run (INCOMPLETE, its code); false then.
   */
  private async freshToken(as: Principal, force = false): Promise<boolean> {
    if (typeof as === 'object' || as === 'none') return true;
    const source = this.options.tokenSources?.[as];
    if (!source) return true;
    const key = `${as}${force ? ':refresh' : ''}`;
    let pending = this.fetching.get(key);
    if (!pending) {
      pending = (async () => {
        const token = force ? await source.refresh() : await source.current();
        const name = as === 'main' ? 'CONFORMANCE_TOKEN' : as === 'otherUser' ? 'CONFORMANCE_TOKEN_OTHER_USER' : 'CONFORMANCE_TOKEN_OTHER_TENANT';
        this.redactor.add(token, name);
        this.options.tokens[as] = token;
      })().finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    try {
      await pending;
      return true;
    } catch (err) {
      const e = err as Error & { code?: string };
      const code = err instanceof TokenSourceError ? err.code : 'CONF_ERR_INTERNAL';
      this.stop({ code, message: `${source.name}: ${e.message}` });
      return false;
    }
  }

  onExchange(fn: Listener): void {
    this.listeners.push(fn);
  }

  /** Why the target is considered unavailable, if it is. */
  get unavailable(): string | undefined {
    return this.breaker.reason;
  }

  /**
   * Installs the write guard (src/engine/safety.ts): every request other than
   * GET and HEAD is shown to it first, and is not sent when it answers a reason.
   */
  setWriteGuard(guard: (method: string, path: string) => string | undefined): void {
    this.guard = guard;
  }

  /** A run-level note (shown with the problems). */
  note(msg: string): void {
    this.problem(msg);
  }

  /** Records a run problem: redacted before it is cut, deduplicated, at most MAX_PROBLEMS kept word for word and the rest counted. */
  private problem(msg: string): void {
    const m = this.redactor.cut(msg, MAX_PROBLEM_CHARS);
    const kept = Math.min(this.problems.length, MAX_PROBLEMS);
    for (let i = 0; i < kept; i++) if (this.problems[i] === m) return;
    if (kept < MAX_PROBLEMS) {
      this.problems.push(m);
      return;
    }
    this.problemsDropped++;
    this.problems[MAX_PROBLEMS] = `… and ${this.problemsDropped} more problem(s) (${MAX_PROBLEMS + this.problemsDropped} in all; the first ${MAX_PROBLEMS} are listed)`;
  }

  /** Stops the run: the target cannot be judged (INCOMPLETE); the first reason is kept. */
  stop(incomplete: Incomplete): void {
    const d = this.redactor.cut(incomplete.message, MAX_PROBLEM_CHARS);
    this.incomplete ??= { code: incomplete.code, message: d };
    this.problem(`${d} [${incomplete.code}]`);
    this.breaker.trip(d);
  }

  /** A principal has a credential: a token, or a source that fetches one. */
  hasCredential(as: 'main' | 'otherUser' | 'otherTenant'): boolean {
    return Boolean(this.options.tokens[as] || this.options.tokenSources?.[as]);
  }

  /**
   * Puts the principal's current token in a request's headers, unless the
   * request set that header itself (a probe with a wrong credential).
   */
  private reauthorize(spec: RequestSpec, headers: Record<string, string>): string | undefined {
    const as = spec.as ?? 'main';
    if (typeof as !== 'string' || as === 'none' || !this.options.tokenSources?.[as]) return undefined;
    const own = new Set(Object.keys(spec.headers ?? {}).map((k) => k.toLowerCase()));
    for (const [k, v] of Object.entries(this.authHeaders(as))) if (!own.has(k.toLowerCase())) headers[k] = v;
    return this.options.tokens[as];
  }

  /** the token each exchange of a principal with a token source carried (kept in memory only, never written) */
  private readonly sentWith = new WeakMap<Exchange, string>();

  authHeaders(as: Principal): Record<string, string> {
    const token = typeof as === 'object' ? as.token : as === 'none' ? undefined : this.options.tokens[as];
    if (!token) return {};
    const scheme = this.options.authScheme ?? 'Bearer';
    return { [this.options.authHeader ?? 'Authorization']: scheme ? `${scheme} ${token}` : token };
  }

  /**
   * Builds the path+query under the base path. An absolute URL is accepted
   * only as http(s) on the target's origin (a pagination link resolved with
   * `resolveLink`); a relative reference that is not a path (`?page=2`) must be
   * resolved against its page first. Whatever comes out is a request target
   * undici accepts: every character outside printable ASCII percent-encoded.
   */
  resolve(path: string, query?: RequestSpec['query']): string {
    let p: string;
    if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) {
      const r = resolveLink(path, `${this.origin}/`, this.origin);
      if ('error' in r) throw new Error(`link refused: ${r.error}`);
      p = r.url.pathname + r.url.search;
    } else if (!path.startsWith('/')) {
      throw new Error(`not a path: ${JSON.stringify(path.slice(0, 200))} (a relative link is resolved against its page first)`);
    } else {
      // a path is relative to the API root, whatever the base path looks like (`/api`, `/gateway/v2`)
      p = this.basePath + path;
    }
    if (/[^\x21-\x7e]/.test(p)) p = p.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(wellFormed(c)));
    const q: [string, unknown][] = Object.entries(query ?? {}).filter(([, v]) => v !== undefined);
    // the base URL's own parameters (a gateway's `?env=staging`) go with every request that does not set them
    if (this.baseQuery.size > 0) {
      const given = new Set([...new URLSearchParams(p.split('?')[1] ?? '').keys(), ...q.map(([k]) => k)]);
      for (const [k, v] of this.baseQuery) if (!given.has(k)) q.push([k, v]);
    }
    if (q.length > 0) p += (p.includes('?') ? '&' : '?') + q.map(([k, v]) => `${encodeURIComponent(wellFormed(k))}=${encodeURIComponent(wellFormed(String(v)))}`).join('&');
    return p;
  }

  /**
   * After ten 401s in a row to the main credential, one read that had worked
   * before (`credentialProbe`) tells an expired credential (the run stops:
   * INCOMPLETE) from endpoints that refuse it wrongly (the checks judge them).
   */
  private async confirmCredential(): Promise<void> {
    const n = this.watch.take();
    const probe = this.credentialProbe;
    let ex = probe ? await this.once({ path: probe, operationId: undefined }) : undefined;
    // a credential from a source may have run out between the refusals and the probe: a fresh one is asked for once
    if (probe && ex?.status === 401 && this.options.tokenSources?.main && (await this.freshToken('main', true))) ex = await this.once({ path: probe, operationId: undefined });
    if (ex === undefined || ex.status === 401) this.stop({ code: 'CONF_ERR_CREDENTIALS', message: this.watch.message(n) });
  }

  /** a path the main credential could read at the start of the run (set by the preflight) */
  credentialProbe: string | undefined;

  async request(spec: RequestSpec): Promise<Exchange> {
    return (await this.attempts(spec, async () => ({ ex: await this.once(spec) }))).ex;
  }

  /**
   * A request whose body is handed to `consume` as a stream instead of being
   * buffered (the CSV export). The exchange's `body` then holds only the first
   * 4 KiB, for evidence, and its digest is of the whole body. `deadlineMs`
   * bounds the whole transfer (the size cap does not apply: the body is not held).
   */
  async stream<T>(spec: RequestSpec, deadlineMs: number, consume: (body: AsyncIterable<Buffer>) => Promise<T>): Promise<{ ex: Exchange; result?: T; error?: string }> {
    return this.attempts(spec, () => this.streamOnce(spec, deadlineMs, consume));
  }

  /**
   * Sends a request until its answer is the one to hand over, through the
   * policies that span attempts: a fresh token from the principal's source,
   * the credential watch's confirmation, the run's time limit, and the
   * backoff on a busy target (a 429, or a 503 with Retry-After).
   */
  private async attempts<R extends { ex: Exchange; error?: string }>(spec: RequestSpec, send: () => Promise<R>): Promise<R> {
    let attempt = 0;
    let resends = 0;
    let asked = false;
    const as = spec.as ?? 'main';
    for (;;) {
      if (!(await this.freshToken(as))) {
        const reason = this.breaker.reason ?? 'no credential';
        return { ex: this.failed(spec, (spec.method ?? 'GET').toUpperCase(), wellFormed(spec.path), {}, undefined, { code: 'unavailable', message: reason }, 0), error: reason } as unknown as R;
      }
      const r = await send();
      const ex = r.ex;
      const sent = this.sentWith.get(ex);
      // an exchange cut by the run's time limit: the run could not finish, whatever it sends next (INCOMPLETE, never FAIL)
      if (ex.error && this.runClock.passed()) this.refusal();
      // a credential from a source that answers 401: the request is repeated with a new token. When another
      // request has already fetched one since this request was sent, it is repeated with that one; otherwise the
      // source is asked (once per request). Under concurrency every request sent with the old token comes back
      // 401 at about the same time, and a repeated request can meet the next expiry too: 4 repeats at most.
      if (ex.status === 401 && resends < 4 && sent !== undefined && typeof as === 'string' && as !== 'none' && this.options.tokenSources?.[as]) {
        resends++;
        const renewedElsewhere = this.options.tokens[as] !== sent;
        if (renewedElsewhere || (!asked && (asked = true) && (await this.freshToken(as, true)) && this.options.tokens[as] !== sent)) {
          // a 401 answered by a fresh credential is not a refusal of the credential
          if (as === 'main') this.watch.forgive();
          continue;
        }
      }
      if (this.watch.due() && !this.incomplete) await this.confirmCredential();
      // the usual answer, not a busy one, is handed over at once (no clock read, no step built for it)
      if (!Backoff.busy(ex.status, ex.headers['retry-after'])) return r;
      const step = this.backoff.step({ method: ex.method, url: ex.url, status: ex.status, retryAfter: ex.headers['retry-after'] }, { attempt, retry: spec.retry429 !== false, now: (this.options.now ?? Date.now)(), leftS: this.runClock.leftS() });
      if (step.kind === 'answer') return r;
      if (step.kind === 'stop') {
        this.stop({ code: 'CONF_ERR_RETRY_AFTER_LIMIT', message: step.message });
        return r;
      }
      attempt++;
      await (this.options.sleep ?? sleep)(step.ms);
    }
  }

  /** Why no request may be sent now, if none may (unavailable target, budget, run time). */
  private refusal(): Exchange['error'] {
    if (!this.breaker.reason && this.runClock.passed()) this.stop({ code: 'CONF_ERR_RUN_TIME_LIMIT', message: this.runClock.message() });
    if (this.breaker.reason) return { code: 'unavailable', message: this.breaker.reason };
    if (!this.budget.allows()) {
      if (this.budget.firstRefusal()) this.stop({ code: 'CONF_ERR_BUDGET', message: this.budget.message() });
      return { code: 'budget', message: 'request budget exhausted' };
    }
    return undefined;
  }

  /**
   * The policies before a request is sent: its path resolved, the write
   * guard, the breaker, the run's time limit and the budget (which counts it).
   * The request as it goes out, or the exchange that says why it did not.
   */
  private admit(spec: RequestSpec, method: string, accept: string): { path: string; headers: Record<string, string>; body: string | undefined } | { refused: HttpExchange } {
    let path: string;
    try {
      path = this.resolve(spec.path, spec.query);
    } catch (err) {
      this.problem(`${method} ${spec.path}: ${(err as Error).message}`);
      return { refused: this.failed(spec, method, wellFormed(spec.path), {}, undefined, { code: 'other', message: (err as Error).message }, 0) };
    }
    const headers: Record<string, string> = { accept, ...this.options.headers, ...this.authHeaders(spec.as ?? 'main'), ...spec.headers };
    let body = spec.body;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers['content-type'] ??= 'application/json';
    }
    if (method !== 'GET' && method !== 'HEAD') {
      const blocked = this.guard?.(method, path);
      if (blocked !== undefined) {
        const what = `${method} ${path} not sent: ${blocked}`;
        if (!this.blocked.includes(what)) this.blocked.push(this.redactor.text(what));
        return { refused: this.failed(spec, method, path, headers, body, { code: 'blocked', message: what }, 0) };
      }
    }
    const refused = this.refusal();
    if (refused) return { refused: this.failed(spec, method, path, headers, body, refused, 0) };
    if (method !== 'GET' && method !== 'HEAD') this.writesSent++;
    this.budget.spend();
    return { path, headers, body };
  }

  /** The policies that hear every answer: the breaker, the credential watch and the concurrency policy (latency only of buffered exchanges: a stream's time is its body's). */
  private answered(spec: RequestSpec, ex: HttpExchange): void {
    this.breaker.success();
    if ((spec.as ?? 'main') === 'main' && this.options.tokens.main) this.watch.observe(ex.status);
    this.sample(spec, ex);
  }

  /** An exchange the target did not answer: the breaker counts it (and may open). */
  private unanswered(spec: RequestSpec, ex: HttpExchange, path: string): void {
    const message = ex.error?.message ?? 'no answer';
    const opened = this.breaker.failure(message);
    if (opened) this.problem(opened);
    this.problem(`${ex.method} ${path}: ${message}`);
    this.sample(spec, ex);
  }

  /** The concurrency policy's view of an exchange; a check that asks for the raw 429 (a rate limit it provokes) says nothing of the target's capacity. */
  private sample(spec: RequestSpec, ex: HttpExchange): void {
    if (spec.retry429 === false) return;
    // called while the exchange still holds its slot
    const pressed = this.limiter.waiting > 0 || this.limiter.inFlight >= this.limiter.limit;
    this.concurrency.observe({ status: ex.status, durationMs: ex.streamed ? undefined : ex.durationMs, timeout: ex.error?.code === 'timeout', pressed });
  }

  private async once(spec: RequestSpec): Promise<Exchange> {
    const method = (spec.method ?? 'GET').toUpperCase();
    const admitted = this.admit(spec, method, 'application/json, text/csv;q=0.9, */*;q=0.8');
    if ('refused' in admitted) return admitted.refused;
    const { path, headers, body } = admitted;
    return this.inSlot(
      spec,
      headers,
      (ex) => ex,
      async () => {
        const started = performance.now();
        // the deadline of the whole exchange, headers and body together; it settles the exchange even if undici does not
        const deadline = new Deadline(this.runClock.exchangeMs(this.options.timeoutMs));
        let stream: (NodeJS.ReadableStream & { destroy(): void }) | undefined;
        let release: (() => void) | undefined;
        let finished = false;
        try {
          const res = await deadline.race(settled(this.send(spec, false, { origin: this.origin, path, method, headers, body, signal: deadline }), deadline));
          stream = res.body;
          const chunks: Buffer[] = [];
          let kept = 0;
          const cap = new BodyCap(this.options.maxBodyBytes);
          const keep = spec.keepBytes ?? Number.POSITIVE_INFINITY;
          const hash = spec.keepBytes === undefined ? undefined : createHash('sha256');
          // read with events (cheaper than async iteration); past the cap the body is cut
          await deadline.race(
            new Promise<void>((resolveBody, rejectBody) => {
              const body = res.body;
              body.on('data', (b: Buffer) => {
                if (cap.truncated) return;
                if (release === undefined && spec.keepBytes === undefined && cap.bytes + b.length > LARGE_BODY) {
                  // a large body: wait for a slot, the deadline stopped meanwhile (the kit holds it up, not the target)
                  release = () => undefined;
                  body.pause();
                  const left = deadline.pause();
                  void this.largeReads.acquire().then((done) => {
                    // an exchange that ended while it waited gives its slot straight back
                    if (finished) return done();
                    release = done;
                    deadline.resume(left);
                    body.resume();
                  });
                }
                if (!cap.add(b.length)) {
                  body.destroy();
                  resolveBody();
                  return;
                }
                hash?.update(b);
                if (kept < keep) {
                  const part = kept + b.length > keep ? b.subarray(0, keep - kept) : b;
                  chunks.push(part);
                  kept += part.length;
                }
              });
              body.once('end', () => resolveBody());
              body.once('error', (err) => (cap.truncated ? resolveBody() : rejectBody(err)));
            }),
          );
          deadline.clear();
          const ex = this.make(spec, method, path, headers, body, res.statusCode, flatten(res.headers), Buffer.concat(chunks), cap.bytes, cap.truncated, performance.now() - started, undefined);
          if (hash && !cap.truncated) ex.sha256 = hash.digest('hex');
          if (res.recorded) recorded(ex, res.recorded);
          if (cap.bytes > LARGE_BODY && !cap.truncated && !hash) ex.settle(LARGE_HEAD);
          if (ex.truncated) {
            this.problem(`a response to ${method} ${path} exceeded ${this.options.maxBodyBytes} bytes and was cut`);
            ex.error = { code: 'too_large', message: cap.message() };
          }
          this.answered(spec, ex);
          this.emit(ex);
          return ex;
        } catch (err) {
          deadline.clear();
          stream?.destroy();
          const ex = this.failed(spec, method, path, headers, body, classify(err), performance.now() - started);
          this.unanswered(spec, ex, path);
          this.emit(ex);
          return ex;
        } finally {
          finished = true;
          (release as (() => void) | undefined)?.();
        }
      },
    );
  }

  /**
   * Runs an exchange in a slot of the limiter, with the principal's token as
   * it is when the slot is given, not as it was when the request joined the
   * queue (a token refreshed meanwhile); remembers which token it carried.
   */
  private async inSlot<R>(spec: RequestSpec, headers: Record<string, string>, exOf: (r: R) => Exchange, fn: () => Promise<R>): Promise<R> {
    let carried: string | undefined;
    const r = await this.limiter.run(() => {
      carried = this.reauthorize(spec, headers);
      return fn();
    });
    if (carried !== undefined) this.sentWith.set(exOf(r), carried);
    return r;
  }

  private async streamOnce<T>(spec: RequestSpec, deadlineMs: number, consume: (body: AsyncIterable<Buffer>) => Promise<T>): Promise<{ ex: Exchange; result?: T; error?: string }> {
    const method = (spec.method ?? 'GET').toUpperCase();
    const admitted = this.admit(spec, method, 'text/csv, */*;q=0.5');
    if ('refused' in admitted) return { ex: admitted.refused, error: (admitted.refused.error as { message: string }).message };
    const { path, headers } = admitted;
    return this.inSlot(
      spec,
      headers,
      (r) => r.ex,
      async (): Promise<{ ex: HttpExchange; result?: T; error?: string }> => {
        const started = performance.now();
        const deadline = new Deadline(this.runClock.exchangeMs(deadlineMs));
        try {
          const res = await deadline.race(settled(this.send(spec, true, { origin: this.origin, path, method, headers, signal: deadline, bodyTimeout: this.options.timeoutMs }), deadline));
          const flat = flatten(res.headers);
          const heads: Buffer[] = [];
          let kept = 0;
          let bytes = 0;
          const hash = createHash('sha256');
          // the head kept for evidence; more when the run records a cassette (up to its body cap)
          const headMax = Math.max(4096, this.options.keepStreamedBytes ?? 0);
          async function* tee(): AsyncIterable<Buffer> {
            for await (const chunk of res.body) {
              const b = chunk as Buffer;
              bytes += b.length;
              hash.update(b);
              if (kept < headMax) {
                const part = b.subarray(0, headMax - kept);
                heads.push(part);
                kept += part.length;
              }
              yield b;
            }
          }
          let result: T | undefined;
          let error: string | undefined;
          let complete = false;
          try {
            if (res.statusCode === 200) result = await deadline.race(consume(tee()));
            else for await (const chunk of tee()) void chunk;
            complete = true;
          } catch (err) {
            // a deadline that cut the body is a transport problem, not the consumer's (e.g. not a CSV parse error)
            const cut = classify(err);
            error = cut.code === 'timeout' || cut.code === 'reset' ? `${cut.message} (after ${bytes} bytes)` : (err as Error).message;
            if (cut.code === 'timeout' || cut.code === 'reset') this.problem(`${method} ${path}: ${error}`);
            res.body.destroy();
          } finally {
            deadline.clear();
          }
          const ex = this.make(spec, method, path, headers, undefined, res.statusCode, flat, Buffer.concat(heads), bytes, false, performance.now() - started, undefined);
          ex.streamed = true;
          if (complete) ex.sha256 = hash.digest('hex');
          if (complete && res.recorded) recorded(ex, res.recorded);
          this.answered(spec, ex);
          this.emit(ex);
          return error === undefined ? { ex, result } : { ex, result, error };
        } catch (err) {
          deadline.clear();
          const ex = this.failed(spec, method, path, headers, undefined, classify(err), performance.now() - started);
          ex.streamed = true;
          this.unanswered(spec, ex, path);
          this.emit(ex);
          return { ex, error: (ex.error as { message: string }).message };
        }
      },
    );
  }

  private emit(ex: Exchange): void {
    // named only if an unsolicited response comes: the exchange is kept, its name built then
    if (ex.status !== undefined) this.lastAnswered = ex;
    if (ex.operationId && ex.status !== undefined) {
      let arr = this.latency.get(ex.operationId);
      if (!arr) this.latency.set(ex.operationId, (arr = []));
      arr.push(ex.durationMs);
    }
    for (const l of this.listeners) l(ex);
  }

  private failed(spec: RequestSpec, method: string, path: string, headers: Record<string, string>, body: string | undefined, error: Exchange['error'], ms: number): HttpExchange {
    return this.make(spec, method, path, headers, body, undefined, {}, Buffer.alloc(0), 0, false, ms, error);
  }

  private make(spec: RequestSpec, method: string, path: string, requestHeaders: Record<string, string>, requestBody: string | undefined, status: number | undefined, headers: Record<string, string>, body: Buffer, bytes: number, truncated: boolean, durationMs: number, error: Exchange['error']): HttpExchange {
    const ex = new HttpExchange(spec.operationId, method, this.origin + path, requestHeaders, requestBody, status, headers, body, bytes, truncated, durationMs, error);
    ex.principal = principalName(spec.as);
    ex.purpose = purposeOf(spec);
    ex.sentAt = (this.options.now ?? Date.now)() - durationMs;
    return ex;
  }

  /** One request on the wire, or to the transport that stands for it (a cassette). */
  private send(spec: RequestSpec, streamed: boolean, req: { origin: string; path: string; method: string; headers: Record<string, string>; body?: string | undefined; signal: Deadline; bodyTimeout?: number }): Promise<TransportAnswer> {
    const t = this.options.transport;
    if (t) return t.request({ ...req, principal: principalName(spec.as), purpose: purposeOf(spec), operationId: spec.operationId, keepBytes: spec.keepBytes, streamed });
    return this.pool.request(req) as unknown as Promise<TransportAnswer>;
  }

  /**
   * Evidence for a report: redacted (before anything is cut, so no credential
   * straddles a cut), small, with a reproduction command. O(1) per call beyond
   * the exchange's own digest, which is computed once per exchange.
   */
  evidence(ex: Exchange, extra: Partial<Evidence> = {}): Evidence {
    const r = this.redactor;
    let base = this.evidenceOf.get(ex);
    if (!base) this.evidenceOf.set(ex, (base = this.baseEvidence(ex)));
    // values from the server are shown, never held whole: cut (after redaction) before they reach a report
    const clipped: Record<string, unknown> = { ...extra };
    for (const k of ['value', 'received', 'expected', 'note', 'pointer'] as const) {
      const v = clipped[k];
      if (typeof v === 'string') clipped[k] = r.cut(v, 2000);
      else if (v !== null && typeof v === 'object') {
        const text = safeJson(v);
        if (text.length > 2000) clipped[k] = r.cut(text, 2000);
      }
    }
    const around = extra.pointer !== undefined && extra.bodyExcerpt === undefined ? this.excerptAt(ex, extra.pointer) : undefined;
    return { ...base, ...r.value(clipped), ...(around !== undefined ? { bodyExcerpt: around } : {}) } as Evidence;
  }

  /**
   * The part of a JSON body around the value a pointer names (the value at
   * fault is in the excerpt, not only the body's first bytes); undefined when
   * the first bytes already show it or the body held does not reach it.
   */
  private excerptAt(ex: Exchange, pointer: string): string | undefined {
    if (ex.body.length <= EXCERPT || ex.body.length > 1024 * 1024 || !/json/.test(ex.contentType())) return undefined;
    const text = ex.body.toString('utf8');
    const at = offsetOfPointer(text, pointer);
    if (at === undefined || at < EXCERPT / 2) return undefined;
    return this.redactor.window(text, at - EXCERPT / 3, EXCERPT);
  }

  /** The part of an exchange's evidence that is the same for every finding about it (computed once per exchange). */
  private baseEvidence(ex: Exchange): Evidence {
    const r = this.redactor;
    const shown: Record<string, string> = {};
    for (const h of ['content-type', 'content-length', 'retry-after', 'location', 'www-authenticate', 'content-encoding']) {
      const v = ex.headers[h];
      if (v !== undefined) shown[h] = r.cut(v, 500);
    }
    const sendHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(ex.requestHeaders)) if (k !== 'accept') sendHeaders[k] = v;
    const ev: Evidence = {
      method: ex.method,
      url: r.cut(ex.url, 2000),
      curl: toCurl(r, { method: ex.method, url: ex.url, headers: sendHeaders, body: ex.requestBody }),
      durationMs: Math.round(ex.durationMs),
    };
    if (ex.status !== undefined) ev.status = ex.status;
    if (Object.keys(shown).length > 0) ev.responseHeaders = shown;
    if (ex.requestBody !== undefined) ev.requestBody = r.cut(ex.requestBody, 1000);
    if (ex.bytes > 0) {
      ev.bodyBytes = ex.bytes;
      if (ex.body.length === ex.bytes || (ex as HttpExchange).sha256) ev.bodySha256 = ex.digest();
      const isText = /json|text|xml|csv|html/.test(ex.contentType()) || ex.contentType() === '';
      ev.bodyExcerpt = isText ? r.cut(ex.body.subarray(0, (EXCERPT + r.reach) * 3).toString('utf8'), EXCERPT) : `<${ex.bytes} bytes of ${r.cut(ex.contentType(), 100)}>`;
    }
    if (ex.error) ev.note = r.cut(ex.error.message, 2000);
    const problem = ex.jsonProblem();
    if (problem) ev.note = r.cut(ev.note ? `${ev.note}; ${problem}` : problem, 2000);
    return ev;
  }

  async close(): Promise<void> {
    await this.pool.destroy().catch(() => undefined);
    await this.options.transport?.close().catch(() => undefined);
  }
}

/** A recorded answer's own account of itself: its whole size, digest and time (the bytes replayed may be its head only). */
function recorded(ex: HttpExchange, r: RecordedAnswer): void {
  ex.bytes = r.bytes;
  if (r.sha256 !== undefined) ex.sha256 = r.sha256;
  ex.durationMs = r.durationMs;
  ex.truncated = r.truncated;
}

/** Response headers as one lower-case string each (repeated headers joined). */
function flatten(headers: TransportAnswer['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  // for…in over the own keys (undici's headers object is a plain object): no array of pairs per exchange
  for (const k in headers) {
    if (!Object.hasOwn(headers, k)) continue;
    const v = headers[k];
    if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return flat;
}

/** An undici request that, should it answer after its deadline won the race, has its body discarded (the connection is not left holding it). */
function settled<T extends { body: { destroy(): unknown } }>(request: Promise<T>, deadline: Deadline): Promise<T> {
  request.then(
    (res) => {
      if (deadline.aborted) res.body.destroy();
    },
    () => undefined,
  );
  return request;
}

/**
 * The HTTP harness: every request the suite makes goes through here.
 *
 * On undici: one connection pool sized by `--concurrency`, a deadline per
 * exchange (`--timeout-ms`, headers and body together, so a trickling endless
 * body is cut too), a cap on response size, no redirect following, a request
 * budget, backoff on 429 honouring Retry-After (except where a check asks for
 * the raw 429), and a circuit breaker so a dead target cannot stretch a run.
 * Listeners see every exchange (HTTP-NO-5XX, HTTP-JSON, latency).
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, errors as undiciErrors } from 'undici';
import type { Evidence } from '../report/types.ts';
import { Redactor, toCurl } from './redact.ts';

export type Principal = 'main' | 'otherUser' | 'otherTenant' | 'none' | { token: string };

export interface HarnessOptions {
  baseUrl: string;
  timeoutMs: number;
  concurrency: number;
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
  /** false for checks that must see the 429 itself */
  retry429?: boolean;
}

export type TransportError = 'timeout' | 'reset' | 'refused' | 'tls' | 'too_large' | 'unavailable' | 'budget' | 'blocked' | 'protocol' | 'other';

/**
 * Why a run could not judge the provider (ANALYSIS.md, "Could not certify"):
 * the fault is on the user's side or the run's, so the verdict is INCOMPLETE
 * (exit 2), never FAIL. Codes are from src/errors.ts.
 */
export interface Incomplete {
  code: 'CONF_ERR_CREDENTIALS' | 'CONF_ERR_TLS' | 'CONF_ERR_NO_API' | 'CONF_ERR_BUDGET' | 'CONF_ERR_TARGET_BUSY' | 'CONF_ERR_UNREACHABLE' | 'CONF_ERR_INTERNAL';
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
  /** the parsed JSON body, or undefined when it is not JSON */
  json(): unknown;
  /** true when the body parsed as JSON */
  isJson(): boolean;
  text(): string;
  contentType(): string;
}

type Listener = (ex: Exchange) => void;

class Semaphore {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
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

/** An exchange as recorded: plain fields, and the body parsed as JSON once, on first use (no closures per exchange). */
class HttpExchange implements Exchange {
  private parsed: { ok: boolean; value: unknown } | undefined;
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

  private parse(): { ok: boolean; value: unknown } {
    if (this.parsed) return this.parsed;
    const usable = this.body.length > 0 && !this.truncated;
    try {
      this.parsed = { ok: usable, value: usable ? JSON.parse(this.body.toString('utf8')) : undefined };
    } catch {
      this.parsed = { ok: false, value: undefined };
    }
    return this.parsed;
  }

  json(): unknown {
    return this.parse().value;
  }

  isJson(): boolean {
    return this.parse().ok;
  }

  text(): string {
    return this.body.toString('utf8');
  }

  contentType(): string {
    return (this.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  }
}

/**
 * The deadline of one exchange, as undici takes a signal: an EventEmitter with
 * `aborted` and `reason` costs less per request than an AbortController.
 */
class Deadline extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  private readonly timer: NodeJS.Timeout;
  constructor(ms: number) {
    super();
    this.timer = setTimeout(() => {
      this.aborted = true;
      this.reason = new DOMException('deadline', 'TimeoutError');
      this.emit('abort');
    }, ms);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

export class Harness {
  readonly redactor = new Redactor();
  readonly origin: string;
  readonly basePath: string;
  private readonly pool: Pool;
  private readonly sem: Semaphore;
  private readonly listeners: Listener[] = [];
  private consecutiveFailures = 0;
  private unavailableReason: string | undefined;
  private budgetHit = false;
  private guard: ((method: string, path: string) => string | undefined) | undefined;
  /** consecutive answers 401 to the main credential */
  private main401 = 0;
  private mainOk = 0;
  /** set when the run can no longer judge the provider (INCOMPLETE) */
  incomplete: Incomplete | undefined;
  requests = 0;
  /** requests other than GET and HEAD actually sent */
  writesSent = 0;
  /** writes the guard refused before they were sent */
  readonly blocked: string[] = [];
  readonly problems: string[] = [];
  readonly latency = new Map<string, number[]>();

  constructor(readonly options: HarnessOptions) {
    const u = new URL(options.baseUrl);
    this.origin = u.origin;
    this.basePath = u.pathname.replace(/\/+$/, '');
    this.pool = new Pool(this.origin, {
      connections: options.concurrency,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
      keepAliveTimeout: 10_000,
    });
    this.sem = new Semaphore(options.concurrency);
    this.redactor.add(options.tokens.main, 'CONFORMANCE_TOKEN');
    this.redactor.add(options.tokens.otherUser, 'CONFORMANCE_TOKEN_OTHER_USER');
    this.redactor.add(options.tokens.otherTenant, 'CONFORMANCE_TOKEN_OTHER_TENANT');
  }

  onExchange(fn: Listener): void {
    this.listeners.push(fn);
  }

  /** Why the target is considered unavailable, if it is. */
  get unavailable(): string | undefined {
    return this.unavailableReason;
  }

  /**
   * Installs the write guard (src/engine/safety.ts): every request other than
   * GET and HEAD is shown to it first, and is not sent when it answers a reason.
   */
  setWriteGuard(guard: (method: string, path: string) => string | undefined): void {
    this.guard = guard;
  }

  /** Marks the run as unable to judge the provider; the first reason stays. */
  stop(incomplete: Incomplete): void {
    this.incomplete ??= { code: incomplete.code, message: this.redactor.text(incomplete.message) };
    this.unavailableReason ??= this.incomplete.message;
    this.problem(this.incomplete.message);
  }

  /** A run-level note (shown with the problems). */
  note(msg: string): void {
    this.problem(msg);
  }

  private problem(msg: string): void {
    const m = this.redactor.text(msg);
    if (!this.problems.includes(m)) this.problems.push(m);
  }

  authHeaders(as: Principal): Record<string, string> {
    const token = typeof as === 'object' ? as.token : as === 'none' ? undefined : this.options.tokens[as];
    if (!token) return {};
    const scheme = this.options.authScheme ?? 'Bearer';
    return { [this.options.authHeader ?? 'Authorization']: scheme ? `${scheme} ${token}` : token };
  }

  /** Builds the path+query under the base path. Absolute URLs on the same origin are accepted (pagination links). */
  resolve(path: string, query?: RequestSpec['query']): string {
    let p: string;
    if (/^https?:\/\//i.test(path)) {
      const u = new URL(path);
      if (u.origin !== this.origin) throw new Error(`link to another origin refused: ${u.origin}`);
      p = u.pathname + u.search;
    } else {
      p = path.startsWith(this.basePath + '/') || this.basePath === '' ? path : this.basePath + path;
    }
    const q = Object.entries(query ?? {}).filter(([, v]) => v !== undefined);
    if (q.length > 0) p += (p.includes('?') ? '&' : '?') + q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
    return p;
  }

  /**
   * After ten 401s in a row to the main credential, one read that had worked
   * before (`credentialProbe`) tells an expired credential (the run stops:
   * INCOMPLETE) from endpoints that refuse it wrongly (the checks judge them).
   */
  private async confirmCredential(): Promise<void> {
    const n = this.main401;
    this.main401 = 0;
    const probe = this.credentialProbe;
    const ex = probe ? await this.once({ path: probe, operationId: undefined }) : undefined;
    if (ex === undefined || ex.status === 401) {
      this.stop({ code: 'CONF_ERR_CREDENTIALS', message: `the main credential was refused (401) on ${n} calls in a row${this.mainOk > 0 ? ' after it had worked: it expired or was revoked during the run' : ''}; the remaining requests were not sent` });
    }
  }

  /** a path the main credential could read at the start of the run (set by the preflight) */
  credentialProbe: string | undefined;

  async request(spec: RequestSpec): Promise<Exchange> {
    let attempt = 0;
    for (;;) {
      const ex = await this.once(spec);
      if (this.main401 >= 10 && !this.incomplete) await this.confirmCredential();
      if (ex.status !== 429 || spec.retry429 === false || attempt >= 2) return ex;
      const ra = Number(ex.headers['retry-after']);
      const waitS = Number.isFinite(ra) && ra >= 0 ? ra : 1;
      const maxS = this.options.maxRetryAfterS ?? 10;
      if (waitS > maxS) {
        this.stop({ code: 'CONF_ERR_TARGET_BUSY', message: `the target answered 429 and asked to wait ${waitS} s (Retry-After) before ${ex.method} ${ex.url}, longer than the run waits (${maxS} s); try again later` });
        return ex;
      }
      attempt++;
      await sleep(Math.max(100, waitS * 1000));
    }
  }

  private async once(spec: RequestSpec): Promise<Exchange> {
    const method = (spec.method ?? 'GET').toUpperCase();
    let path: string;
    try {
      path = this.resolve(spec.path, spec.query);
    } catch (err) {
      return this.failed(spec, method, spec.path, {}, undefined, { code: 'other', message: (err as Error).message }, 0);
    }
    const headers: Record<string, string> = { accept: 'application/json, text/csv;q=0.9, */*;q=0.8', ...this.authHeaders(spec.as ?? 'main'), ...spec.headers };
    let body = spec.body;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers['content-type'] ??= 'application/json';
    }
    if (this.unavailableReason) return this.failed(spec, method, path, headers, body, { code: 'unavailable', message: this.unavailableReason }, 0);
    if (method !== 'GET' && method !== 'HEAD') {
      const refused = this.guard?.(method, path);
      if (refused !== undefined) {
        const what = `${method} ${path} not sent: ${refused}`;
        if (!this.blocked.includes(what)) this.blocked.push(this.redactor.text(what));
        return this.failed(spec, method, path, headers, body, { code: 'blocked', message: what }, 0);
      }
      this.writesSent++;
    }
    if (this.requests >= this.options.budget) {
      if (!this.budgetHit) this.stop({ code: 'CONF_ERR_BUDGET', message: `the request budget of ${this.options.budget} (--budget) was spent before the checks were done; later checks could not make their requests` });
      this.budgetHit = true;
      return this.failed(spec, method, path, headers, body, { code: 'budget', message: 'request budget exhausted' }, 0);
    }
    this.requests++;
    return this.sem.run(async () => {
      const started = performance.now();
      // the deadline of the whole exchange, headers and body together
      const deadline = new Deadline(this.options.timeoutMs);
      try {
        const res = await this.pool.request({ path, method, headers, body, signal: deadline });
        const chunks: Buffer[] = [];
        let bytes = 0;
        let truncated = false;
        const max = this.options.maxBodyBytes;
        // read with events (cheaper than async iteration); past the cap the body is cut
        await new Promise<void>((resolveBody, rejectBody) => {
          const stream = res.body;
          stream.on('data', (b: Buffer) => {
            if (truncated) return;
            bytes += b.length;
            if (bytes > max) {
              truncated = true;
              stream.destroy();
              resolveBody();
              return;
            }
            chunks.push(b);
          });
          stream.once('end', () => resolveBody());
          stream.once('error', (err) => (truncated ? resolveBody() : rejectBody(err)));
        });
        deadline.clear();
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        const ex = this.make(spec, method, path, headers, body, res.statusCode, flat, Buffer.concat(chunks), bytes, truncated, performance.now() - started, undefined);
        if (truncated) {
          this.problem(`a response to ${method} ${path} exceeded ${this.options.maxBodyBytes} bytes and was cut`);
          ex.error = { code: 'too_large', message: `the response exceeded ${this.options.maxBodyBytes} bytes` };
        }
        this.consecutiveFailures = 0;
        this.watchCredential(spec, ex);
        this.emit(ex);
        return ex;
      } catch (err) {
        deadline.clear();
        const error = classify(err);
        this.consecutiveFailures++;
        if (this.consecutiveFailures >= (this.options.breakerThreshold ?? 6) && !this.unavailableReason) {
          this.unavailableReason = `the target failed ${this.consecutiveFailures} requests in a row (last: ${error.message}); the remaining requests were not sent`;
          this.problem(this.unavailableReason);
        }
        this.problem(`${method} ${path}: ${error.message}`);
        const ex = this.failed(spec, method, path, headers, body, error, performance.now() - started);
        this.emit(ex);
        return ex;
      }
    });
  }

  /**
   * A request whose body is handed to `consume` as a stream instead of being
   * buffered (the CSV export). The exchange's `body` then holds only the first
   * 4 KiB, for evidence. `deadlineMs` bounds the whole transfer.
   */
  async stream<T>(spec: RequestSpec, deadlineMs: number, consume: (body: AsyncIterable<Buffer>) => Promise<T>): Promise<{ ex: Exchange; result?: T; error?: string }> {
    const method = (spec.method ?? 'GET').toUpperCase();
    const path = this.resolve(spec.path, spec.query);
    const headers: Record<string, string> = { accept: 'text/csv, */*;q=0.5', ...this.authHeaders(spec.as ?? 'main'), ...spec.headers };
    if (this.unavailableReason) return { ex: this.failed(spec, method, path, headers, undefined, { code: 'unavailable', message: this.unavailableReason }, 0) };
    if (method !== 'GET' && method !== 'HEAD') {
      const refused = this.guard?.(method, path);
      if (refused !== undefined) return { ex: this.failed(spec, method, path, headers, undefined, { code: 'blocked', message: refused }, 0), error: refused };
      this.writesSent++;
    }
    this.requests++;
    const started = performance.now();
    try {
      const res = await this.pool.request({ path, method, headers, signal: AbortSignal.timeout(deadlineMs), bodyTimeout: this.options.timeoutMs });
      const flat: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      let head = Buffer.alloc(0);
      let bytes = 0;
      async function* tee(): AsyncIterable<Buffer> {
        for await (const chunk of res.body) {
          const b = chunk as Buffer;
          bytes += b.length;
          if (head.length < 4096) head = Buffer.concat([head, b.subarray(0, 4096 - head.length)]);
          yield b;
        }
      }
      let result: T | undefined;
      let error: string | undefined;
      if (res.statusCode === 200) {
        try {
          result = await consume(tee());
        } catch (err) {
          // a deadline that cut the body is a transport problem, not the consumer's (e.g. not a CSV parse error)
          const cut = classify(err);
          error = cut.code === 'timeout' || cut.code === 'reset' ? `${cut.message} (after ${bytes} bytes)` : (err as Error).message;
          if (cut.code === 'timeout' || cut.code === 'reset') this.problem(`${method} ${path}: ${error}`);
          res.body.destroy();
        }
      } else {
        for await (const chunk of tee()) void chunk;
      }
      const ex = this.make(spec, method, path, headers, undefined, res.statusCode, flat, head, bytes, false, performance.now() - started, undefined);
      this.consecutiveFailures = 0;
      this.emit(ex);
      return error === undefined ? { ex, result } : { ex, result, error };
    } catch (err) {
      const error = classify(err);
      this.problem(`${method} ${path}: ${error.message}`);
      const ex = this.failed(spec, method, path, headers, undefined, error, performance.now() - started);
      this.emit(ex);
      return { ex, error: error.message };
    }
  }

  /**
   * The main credential answered 401 ten times in a row: it expired or was
   * revoked during the run, and nothing after that can be judged.
   */
  private watchCredential(spec: RequestSpec, ex: Exchange): void {
    if ((spec.as ?? 'main') !== 'main' || !this.options.tokens.main) return;
    if (ex.status === 401) this.main401++;
    else {
      this.main401 = 0;
      this.mainOk++;
    }
  }

  private emit(ex: Exchange): void {
    if (ex.operationId && ex.status !== undefined) {
      let arr = this.latency.get(ex.operationId);
      if (!arr) this.latency.set(ex.operationId, (arr = []));
      arr.push(ex.durationMs);
    }
    for (const l of this.listeners) l(ex);
  }

  private failed(spec: RequestSpec, method: string, path: string, headers: Record<string, string>, body: string | undefined, error: Exchange['error'], ms: number): Exchange {
    return this.make(spec, method, path, headers, body, undefined, {}, Buffer.alloc(0), 0, false, ms, error);
  }

  private make(
    spec: RequestSpec, method: string, path: string, requestHeaders: Record<string, string>, requestBody: string | undefined,
    status: number | undefined, headers: Record<string, string>, body: Buffer, bytes: number, truncated: boolean, durationMs: number, error: Exchange['error'],
  ): Exchange {
    return new HttpExchange(spec.operationId, method, this.origin + path, requestHeaders, requestBody, status, headers, body, bytes, truncated, durationMs, error);
  }

  /** Evidence for a report: redacted, small, with a reproduction command. */
  evidence(ex: Exchange, extra: Partial<Evidence> = {}): Evidence {
    const shown: Record<string, string> = {};
    for (const h of ['content-type', 'content-length', 'retry-after', 'location', 'www-authenticate']) {
      const v = ex.headers[h];
      if (v !== undefined) shown[h] = this.redactor.text(v);
    }
    const sendHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(ex.requestHeaders)) if (k !== 'accept') sendHeaders[k] = v;
    const ev: Evidence = {
      method: ex.method,
      url: this.redactor.text(ex.url),
      curl: toCurl(this.redactor, { method: ex.method, url: ex.url, headers: sendHeaders, body: ex.requestBody }),
      durationMs: Math.round(ex.durationMs),
    };
    if (ex.status !== undefined) ev.status = ex.status;
    if (Object.keys(shown).length > 0) ev.responseHeaders = shown;
    if (ex.requestBody !== undefined) ev.requestBody = this.redactor.text(ex.requestBody.slice(0, 1000));
    if (ex.bytes > 0) {
      ev.bodyBytes = ex.bytes;
      ev.bodySha256 = createHash('sha256').update(ex.body).digest('hex');
      const isText = /json|text|xml|csv|html/.test(ex.contentType()) || ex.contentType() === '';
      ev.bodyExcerpt = isText ? this.redactor.text(ex.body.subarray(0, 600).toString('utf8')) : `<${ex.bytes} bytes of ${ex.contentType()}>`;
    }
    if (ex.error) ev.note = ex.error.message;
    return this.redactor.value({ ...ev, ...extra });
  }

  async close(): Promise<void> {
    await this.pool.destroy().catch(() => undefined);
  }
}

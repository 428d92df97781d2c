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

export type TransportError = 'timeout' | 'reset' | 'refused' | 'too_large' | 'unavailable' | 'budget' | 'protocol' | 'other';

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
  requests = 0;
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

  async request(spec: RequestSpec): Promise<Exchange> {
    let attempt = 0;
    for (;;) {
      const ex = await this.once(spec);
      if (ex.status !== 429 || spec.retry429 === false || attempt >= 2) return ex;
      const ra = Number(ex.headers['retry-after']);
      const waitS = Number.isFinite(ra) && ra >= 0 ? ra : 1;
      if (waitS > (this.options.maxRetryAfterS ?? 10)) return ex;
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
    if (this.requests >= this.options.budget) {
      if (!this.budgetHit) this.problem(`request budget of ${this.options.budget} exhausted; later checks could not make their requests`);
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

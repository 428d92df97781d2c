/**
 * `conformance proxy`: a validating proxy in front of a provider (after
 * Prism's `prism proxy`, with the client judged over time as well). Each
 * request of the integrator's client is forwarded to the target as sent (its
 * raw path, its headers but the hop-by-hop ones), the answer streamed back
 * unchanged as it comes (a body above the cap is passed through and digested,
 * never held whole), and the exchange recorded (credentials redacted) and
 * judged (src/proxy/judge.ts), a line per new finding.
 *
 * Hostile peers do not take it down: a client that sends headers forever is
 * cut at the header timeout (408), a malformed request is answered 400 by
 * Node's parser, a target that does not answer within the deadline gives
 * 504, one that refuses gives 502; every other connection goes on.
 */
import { createHash, type Hash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Pool, errors as undiciErrors } from 'undici';
import { startMock, type MockOptions, type RunningMock } from '../../mock/index.ts';
import type { ExchangeRecord } from '../cassette/record.ts';
import { rawTarget } from '../checks/client/traffic.ts';
import { routerOf } from '../contract/router.ts';
import { ConformanceError } from '../errors.ts';
import type { Spec } from '../contract/load.ts';
import { toolVersion } from '../engine/run.ts';
import { CassetteWriter } from './cassette.ts';
import { PROXY_OWN, TrafficJudge, type ExportFeed, type LiveFinding } from './judge.ts';
import { CredentialMask, decoded, flatHeaders, responseBody } from './record.ts';

export interface ProxyOptions {
  spec: Spec;
  /** the provider's base URL; without it, the bundled reference server, started in this process */
  target?: string;
  /** options of the bundled reference server, when it is the target */
  mock?: MockOptions;
  host?: string;
  /** 0 (default): any free port */
  port?: number;
  /** a cassette to write (JSON Lines, a line per exchange) */
  record?: string;
  /** ms the target has to answer with its headers, and between two pieces of its body (default 30,000) */
  deadlineMs?: number;
  /** ms a client has to send its request's headers (default 10,000) */
  headersTimeoutMs?: number;
  /** bytes of each body kept in the record (default 1 MiB); the rest is streamed through and digested */
  bodyCap?: number;
  /** bytes a client's request body may have (default 1 MiB; more is answered 413) */
  requestLimit?: number;
  /** told of every new finding as the exchange that shows it completes */
  onFinding?: (f: LiveFinding, record: ExchangeRecord) => void;
}

export interface RunningProxy {
  url: string;
  target: string;
  embedded: boolean;
  judge: TrafficJudge;
  startedAt: string;
  /** exchanges in flight */
  inFlight(): number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function forwardable(raw: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const named = new Set(
    String(raw.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase()),
  );
  for (const [k, v] of Object.entries(raw)) if (v !== undefined && !HOP_BY_HOP.has(k) && !named.has(k)) out[k] = v;
  return out;
}

/** Resolves when a response can take more (drain) or is gone (close), leaving no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function targetOrigin(target: string): { origin: string; base: string } {
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    throw new ConformanceError('CONF_ERR_PROXY_START', `--target: expected an http(s) URL / received ${JSON.stringify(target)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConformanceError('CONF_ERR_PROXY_START', `--target: expected an http(s) URL / received ${u.protocol}`);
  return { origin: u.origin, base: u.pathname.replace(/\/+$/, '') };
}

function transportError(err: unknown): { code: 'timeout' | 'refused' | 'reset' | 'other'; message: string; status: number } {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || code === 'UND_ERR_CONNECT_TIMEOUT' || e.name === 'TimeoutError') {
    return { code: 'timeout', message: 'the target gave no answer within the deadline', status: 504 };
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code)) return { code: 'refused', message: `the target cannot be reached (${code})`, status: 502 };
  if (['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'].includes(code)) return { code: 'reset', message: 'the target reset the connection', status: 502 };
  return { code: 'other', message: `the target could not be asked (${code || e.name || 'error'})`, status: 502 };
}

export async function startProxy(o: ProxyOptions): Promise<RunningProxy> {
  let mock: RunningMock | undefined;
  const target = o.target ?? (mock = await startMock({ ...o.mock, port: 0 })).baseUrl;
  const { origin, base } = targetOrigin(target);
  const deadline = o.deadlineMs ?? 30_000;
  const cap = o.bodyCap ?? 1024 * 1024;
  const requestLimit = o.requestLimit ?? 1024 * 1024;
  const headersTimeout = o.headersTimeoutMs ?? 10_000;
  // one pool of kept-alive connections to the target, as many as the clients the proxy serves at once (the 200 of the load test, with room)
  const agent = new Pool(origin, { connections: 256, headersTimeout: deadline, bodyTimeout: deadline, connectTimeout: Math.min(deadline, 10_000), keepAliveTimeout: 10_000 });
  const judge = new TrafficJudge({ spec: o.spec });
  judge.onLate = (f, record) => o.onFinding?.(f, record);
  const mask = new CredentialMask();
  const startedAt = new Date().toISOString();
  const cassette = o.record
    ? new CassetteWriter(o.record, { cassette: 1, kind: 'proxy', tool: { name: 'order-tracking-conformance proxy', version: toolVersion() }, contract: o.spec.hash, contractPath: o.spec.path.split('/').pop() ?? o.spec.path, target: mask.text(target), embedded: mock !== undefined, bodyCap: cap, startedAt })
    : undefined;
  let seq = 0;
  let active = 0;
  let reasonsAsked = false;
  let closing = false;

  const finish = (record: ExchangeRecord, feed?: ExportFeed): void => {
    cassette?.write(record);
    for (const f of judge.add(record, feed)) o.onFinding?.(f, record);
  };

  /**
   * What is done once an answer has gone back (making the record, masking,
   * judging, writing the cassette) runs off the hot path: queued, and run in
   * a batch on the next turn of the event loop, after the answer's bytes have
   * left (Node's http flushes a response on the next tick). The queue keeps
   * the order the exchanges completed in.
   */
  const queued: (() => Promise<void> | void)[] = [];
  let running: Promise<void> | undefined;
  const afterwards = (job: () => Promise<void> | void): void => {
    queued.push(job);
    running ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      while (queued.length > 0) {
        for (const j of queued.splice(0)) {
          try {
            const r = j();
            // only a termination waits (for the reasons list): the others are synchronous
            if (r) await r;
          } catch {
            // a record that cannot be judged must not take the proxy down; the exchange was answered
          }
        }
      }
      running = undefined;
    });
  };
  const judged = async (): Promise<void> => {
    while (running) await running;
  };

  /** The reasons list, asked of the target once with the credentials of the client's first termination (CLI-REASON), when the traffic holds none. */
  const askReasons = async (authorization: string | undefined): Promise<void> => {
    if (closing || reasonsAsked || judge.hasReasons()) return;
    reasonsAsked = true;
    const at = new Date().toISOString();
    const record: ExchangeRecord = { at, purpose: PROXY_OWN, operationId: 'listTerminateReasons', request: { method: 'GET', url: mask.text(`${origin}${base}/api/v1/terminate_reason/`), headers: mask.headers({ accept: 'application/json', ...(authorization ? { authorization } : {}) }) } };
    try {
      const r = await agent.request({ origin, path: `${base}/api/v1/terminate_reason/`, method: 'GET', headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) } });
      const body = Buffer.from(await r.body.arrayBuffer());
      record.response = { status: r.statusCode, headers: mask.headers(flatHeaders(r.headers as Record<string, string | string[]>)), ...responseBody(body, body.length, false, mask) };
    } catch (err) {
      const t = transportError(err);
      record.error = { code: t.code, message: t.message };
    }
    // no list: CLI-REASON says it could not judge
    cassette?.write(record);
    judge.add(record);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const n = ++seq;
    const at = new Date().toISOString();
    const t0 = performance.now();
    const rawPath = req.url ?? '/';
    // the request body, whole (a client's bodies are small; one over the limit is refused, not forwarded)
    const chunks: Buffer[] = [];
    let size = 0;
    const bodyless = req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined;
    for await (const c of bodyless ? [] : (req as AsyncIterable<Buffer>)) {
      size += c.length;
      if (size > requestLimit) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ detail: `conformance proxy: request body over ${requestLimit} bytes` }));
        req.destroy();
        return;
      }
      chunks.push(c);
    }
    const reqBody = chunks.length ? Buffer.concat(chunks) : undefined;
    // the record is made once the answer has gone back: masking and routing cost the client no time
    let reqHeaders: Record<string, string> = {};
    // the request's operation, routed once: when the record is made, or before for an answer that may be the export's CSV
    let routed: { op: string | undefined } | undefined;
    const operation = (): string | undefined => (routed ??= { op: routerOf(o.spec).match(req.method ?? 'GET', rawTarget(rawPath).path)?.operation?.operationId }).op;
    let op: string | undefined;
    const recordOf = (): ExchangeRecord => {
      reqHeaders = flatHeaders(req.headers);
      mask.learn(reqHeaders);
      const r: ExchangeRecord = {
        seq: n,
        at,
        request: {
          method: req.method ?? 'GET',
          url: mask.text(`${origin}${rawPath}`),
          headers: mask.headers(reqHeaders),
          ...(reqBody ? { body: mask.text(reqBody.toString('utf8')) } : {}),
        },
      };
      op = operation();
      if (op) r.operationId = op;
      return r;
    };
    let upstream: Awaited<ReturnType<Pool['request']>>;
    try {
      upstream = await agent.request({ origin, path: `${base}${rawPath}`, method: (req.method ?? 'GET') as 'GET', headers: forwardable(req.headers), body: reqBody ?? null });
    } catch (err) {
      const t = transportError(err);
      const durationMs = Math.round(performance.now() - t0);
      if (!res.headersSent) res.writeHead(t.status, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: `conformance proxy: ${t.message}` }));
      afterwards(() => {
        const record = recordOf();
        record.durationMs = durationMs;
        record.error = { code: t.code, message: t.message };
        finish(record);
      });
      return;
    }
    const resHeaders = flatHeaders(upstream.headers as Record<string, string | string[]>);
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(upstream.headers)) if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) out[k] = v as string | string[];
    res.writeHead(upstream.statusCode, out);
    // an export's CSV is compared as it streams through (the record keeps only its head), against the lists judged before it: the judging still queued is done first
    let feed: ExportFeed | undefined;
    if (upstream.statusCode === 200 && !resHeaders['content-encoding'] && operation() === 'downloadOrderExport') {
      await judged();
      feed = judge.exportFeed();
    }
    // the whole body's digest, only for a body over the cap (the record keeps the rest whole): started when the cap is passed
    let hash: Hash | undefined;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let bytes = 0;
    let broken: { code: 'timeout' | 'refused' | 'reset' | 'other'; message: string } | undefined;
    try {
      for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        let taken = 0;
        if (keptBytes < cap) {
          const part = chunk.length <= cap - keptBytes ? chunk : chunk.subarray(0, cap - keptBytes);
          kept.push(part);
          keptBytes += part.length;
          taken = part.length;
        }
        if (hash) hash.update(chunk);
        else if (bytes > cap) {
          hash = createHash('sha256');
          for (const k of kept) hash.update(k);
          hash.update(chunk.subarray(taken));
        }
        feed?.write(chunk);
        if (res.destroyed) throw Object.assign(new Error('the client went away'), { code: 'EPIPE' });
        if (!res.write(chunk)) await drained(res);
      }
      feed?.end();
      res.end();
    } catch (err) {
      feed?.abort();
      upstream.body.destroy();
      const t = transportError(err);
      broken = { code: t.code, message: res.destroyed ? 'the client closed the connection before the answer was whole' : t.message };
      res.destroy();
    }
    const durationMs = Math.round(performance.now() - t0);
    const status = upstream.statusCode;
    afterwards(() => {
      const record = recordOf();
      record.durationMs = durationMs;
      const truncated = bytes > keptBytes;
      let body: Buffer = kept.length === 1 ? (kept[0] as Buffer) : Buffer.concat(kept);
      const headers = mask.headers(resHeaders);
      if (!truncated && resHeaders['content-encoding']) {
        // recorded decoded, as HAR does: the checks read the body the client reads
        const plain = decoded(body, resHeaders['content-encoding'], cap);
        if (plain) {
          body = plain;
          delete headers['content-encoding'];
          delete headers['content-length'];
        }
      }
      record.response = { status, headers, ...responseBody(body, truncated ? bytes : body.length, truncated, mask), ...(truncated && hash ? { sha256: hash.digest('hex') } : {}) };
      if (broken) record.error = broken;
      if (op === 'requestOrderAction') return askReasons(reqHeaders.authorization).then(() => finish(record));
      finish(record, feed);
    });
  }

  const server: Server = createServer({ headersTimeout, requestTimeout: Math.max(headersTimeout, 60_000), connectionsCheckingInterval: Math.min(1000, headersTimeout), keepAliveTimeout: 5000 }, (req, res) => {
    active++;
    handle(req, res)
      .catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: `conformance proxy: internal error (${(err as Error).message})` }));
        else res.destroy();
      })
      .finally(() => active--);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return void socket.destroy();
    const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    socket.end(`HTTP/1.1 ${timeout ? '408 Request Timeout' : '400 Bad Request'}\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ detail: timeout ? 'conformance proxy: the request headers did not arrive in time' : 'conformance proxy: malformed request' })}`);
  });
  const host = o.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await agent.close();
    await mock?.close();
    throw new ConformanceError('CONF_ERR_PROXY_START', `cannot listen on ${host}:${o.port ?? 0} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    target: mask.text(target),
    embedded: mock !== undefined,
    judge,
    startedAt,
    inFlight: () => active,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      // every exchange answered is recorded and judged before the reports (the reasons list may still be asked)
      await judged();
      closing = true;
      // the exchanges in flight have ended with the server: whatever the target still holds open is let go
      await agent.destroy();
      await mock?.close();
      await cassette?.close();
      await judge.settled();
    },
  };
}

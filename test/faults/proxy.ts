/**
 * A faulty-server factory: an HTTP proxy in front of the reference server that
 * breaks one rule at a time (the catalogue is in `./faults.ts`). Without a
 * fault it is a faithful pass-through, so the suite must pass through it; with
 * one, the check that owns the broken rule must fail.
 *
 * The proxy keeps request paths raw (undici's `path` is sent as is, so a
 * traversal probe such as `..%2F` reaches the reference server untouched),
 * buffers responses (the reference server's answers are small), rewrites the
 * upstream origin to its own in bodies and `Location` headers (pagination
 * links keep working), and can map caller tokens to the reference server's
 * demo tokens (so a run can use distinctive credentials).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import type { operations } from '../../generated/openapi.ts';
import { DEMO_TOKENS } from '../../mock/index.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { routerOf } from '../../src/contract/router.ts';

export { FAULTS } from './faults.ts';

/** Who a request speaks for, from the reference server's point of view. */
export type Caller = 'main' | 'otherUser' | 'otherTenant' | 'none' | 'unknown';

/** The operation a request addresses (operationIds of openapi.yaml). */
export type Operation = keyof operations | 'other';

export interface ProxyRequest {
  method: string;
  /** raw path and query, as received */
  url: string;
  /** the raw path, without the query */
  pathname: string;
  /** the raw path split on "/", without empty segments */
  segments: string[];
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
  operation: Operation;
  caller: Caller;
  /** the Authorization header as the caller sent it, before any token mapping */
  sentAuthorization: string | undefined;
}

export interface ProxyResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** reset the connection instead of answering */
  reset?: boolean;
  /** streams the body instead of `body` (after the status and headers are sent) */
  pump?: (out: ServerResponse) => void;
}

export interface FaultContext {
  /** sends a request to the reference server (as it is, or changed) */
  forward(req: ProxyRequest): Promise<ProxyResponse>;
  /** per-fault memory, emptied each time a fault is put in place */
  memory: Map<string, unknown>;
  /** the demo tokens of the reference server */
  tokens: typeof DEMO_TOKENS;
}

export type Transform = (req: ProxyRequest, ctx: FaultContext) => Promise<ProxyResponse>;

export interface Fault {
  /** a stable, unique name */
  name: string;
  /** the check (src/checks/catalog.ts) that must catch it */
  breaks: string;
  /** that check's requirement ID */
  requirement: string;
  /** what the faulty server does, in the present tense */
  description: string;
  transform: Transform;
  /**
   * run options the fault is judged with: only what a user gives the kit
   * about their own target (a body it accepts), never a loosening of the
   * check. A fault the kit cannot tell from its own guess being refused is
   * caught once the user has vouched for the body.
   */
  options?: Record<string, unknown>;
}

export interface FaultyProxy {
  baseUrl: string;
  /** puts a fault in place (undefined: faithful pass-through) and clears its memory */
  use(fault: Fault | undefined): void;
  /** requests seen since the last `use` */
  readonly requests: number;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** the reference server's base URL */
  upstream: string;
  fault?: Fault;
  /** the upstream's authorization scheme when it is not Bearer (the token-auth variant) */
  authScheme?: string;
  /** caller token → token sent upstream (distinctive credentials in, demo tokens out) */
  tokenMap?: Record<string, string>;
}

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host', 'upgrade', 'proxy-connection', 'te', 'trailer']);

const router = routerOf(loadSpec());

/** Which operation a raw method and path address: the spec's router (src/contract/router.ts), as the engine and the reference server route them. */
export function operationOf(method: string, pathname: string): Operation {
  return (router.match(method, pathname)?.operation?.operationId as Operation | undefined) ?? 'other';
}

function callerOf(authorization: string | undefined): Caller {
  if (authorization === undefined) return 'none';
  // the reference server's schemes: Bearer, or Token for the token-auth variant
  const token = /^(?:Bearer|Token)\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (token === DEMO_TOKENS.customerA_user1) return 'main';
  if (token === DEMO_TOKENS.customerA_user2) return 'otherUser';
  if (token === DEMO_TOKENS.customerB_user1) return 'otherTenant';
  return 'unknown';
}

/** The reference server's token of a caller, as an Authorization header. */
export function bearer(caller: 'main' | 'otherUser' | 'otherTenant'): string {
  const t = { main: DEMO_TOKENS.customerA_user1, otherUser: DEMO_TOKENS.customerA_user2, otherTenant: DEMO_TOKENS.customerB_user1 }[caller];
  return `Bearer ${t}`;
}

/** A request with some parts changed (headers merged; `authorization: undefined` removes it). */
export function changed(req: ProxyRequest, edit: { url?: string; headers?: Record<string, string | undefined>; body?: Buffer }): ProxyRequest {
  const headers = { ...req.headers };
  for (const [k, v] of Object.entries(edit.headers ?? {})) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  const url = edit.url ?? req.url;
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  const segments = pathname.split('/').filter(Boolean);
  return {
    ...req,
    url,
    pathname,
    segments,
    query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
    headers,
    body: edit.body ?? req.body,
    operation: operationOf(req.method, pathname),
    caller: callerOf(headers.authorization),
  };
}

async function readAll(stream: AsyncIterable<unknown>, max = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    const b = c as Buffer;
    n += b.length;
    if (n > max) throw new Error('body too large for the proxy');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export async function startProxy(options: ProxyOptions): Promise<FaultyProxy> {
  const upstreamUrl = new URL(options.upstream);
  const upstreamOrigin = upstreamUrl.origin;
  const pool = new Pool(upstreamOrigin, { connections: 16, headersTimeout: 30_000, bodyTimeout: 30_000 });
  let fault = options.fault;
  let memory = new Map<string, unknown>();
  let requests = 0;
  let ownOrigin = '';

  const forward = async (req: ProxyRequest): Promise<ProxyResponse> => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
    // a fault that speaks for another caller writes `Bearer <token>`: the upstream's own scheme goes out
    if (options.authScheme && headers.authorization) headers.authorization = headers.authorization.replace(/^Bearer(?=\s)/i, options.authScheme);
    const res = await pool.request({
      path: req.url,
      method: req.method as 'GET',
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body,
    });
    const body = await readAll(res.body);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v === undefined || HOP.has(k.toLowerCase())) continue;
      out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    // links to the reference server become links to the proxy
    let text = body;
    const ct = out['content-type'] ?? '';
    if (/json|csv|text/.test(ct) && body.includes(upstreamOrigin)) text = Buffer.from(body.toString('utf8').split(upstreamOrigin).join(ownOrigin));
    if (out.location?.startsWith(upstreamOrigin)) out.location = ownOrigin + out.location.slice(upstreamOrigin.length);
    return { status: res.statusCode, headers: out, body: text };
  };

  const handle = async (inc: IncomingMessage, out: ServerResponse): Promise<void> => {
    requests++;
    const body = await readAll(inc);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(inc.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const sentAuthorization = headers.authorization;
    if (options.tokenMap && headers.authorization) {
      const m = /^(\S+\s+)?(\S+)$/.exec(headers.authorization);
      const mapped = m?.[2] !== undefined ? options.tokenMap[m[2]] : undefined;
      if (mapped !== undefined) headers.authorization = `${m?.[1] ?? ''}${mapped}`;
    }
    const base: ProxyRequest = {
      method: (inc.method ?? 'GET').toUpperCase(),
      url: inc.url ?? '/',
      pathname: '',
      segments: [],
      query: new URLSearchParams(),
      headers,
      body,
      operation: 'other',
      caller: 'none',
      sentAuthorization,
    };
    const req = changed(base, {});
    const ctx: FaultContext = { forward, memory, tokens: DEMO_TOKENS };
    const res = fault ? await fault.transform(req, ctx) : await forward(req);
    if (res.reset) {
      out.socket?.resetAndDestroy();
      return;
    }
    const sendHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (!HOP.has(k)) sendHeaders[k] = v;
    if (res.pump) {
      out.writeHead(res.status, sendHeaders);
      res.pump(out);
      return;
    }
    sendHeaders['content-length'] = String(res.body.length);
    out.writeHead(res.status, sendHeaders);
    out.end(req.method === 'HEAD' ? undefined : res.body);
  };

  const server: Server = createServer((inc, out) => {
    handle(inc, out).catch((err: unknown) => {
      if (!out.headersSent) {
        out.writeHead(502, { 'content-type': 'application/json' });
        out.end(JSON.stringify({ detail: `proxy: ${(err as Error).message}` }));
      } else out.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  ownOrigin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: ownOrigin + upstreamUrl.pathname.replace(/\/+$/, ''),
    use(f) {
      fault = f;
      memory = new Map();
      requests = 0;
    },
    get requests() {
      return requests;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await pool.destroy();
    },
  };
}

// ------------------------------------------------------------ body helpers

export function jsonOf(res: ProxyResponse): unknown {
  try {
    return JSON.parse(res.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The same response with a new JSON body. */
export function withJson(res: ProxyResponse, value: unknown, status = res.status): ProxyResponse {
  return { status, headers: { ...res.headers, 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(value)) };
}

export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): ProxyResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: Buffer.from(JSON.stringify(value)) };
}

/** The items of a list body, whether a bare array or a page `{results}`. */
export function itemsOf(body: unknown): Record<string, unknown>[] {
  if (Array.isArray(body)) return body as Record<string, unknown>[];
  const r = (body as { results?: unknown } | undefined)?.results;
  return Array.isArray(r) ? (r as Record<string, unknown>[]) : [];
}

/**
 * A transform that forwards, then edits the JSON body of the responses of
 * one operation (status 200 unless told). The editor changes the parsed body
 * in place or returns a replacement.
 */
export function editJson(operation: Operation, edit: (body: unknown, req: ProxyRequest, ctx: FaultContext) => unknown, when: (req: ProxyRequest, res: ProxyResponse) => boolean = (_q, r) => r.status === 200): Transform {
  return async (req, ctx) => {
    const res = await ctx.forward(req);
    if (req.operation !== operation || !when(req, res)) return res;
    const body = jsonOf(res);
    if (body === undefined) return res;
    const out = edit(body, req, ctx);
    return withJson(res, out === undefined ? body : out);
  };
}

/** Chains transforms: each one's `forward` goes through the next one, the last one's to the reference server. */
export function chain(...transforms: Transform[]): Transform {
  return (req, ctx) => {
    const step = (i: number, r: ProxyRequest): Promise<ProxyResponse> => {
      const t = transforms[i];
      return t ? t(r, { ...ctx, forward: (next) => step(i + 1, next) }) : ctx.forward(r);
    };
    return step(0, req);
  };
}

/** A response that resets the connection. */
export function resetConnection(): ProxyResponse {
  return { status: 0, headers: {}, body: Buffer.alloc(0), reset: true };
}

/**
 * A body that never ends, written as fast as the client reads it (with
 * backpressure), until the client goes away; `count` sees every chunk.
 */
export function endlessBody(chunk: Buffer, count: (bytes: number) => void = () => undefined): (out: ServerResponse) => void {
  return (out) => {
    let open = true;
    out.once('close', () => {
      open = false;
    });
    const pump = (): void => {
      while (open) {
        count(chunk.length);
        if (!out.write(chunk)) {
          out.once('drain', pump);
          return;
        }
      }
    };
    pump();
  };
}

/** A transform that edits each item of a list operation. */
export function editItems(operation: Operation, edit: (item: Record<string, unknown>, index: number) => void): Transform {
  return editJson(operation, (body) => {
    itemsOf(body).forEach((item, i) => {
      edit(item, i);
    });
  });
}

/** A transform that forwards, then rewrites whole responses of one operation. */
export function editResponse(operation: Operation, edit: (res: ProxyResponse, req: ProxyRequest, ctx: FaultContext) => ProxyResponse | Promise<ProxyResponse>, when: (req: ProxyRequest, res: ProxyResponse) => boolean = () => true): Transform {
  return async (req, ctx) => {
    const res = await ctx.forward(req);
    if (req.operation !== operation || !when(req, res)) return res;
    return edit(res, req, ctx);
  };
}

/** A transform that changes the request before it is forwarded. */
export function editRequest(when: (req: ProxyRequest) => boolean, edit: (req: ProxyRequest) => ProxyRequest): Transform {
  return (req, ctx) => ctx.forward(when(req) ? edit(req) : req);
}

/** The body of a request as JSON, or undefined. */
export function requestJson(req: ProxyRequest): unknown {
  try {
    return JSON.parse(req.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A GET of the main user, made by the proxy itself. */
export function mainGet(url: string): ProxyRequest {
  const base: ProxyRequest = {
    method: 'GET',
    url,
    pathname: '',
    segments: [],
    query: new URLSearchParams(),
    headers: { authorization: bearer('main'), accept: 'application/json' },
    body: Buffer.alloc(0),
    operation: 'other',
    caller: 'main',
    sentAuthorization: undefined,
  };
  return changed(base, {});
}

/** The termination reasons of the reference server, fetched once per fault. */
export async function reasonsOf(ctx: FaultContext): Promise<string[]> {
  const hit = ctx.memory.get('reasons');
  if (Array.isArray(hit)) return hit as string[];
  const res = await ctx.forward(mainGet('/api/v1/terminate_reason/'));
  const list = (jsonOf(res) as { terminate_reasons?: unknown } | undefined)?.terminate_reasons;
  const reasons = Array.isArray(list) ? list.map(String) : [];
  ctx.memory.set('reasons', reasons);
  return reasons;
}

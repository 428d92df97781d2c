/**
 * Faulty servers for the fuzz tests: an HTTP proxy in front of the reference
 * server that breaks one rule. Paths and queries are forwarded byte for byte
 * (undici's `path` is sent as is) and the Host header is kept, so the
 * reference server's `next` links point back at the proxy.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

export interface Incoming {
  method: string;
  /** raw path and query */
  url: string;
  /** raw path */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Outgoing {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type Forward = (req: Incoming) => Promise<Outgoing>;
export type Fault = (req: Incoming, forward: Forward) => Promise<Outgoing>;

export interface Faulty {
  baseUrl: string;
  close(): Promise<void>;
}

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade']);

async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function json(status: number, body: unknown): Outgoing {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(body)) };
}

/** Starts a proxy to `upstream` on 127.0.0.1, port 0, with `fault` in place (none: a pass-through). */
export async function startFaulty(upstream: string, fault?: Fault): Promise<Faulty> {
  const pool = new Pool(upstream, { connections: 16 });
  const forward: Forward = async (req) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
    const res = await pool.request({ method: req.method as 'GET', path: req.url, headers, body: req.body.length > 0 ? req.body : undefined });
    const body = Buffer.from(await res.body.arrayBuffer());
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP.has(k)) out[k] = Array.isArray(v) ? v.join(', ') : v;
    return { status: res.statusCode, headers: out, body };
  };
  const server = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const incoming: Incoming = {
        method: req.method ?? 'GET',
        url,
        path: q < 0 ? url : url.slice(0, q),
        query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
        headers,
        body: await read(req),
      };
      let out: Outgoing;
      try {
        out = fault ? await fault(incoming, forward) : await forward(incoming);
      } catch (err) {
        out = json(502, { detail: `proxy: ${(err as Error).message}` });
      }
      res.writeHead(out.status, { ...out.headers, 'content-length': String(out.body.length) });
      res.end(out.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.destroy();
    },
  };
}

// ------------------------------------------------------------ the faults

const isList = (req: Incoming, path: string): boolean => req.method === 'GET' && req.path === path;

/** 500 when a `page_size` value holds a character outside ASCII. */
export const pageSizeUnicode500: Fault = async (req, forward) => {
  if (req.query.getAll('page_size').some((v) => /[^\x00-\x7f]/.test(v))) return json(500, { detail: 'Internal server error.' });
  return forward(req);
};

/** 500 when the order requests are filtered by an order_reference longer than 100 characters. */
export const longReference500: Fault = async (req, forward) => {
  if (isList(req, '/api/v1/order_request/') && req.query.getAll('order_reference').some((v) => v.length > 100)) {
    return json(500, { detail: 'value too long for type character varying(100)' });
  }
  return forward(req);
};

/** The order requests list ignores its `action` filter. */
export const actionFilterIgnored: Fault = async (req, forward) => {
  if (!isList(req, '/api/v1/order_request/') || !req.query.has('action')) return forward(req);
  const query = new URLSearchParams(req.query);
  query.delete('action');
  const rest = query.toString();
  return forward({ ...req, url: rest ? `${req.path}?${rest}` : req.path, query });
};

/** Every order list page after the first starts with the last order of the page before (one order is lost). */
export const pageRepeatsLastRow: Fault = async (req, forward) => {
  const page = Number(req.query.get('page') ?? '1');
  const out = await forward(req);
  if (!isList(req, '/api/v1/order/') || !(page > 1) || out.status !== 200) return out;
  const query = new URLSearchParams(req.query);
  query.set('page', String(page - 1));
  const before = await forward({ ...req, url: `${req.path}?${query.toString()}`, query });
  const prev = JSON.parse(before.body.toString()) as { results: unknown[] };
  const body = JSON.parse(out.body.toString()) as { results: unknown[] };
  if (body.results.length > 0 && prev.results.length > 0) body.results[0] = prev.results[prev.results.length - 1];
  return json(200, body);
};

/**
 * A termination whose reason is a string not in the list is accepted: the
 * reason is swapped for a listed one, so the reference server records it and
 * answers 201.
 */
export function invalidReasonAccepted(listed: string): Fault {
  return async (req, forward) => {
    if (req.method !== 'POST' || !/^\/api\/v1\/order\/[^/]+\/terminate\/$/.test(req.path)) return forward(req);
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString());
    } catch {
      return forward(req);
    }
    const b = body as { reason?: unknown } | null;
    if (!b || typeof b !== 'object' || Array.isArray(b) || typeof b.reason !== 'string') return forward(req);
    return forward({ ...req, body: Buffer.from(JSON.stringify({ ...b, reason: listed })) });
  };
}

/** Every answer comes `ms` late. */
export function slow(ms: number): Fault {
  return async (req, forward) => {
    await sleep(ms);
    return forward(req);
  };
}

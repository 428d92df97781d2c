/**
 * The harness's own guarantees, against a real server on 127.0.0.1: every
 * exchange ends at its deadline and frees its slot even when undici never
 * settles it, and a deadline measures the target, not the kit (an answer that
 * arrived while the kit's event loop was busy is read, not called a timeout).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../../src/harness/http.ts';

let server: Server;
let baseUrl: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

function harness(timeoutMs: number, concurrency = 1): Harness {
  return new Harness({ baseUrl, timeoutMs, concurrency, maxBodyBytes: 1 << 20, budget: 1000, tokens: {}, breakerThreshold: 100 });
}

describe('the harness', () => {
  it('an exchange undici never settles ends at its deadline and frees its slot (one connection, three such requests, then a normal one)', async () => {
    const h = harness(200);
    const pool = (h as unknown as { pool: { request: (...a: unknown[]) => Promise<unknown> } }).pool;
    const real = pool.request.bind(pool);
    pool.request = () => new Promise(() => undefined);
    try {
      const t0 = performance.now();
      const stuck = await Promise.all([h.request({ path: '/a' }), h.request({ path: '/b' }), h.request({ path: '/c' })]);
      // one slot: the three waited their turn, 200 ms each at most
      expect(performance.now() - t0).toBeLessThan(2_000);
      for (const ex of stuck) expect(ex.error?.code).toBe('timeout');
      pool.request = real;
      const ok = await h.request({ path: '/d' });
      expect(ok.status).toBe(200);
    } finally {
      await h.close();
    }
  }, 10_000);

  it('an answer that came while the kit was busy (the event loop blocked past the deadline) is read, not called a timeout', async () => {
    const h = harness(200, 4);
    try {
      const pending = Promise.all([1, 2, 3, 4].map((i) => h.request({ path: `/${i}` })));
      // the kit's own CPU: 600 ms of judging, three deadlines' worth, during which the answers arrive
      const until = Date.now() + 600;
      while (Date.now() < until) {
        // busy
      }
      const exs = await pending;
      expect(exs.map((e) => e.status ?? e.error?.message)).toEqual([200, 200, 200, 200]);
    } finally {
      await h.close();
    }
  });

  it('a relative reference that is not a path is refused before it is sent, with the reason, and takes no slot', async () => {
    const h = harness(200);
    try {
      const ex = await h.request({ path: '?page=2' });
      expect(ex.status).toBeUndefined();
      expect(ex.error?.message).toMatch(/not a path: "\?page=2" \(a relative link is resolved against its page first\)/);
      expect(h.requests).toBe(0);
      expect((await h.request({ path: '/ok' })).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('tokens from a source that run out under concurrency (40 uses each, 16 in flight, 20 ms answers): every request is answered, no refusal is counted against the credential, and the source is asked once per token that ran out', async () => {
    const uses = new Map<string, number>();
    const slow = createServer((req, res) => {
      req.resume();
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const n = (uses.get(token) ?? 0) + 1;
      uses.set(token, n);
      setTimeout(() => {
        const ok = token.startsWith('tok-') && n <= 40;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        res.end(ok ? '{}' : '{"detail":"Token expired."}');
      }, 20);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
    let issued = 0;
    const source = { name: '--token-command', current: async () => `tok-${issued || ++issued}`, refresh: async () => `tok-${++issued}` };
    const h = new Harness({ baseUrl: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`, timeoutMs: 2_000, concurrency: 16, maxBodyBytes: 1 << 20, budget: 10_000, tokens: {}, tokenSources: { main: source }, breakerThreshold: 100 });
    h.credentialProbe = '/probe';
    try {
      const exs = await Promise.all(Array.from({ length: 300 }, (_, i) => h.request({ path: `/o/${i}` })));
      expect(h.incomplete).toBeUndefined();
      expect(exs.filter((e) => e.status !== 200).map((e) => `${e.url} ${e.status ?? e.error?.message}`)).toEqual([]);
      // a token serves 40 requests: 300 requests need 8 or so, not one per request refused in flight
      expect(issued).toBeLessThanOrEqual(12);
    } finally {
      await h.close();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  }, 30_000);
});

/**
 * Harness.stream() passes through the same policies as request(): a slot of
 * the limiter, the 429 backoff, the breaker. One small server on 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Harness } from '../../src/harness/http.ts';

async function serve(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const drain = async (body: AsyncIterable<Buffer>) => {
  let n = 0;
  for await (const b of body) n += b.length;
  return n;
};

describe('a stream goes through the harness policies', () => {
  it('waits out a 429 like a request, and holds a slot of the limiter (one in flight with --concurrency 1)', async () => {
    let inFlight = 0;
    let peak = 0;
    let downloads = 0;
    const target = await serve((req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        if (req.url === '/csv' && downloads++ === 0) {
          res.writeHead(429, { 'retry-after': '0' }).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/csv' }).end('a,b\r\n1,2\r\n');
      }, 20);
    });
    const waits: number[] = [];
    const h = new Harness({ baseUrl: target.url, timeoutMs: 2000, concurrency: 1, maxBodyBytes: 1 << 20, budget: 100, tokens: { main: 't' }, sleep: async (ms) => void waits.push(ms) });
    try {
      const [streamed, ...others] = await Promise.all([h.stream({ path: '/csv' }, 2000, drain), h.request({ path: '/a' }), h.request({ path: '/b' })]);
      expect(streamed.ex.status).toBe(200);
      expect(streamed.result).toBe(10);
      expect(waits).toEqual([100]);
      expect(others.map((e) => e.status)).toEqual([200, 200]);
      expect(peak).toBe(1);
      expect(h.requests).toBe(4);
    } finally {
      await h.close();
      await target.close();
    }
  });

  it('a stream that finds no answer counts against the breaker', async () => {
    const target = await serve((req) => req.socket.destroy());
    const h = new Harness({ baseUrl: target.url, timeoutMs: 2000, concurrency: 2, maxBodyBytes: 1 << 20, budget: 100, tokens: { main: 't' }, breakerThreshold: 2 });
    try {
      await h.stream({ path: '/csv' }, 2000, drain);
      await h.stream({ path: '/csv' }, 2000, drain);
      expect(h.unavailable).toMatch(/failed 2 requests in a row/);
      const after = await h.stream({ path: '/csv' }, 2000, drain);
      expect(after.ex.error?.code).toBe('unavailable');
    } finally {
      await h.close();
      await target.close();
    }
  });
});

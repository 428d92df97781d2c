/**
 * The reference server cannot be held down by its clients: a JSON nesting
 * bomb in a POST body is a 400 (never a 500), clients that never finish
 * their requests hold a bounded number of sockets for a bounded time while a
 * normal client is answered at once, and what writes create is bounded
 * (oldest pruned, counted) so memory comes back after 30,000 product orders.
 */
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../mock/app.ts';
import { DEMO_TOKENS, resolveOptions, startMock, type RunningMock } from '../../mock/index.ts';
import { loadModel } from '../../mock/model.ts';
import { Store } from '../../mock/store.ts';
import { loadSpec } from '../../src/contract/load.ts';

const AUTH = { authorization: `Bearer ${DEMO_TOKENS.customerA_user1}`, 'content-type': 'application/json' };

describe('a JSON nesting bomb in a POST body', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startMock({ seed: 5, orders: 12 });
  });
  afterAll(async () => {
    await mock?.close();
  });

  it.each([
    ['product order, 10 KB', '/api/v1/product_order/', 5_000],
    ['product order, 60 KB', '/api/v1/product_order/', 30_000],
    ['termination, 60 KB', '/api/v1/order/CMD_X_00000001/terminate/', 30_000],
  ])('%s: 400 naming the depth, not 500', async (_what, path, levels) => {
    const body = `{"external_id":"bomb","reason":${'['.repeat(levels)}${']'.repeat(levels)}}`;
    const res = await fetch(mock.baseUrl + path, { method: 'POST', headers: AUTH, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/nests deeper than 64 levels/);
  });

  it('a body of ordinary depth is still judged on its content (400 from validation, 201 when valid)', async () => {
    const bad = await fetch(`${mock.baseUrl}/api/v1/product_order/`, { method: 'POST', headers: AUTH, body: '{"external_id":[[["x"]]]}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).not.toMatch(/nests deeper/);
  });
});

describe('clients that never finish their requests', () => {
  it('500 slow bodies from one address and a normal client at once: the normal client is answered within 1 s; the slow ones are capped and cut', async () => {
    const mock = await startMock({ seed: 5, orders: 12, requestTimeoutMs: 1_500, maxConnectionsPerClient: 100 });
    const port = Number(new URL(mock.baseUrl).port);
    const slow: Socket[] = [];
    let closed = 0;
    try {
      await Promise.all(
        Array.from(
          { length: 500 },
          () =>
            new Promise<void>((resolve) => {
              // another loopback address: the cap is per client address
              const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' }, () => {
                s.write(`POST /api/v1/product_order/ HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH.authorization}\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{"external_id":`);
                resolve();
              });
              // read, so that the server's close is seen
              s.resume();
              s.on('error', () => resolve());
              s.on('close', () => {
                closed++;
              });
              slow.push(s);
            }),
        ),
      );
      const t0 = performance.now();
      const res = await fetch(`${mock.baseUrl}/api/v1/terminate_reason/`, { headers: AUTH });
      const ms = performance.now() - t0;
      expect(res.status).toBe(200);
      expect(ms).toBeLessThan(1_000);
      // past the cap of 100 the server closed the connections at once (a body under the size limit: held, not refused)
      await new Promise((r) => setTimeout(r, 200));
      expect(closed).toBeGreaterThanOrEqual(400);
      // and the 100 it kept are cut once the request timeout passes (checked every second)
      await new Promise((r) => setTimeout(r, 3_500));
      expect(closed).toBe(500);
    } finally {
      for (const s of slow) s.destroy();
      await mock.close();
    }
  }, 20_000);
});

describe('what writes create is bounded', () => {
  it('bounds to 10,000 of each by default', () => {
    expect(resolveOptions({}).maxCreated).toBe(10_000);
  });

  // each created product order and its order hold about 3.5 KiB: unbounded, 30,000 of them keep 63 MiB of heap
  it('30,000 product orders, bounded to 2,000: the newest 2,000 kept, 28,000 counted as pruned, the heap within 20 MiB of where it started', async () => {
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const o = resolveOptions({ seed: 9, orders: 12, maxCreated: 2_000 });
    const store = new Store(loadModel(), o);
    const app = await buildApp(loadModel(), store, o);
    try {
      gc();
      const before = process.memoryUsage().heapUsed;
      // the documentation's own product order (what the kit sends)
      const example = (loadSpec().doc.components as { examples: Record<string, { value: Record<string, unknown> }> }).examples.ProductOrderCreate?.value;
      const payload = JSON.stringify({ ...example, external_id: 'bounded' });
      let created = 0;
      for (let i = 0; i < 30_000; i++) {
        const res = await app.inject({ method: 'POST', url: '/api/v1/product_order/', headers: AUTH, payload });
        if (res.statusCode === 201) created++;
      }
      expect(created).toBe(30_000);
      const counts = store.counts();
      expect(counts.productOrders).toBe(2_000);
      expect(counts.pruned.productOrders).toBe(28_000);
      expect(counts.createdOrders).toBe(2_000);
      gc();
      const grown = process.memoryUsage().heapUsed - before;
      expect(grown).toBeLessThan(20 * 1024 * 1024);
    } finally {
      await app.close();
    }
  }, 60_000);
});

/**
 * 100,000 seeded orders: the server starts (data is generated on demand) and
 * serves list pages anywhere in the list, details, histories and filtered
 * request lists. Times are printed, not asserted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { A1, B1, call, startServer, type Server } from './helpers.ts';

let s: Server | undefined;
afterAll(async () => {
  await s?.close();
});

describe('100,000 orders', () => {
  it('starts and serves a list page, a detail, a history and the request lists', async () => {
    const t0 = performance.now();
    s = await startServer({ orders: 100_000 });
    const started = performance.now() - t0;
    const timed = async (label: string, f: () => Promise<unknown>) => {
      const t = performance.now();
      await f();
      return `${label} ${Math.round(performance.now() - t)} ms`;
    };
    const server = s;
    const lines = [`start ${Math.round(started)} ms`];
    let count = 0;
    lines.push(
      await timed('first page', async () => {
        const r = await call(server.baseUrl, 'GET', '/api/v1/order/', { token: A1, op: 'listOrders' });
        count = r.json.count;
        expect(r.json.results).toHaveLength(100);
      }),
    );
    expect(count).toBe(75_000);
    lines.push(
      await timed('page 60 of 1000 rows', async () => {
        const r = await call(server.baseUrl, 'GET', '/api/v1/order/?page=60&page_size=1000', { token: A1, op: 'listOrders' });
        expect(r.json.results).toHaveLength(1000);
        expect(r.json.results[0].order_reference).toBe('CMD_X_00078667');
      }),
    );
    lines.push(
      await timed('last page', async () => {
        const r = await call(server.baseUrl, 'GET', '/api/v1/order/?page=750', { token: A1, op: 'listOrders' });
        expect(r.json.next).toBeNull();
        expect(r.json.results.at(-1).order_reference).toBe('CMD_X_00099999');
      }),
    );
    lines.push(
      await timed('detail and history', async () => {
        expect((await call(server.baseUrl, 'GET', '/api/v1/order/CMD_X_00099999/', { token: A1, op: 'getOrder' })).status).toBe(200);
        expect((await call(server.baseUrl, 'GET', '/api/v1/order/CMD_X_00100000/historic/', { token: B1, op: 'getOrderHistory' })).status).toBe(200);
        expect((await call(server.baseUrl, 'GET', '/api/v1/order/CMD_X_00100000/', { token: A1, op: 'getOrder' })).status).toBe(404);
      }),
    );
    lines.push(
      await timed('requests, last page filtered by action', async () => {
        const first = await call(server.baseUrl, 'GET', `/api/v1/order_request/?action=${encodeURIComponent('Résiliation')}&page_size=1000`, { token: A1, op: 'listOrderRequests' });
        const last = Math.ceil(first.json.count / 1000);
        const r = await call(server.baseUrl, 'GET', `/api/v1/order_request/?action=${encodeURIComponent('Résiliation')}&page_size=1000&page=${last}`, { token: A1, op: 'listOrderRequests' });
        expect(r.json.next).toBeNull();
        expect(r.json.results.length).toBeGreaterThan(0);
        for (const row of r.json.results) expect(row.action).toBe('Résiliation');
      }),
    );
    console.log(`100,000 orders: ${lines.join(', ')}`);
  });
});

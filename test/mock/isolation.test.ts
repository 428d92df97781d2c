/**
 * Tenancy: each demo user reads none of the other customer's orders,
 * histories, documents, files, requests, product orders or exports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A1, A2, B1, allOrders, call, productOrderBody, startServer, type Server } from './helpers.ts';

let s: Server;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s.close();
});

const customers = [
  { name: 'customer A (user 1)', token: A1, others: [B1] },
  { name: 'customer A (user 2)', token: A2, others: [B1] },
  { name: 'customer B', token: B1, others: [A1, A2] },
];

describe('isolation between customers', () => {
  it('the two customers see disjoint, non-empty order lists; both users of A see the same list', async () => {
    const a1 = (await allOrders(s.baseUrl, A1)).map((o) => o.order_reference);
    const a2 = (await allOrders(s.baseUrl, A2)).map((o) => o.order_reference);
    const b = (await allOrders(s.baseUrl, B1)).map((o) => o.order_reference);
    expect(a1.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(a2).toEqual(a1);
    expect(a1.filter((r) => b.includes(r))).toEqual([]);
  });

  for (const c of customers) {
    it(`${c.name} reads nothing of the other customer`, async () => {
      const mine = new Set((await allOrders(s.baseUrl, c.token)).map((o) => o.order_reference));
      for (const other of c.others) {
        const theirs = await allOrders(s.baseUrl, other);
        for (const o of theirs) {
          const ref = o.order_reference as string;
          expect(mine.has(ref)).toBe(false);
          const opts = { token: c.token };
          for (const [path, op] of [
            [`/api/v1/order/${ref}/`, 'getOrder'],
            [`/api/v1/order/${ref}/historic/`, 'getOrderHistory'],
            [`/api/v1/order/${ref}/documents/`, 'listOrderDocuments'],
            [`/api/v1/order/${ref}/${ref}_1.pdf/download/`, 'downloadOrderDocument'],
          ] as const) {
            const r = await call(s.baseUrl, 'GET', path, { ...opts, op });
            expect(r.status, path).toBe(404);
            expect(r.text).not.toContain(ref);
          }
          const reqs = await call(s.baseUrl, 'GET', `/api/v1/order_request/?order_reference=${ref}`, { ...opts, op: 'listOrderRequests' });
          expect(reqs.json.count).toBe(0);
          const act = await call(s.baseUrl, 'POST', `/api/v1/order/${ref}/terminate/`, { ...opts, body: { reason: "Cessation d'activité" }, op: 'requestOrderAction' });
          expect(act.status).toBe(404);
        }
      }
      // no row of the unfiltered request list belongs to an order outside the customer's list
      let path: string | null = '/api/v1/order_request/?page_size=1000';
      while (path) {
        const r = await call(s.baseUrl, 'GET', path, { token: c.token, op: 'listOrderRequests' });
        for (const row of r.json.results) expect(mine.has(row.order_reference), row.order_reference).toBe(true);
        path = r.json.next ? new URL(r.json.next).pathname + new URL(r.json.next).search : null;
      }
    });
  }

  it("product orders and export tasks are their owner's only", async () => {
    const po = await call(s.baseUrl, 'POST', '/api/v1/product_order/', { token: A1, body: productOrderBody('iso'), op: 'createProductOrder' });
    expect((await call(s.baseUrl, 'GET', `/api/v1/product_order/${po.json.id}/`, { token: A2, op: 'getProductOrder' })).status).toBe(200);
    expect((await call(s.baseUrl, 'GET', `/api/v1/product_order/${po.json.id}/`, { token: B1, op: 'getProductOrder' })).status).toBe(404);
    s.clock.advance(10_000);
    const ref = (await call(s.baseUrl, 'GET', `/api/v1/product_order/${po.json.id}/`, { token: A1, op: 'getProductOrder' })).json.product_order_item[0].order_reference;
    expect((await call(s.baseUrl, 'GET', `/api/v1/order/${ref}/`, { token: A2, op: 'getOrder' })).status).toBe(200);
    expect((await call(s.baseUrl, 'GET', `/api/v1/order/${ref}/`, { token: B1, op: 'getOrder' })).status).toBe(404);
    expect((await allOrders(s.baseUrl, B1)).map((o) => o.order_reference)).not.toContain(ref);

    const task = (await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { token: B1, op: 'startOrderExport' })).json.task_id;
    s.clock.advance(1000);
    for (const token of [A1, A2]) {
      expect((await call(s.baseUrl, 'GET', `/api/v1/order/export/${task}/status/`, { token, op: 'getOrderExportStatus' })).status).toBe(404);
      expect((await call(s.baseUrl, 'GET', `/api/v1/order/export/${task}/download/`, { token, op: 'downloadOrderExport' })).status).toBe(404);
    }
    const csv = await call(s.baseUrl, 'GET', `/api/v1/order/export/${task}/download/`, { token: B1, op: 'downloadOrderExport' });
    for (const o of await allOrders(s.baseUrl, A1)) expect(csv.text).not.toContain(o.order_reference);
  });
});

/**
 * The export: one per user per window (100 concurrent starts, exactly one
 * accepted), per-user scope, a new window after the old one, task status on
 * the clock, and a streamed CSV that agrees with the order list.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A1, A2, B1, allOrders, call, spec, startServer, type Server } from './helpers.ts';

const WINDOW_S = 300;

describe('export rate limit', () => {
  let s: Server;
  beforeAll(async () => {
    s = await startServer({ exportWindowS: WINDOW_S });
  });
  afterAll(async () => {
    await s.close();
  });

  it('100 concurrent starts by one user: exactly one 202, 99 × 429 with Retry-After; a colleague and the other customer are not blocked; a new window accepts again', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, () => call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { token: A1, op: 'startOrderExport' })));
    const accepted = answers.filter((r) => r.status === 202);
    const limited = answers.filter((r) => r.status === 429);
    expect(accepted).toHaveLength(1);
    expect(limited).toHaveLength(99);
    for (const r of limited) {
      expect(r.headers['retry-after']).toMatch(/^[0-9]+$/);
      expect(Number(r.headers['retry-after'])).toBe(WINDOW_S);
      expect(typeof r.json.detail).toBe('string');
    }
    expect((await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { token: A2, op: 'startOrderExport' })).status).toBe(202);
    expect((await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { token: B1, op: 'startOrderExport' })).status).toBe(202);

    s.clock.advance(120_500);
    const later = await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { token: A1, op: 'startOrderExport' });
    expect(later.status).toBe(429);
    expect(later.headers['retry-after']).toBe('180');

    s.clock.advance(179_500);
    const again = await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { token: A1, op: 'startOrderExport' });
    expect(again.status).toBe(202);
    expect(again.json.task_id).not.toBe(accepted[0]?.json.task_id);
    expect((await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { token: A1, op: 'startOrderExport' })).status).toBe(429);
  });
});

describe('export task and file', () => {
  let s: Server;
  beforeAll(async () => {
    s = await startServer({ exportMs: 300 });
  });
  afterAll(async () => {
    await s.close();
  });

  it('status is null until exportMs has passed, then true with started and stopped; download before success is 404', async () => {
    const start = await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { token: A1, op: 'startOrderExport' });
    const id = start.json.task_id as string;
    const running = await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/status/`, { token: A1, op: 'getOrderExportStatus' });
    expect(running.json).toEqual({ task_id: id, success: null, started: expect.any(String), stopped: null });
    expect((await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/download/`, { token: A1, op: 'downloadOrderExport' })).status).toBe(404);
    s.clock.advance(299);
    expect((await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/status/`, { token: A1, op: 'getOrderExportStatus' })).json.success).toBeNull();
    s.clock.advance(1);
    const done = await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/status/`, { token: A1, op: 'getOrderExportStatus' });
    expect(done.json.success).toBe(true);
    expect(Date.parse(done.json.stopped)).toBeGreaterThanOrEqual(Date.parse(done.json.started));
  });

  it("a colleague's, another customer's and an unknown task answer 404 on status and download", async () => {
    s.clock.advance(WINDOW_S * 1000);
    const id = (await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { token: A1, op: 'startOrderExport' })).json.task_id as string;
    s.clock.advance(1000);
    for (const token of [A2, B1]) {
      expect((await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/status/`, { token, op: 'getOrderExportStatus' })).status).toBe(404);
      expect((await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/download/`, { token, op: 'downloadOrderExport' })).status).toBe(404);
    }
    for (const unknown of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '..', '%2e%2e']) {
      expect((await call(s.baseUrl, 'GET', `/api/v1/order/export/${unknown}/status/`, { token: A1, op: 'getOrderExportStatus' })).status).toBe(404);
      expect((await call(s.baseUrl, 'GET', `/api/v1/order/export/${unknown}/download/`, { token: A1, op: 'downloadOrderExport' })).status).toBe(404);
    }
  });

  it('the CSV has a header with the 18 list fields in spec order, one row per visible order, states as the list has them', async () => {
    // move one order so the file must reflect the clock
    const active = (await allOrders(s.baseUrl, B1)).find((o) => o.state === 'active');
    await call(s.baseUrl, 'POST', `/api/v1/order/${active.order_reference}/terminate/`, { token: B1, body: { reason: "Cessation d'activité" }, op: 'requestOrderAction' });
    const id = (await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { token: B1, op: 'startOrderExport' })).json.task_id as string;
    s.clock.advance(1000);
    const file = await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/download/`, { token: B1, op: 'downloadOrderExport' });
    expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parse(file.text, { columns: false }) as string[][];
    const header = rows.shift();
    expect(header).toEqual(Object.keys((spec.schemas.OrderSummary as { properties: object }).properties));
    const list = await allOrders(s.baseUrl, B1);
    expect(rows).toHaveLength(list.length);
    const fields = header as string[];
    rows.forEach((row, i) => {
      const o = list[i];
      expect(row[fields.indexOf('order_reference')]).toBe(o.order_reference);
      expect(row[fields.indexOf('state')]).toBe(o.state);
      expect(row[fields.indexOf('end_customer_name')]).toBe(o.end_customer_name);
      expect(row[fields.indexOf('cancellation_date')]).toBe(o.cancellation_date ?? '');
    });
    expect(rows.find((r) => r[fields.indexOf('order_reference')] === active.order_reference)?.[fields.indexOf('state')]).toBe('terminated');
  });
});

describe('export of 100,000 orders', () => {
  let s: Server;
  beforeAll(async () => {
    s = await startServer({ orders: 100_000 });
  });
  afterAll(async () => {
    await s.close();
  });

  it('streams one row per order of the customer without holding the file', async () => {
    const id = (await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { token: B1, op: 'startOrderExport' })).json.task_id as string;
    s.clock.advance(1000);
    const t0 = performance.now();
    const { request } = await import('undici');
    const r = await request(`${s.baseUrl}/api/v1/order/export/${id}/download/`, { headers: { authorization: `Bearer ${B1}` } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-length'], 'streamed, not buffered').toBeUndefined();
    let lines = 0;
    let bytes = 0;
    for await (const chunk of r.body) {
      const b = chunk as Buffer;
      bytes += b.length;
      for (let i = 0; i < b.length; i++) if (b[i] === 10) lines++;
    }
    const count = (await call(s.baseUrl, 'GET', '/api/v1/order/?page_size=1', { token: B1, op: 'listOrders' })).json.count as number;
    expect(lines).toBe(count + 1);
    console.log(`export: ${count} orders, ${(bytes / 1048576).toFixed(1)} MiB in ${Math.round(performance.now() - t0)} ms`);
  });
});

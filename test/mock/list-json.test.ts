/**
 * The order list is composed from per-order cached JSON (mock/app.ts,
 * pageJson): it must be byte for byte what JSON.stringify of the page gives,
 * and the same on a second read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A1, call, startServer, type Server } from './helpers.ts';

describe('the order list as JSON text', () => {
  let s: Server;
  beforeAll(async () => {
    s = await startServer({ orders: 120 });
  });
  afterAll(async () => {
    await s.close();
  });

  it('is what JSON.stringify of the parsed page gives, read after read', async () => {
    for (const query of ['', '?page=2&page_size=7', '?page_size=1000']) {
      const first = await call(s.baseUrl, 'GET', `/api/v1/order/${query}`, { op: 'listOrders', token: A1 });
      const again = await call(s.baseUrl, 'GET', `/api/v1/order/${query}`, { op: 'listOrders', token: A1 });
      expect(first.status).toBe(200);
      expect(first.text).toBe(JSON.stringify(JSON.parse(first.text)));
      expect(again.text).toBe(first.text);
      expect(first.json.results.length).toBeGreaterThan(0);
    }
  });
});

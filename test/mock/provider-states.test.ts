/**
 * The Pact provider-state hook: off by default, never under /api/v1/, each
 * sentence resets the data to the seed then sets its state and hands back the
 * values it set; unknown states answer 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeHistory } from '../../src/contract/lifecycle.ts';
import { PROVIDER_STATES } from '../../mock/index.ts';
import { A1, A2, B1, allOrders, call, lc, productOrderBody, startServer, type Server } from './helpers.ts';

let s: Server;
beforeAll(async () => {
  s = await startServer({ providerStates: true });
});
afterAll(async () => {
  await s.close();
});

const hook = (state: string, params?: Record<string, unknown>, action: 'setup' | 'teardown' = 'setup') => call(s.baseUrl, 'POST', '/_pact/provider-states', { token: null, body: { state, params, action }, op: 'none' });

describe('provider states', () => {
  it('implements exactly the seven sentences of the Pact author', () => {
    expect(PROVIDER_STATES).toEqual([
      'an active order {order_reference} exists',
      'an order {order_reference} in state {state} exists',
      'no order {order_reference} exists',
      'user {user} has not exported recently',
      'user {user} has just exported',
      'a finished export {task_id} exists for user {user}',
      'order {order_reference} has a termination request',
    ]);
  });

  it('is off unless enabled', async () => {
    const off = await startServer();
    try {
      const r = await call(off.baseUrl, 'POST', '/_pact/provider-states', { token: null, body: { state: 'no order {order_reference} exists', params: { order_reference: 'X' } }, op: 'none' });
      expect(r.status).toBe(404);
    } finally {
      await off.close();
    }
  });

  it('an active order {order_reference} exists: customer A, a legal full history, a BDC <ref>_1.pdf', async () => {
    const r = await hook('an active order {order_reference} exists', { order_reference: 'CMD_X_00009444' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ order_reference: 'CMD_X_00009444', filename: 'CMD_X_00009444_1.pdf' });
    const detail = await call(s.baseUrl, 'GET', '/api/v1/order/CMD_X_00009444/', { op: 'getOrder' });
    expect(detail.json.state).toBe('active');
    const history = (await call(s.baseUrl, 'GET', '/api/v1/order/CMD_X_00009444/historic/', { op: 'getOrderHistory' })).json.results;
    expect(judgeHistory(lc, history)).toEqual([]);
    expect(history.filter((h: { state: string }) => lc.steps.includes(h.state))).toHaveLength(lc.steps.length);
    const pdf = await call(s.baseUrl, 'GET', '/api/v1/order/CMD_X_00009444/CMD_X_00009444_1.pdf/download/', { op: 'downloadOrderDocument' });
    expect(pdf.buf.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await call(s.baseUrl, 'GET', '/api/v1/order/CMD_X_00009444/', { token: B1, op: 'getOrder' })).status).toBe(404);
    // and it can be terminated, as the pact expects
    const t = await call(s.baseUrl, 'POST', '/api/v1/order/CMD_X_00009444/terminate/', { body: { reason: "Cessation d'activité" }, op: 'requestOrderAction' });
    expect(t.status).toBe(201);
  });

  it('takes the value written in the sentence itself when params are absent', async () => {
    const r = await hook('an active order CMD_X_12345678 exists');
    expect(r.json.order_reference).toBe('CMD_X_12345678');
    expect((await call(s.baseUrl, 'GET', '/api/v1/order/CMD_X_12345678/', { op: 'getOrder' })).json.state).toBe('active');
  });

  it('an order {order_reference} in state {state} exists, for every state', async () => {
    for (const state of lc.order.states) {
      const r = await hook('an order {order_reference} in state {state} exists', { order_reference: 'CMD_X_00005342', state });
      expect(r.status, state).toBe(200);
      expect((await call(s.baseUrl, 'GET', '/api/v1/order/CMD_X_00005342/', { op: 'getOrder' })).json.state).toBe(state);
      const history = (await call(s.baseUrl, 'GET', '/api/v1/order/CMD_X_00005342/historic/', { op: 'getOrderHistory' })).json.results;
      expect(judgeHistory(lc, history), state).toEqual([]);
    }
    expect((await hook('an order {order_reference} in state {state} exists', { order_reference: 'CMD_X_00005342', state: 'sleeping' })).status).toBe(400);
  });

  it('no order {order_reference} exists, for a seeded reference too', async () => {
    const r = await hook('no order {order_reference} exists', { order_reference: 'CMD_X_00000001' });
    expect(r.status).toBe(200);
    expect((await call(s.baseUrl, 'GET', '/api/v1/order/CMD_X_00000001/', { op: 'getOrder' })).status).toBe(404);
    expect((await allOrders(s.baseUrl, A1)).map((o) => o.order_reference)).not.toContain('CMD_X_00000001');
  });

  it('user {user} has not exported recently / has just exported', async () => {
    expect((await hook('user {user} has just exported', { user: 'customerA_user1' })).json.task_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { op: 'startOrderExport' })).status).toBe(429);
    expect((await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { token: A2, op: 'startOrderExport' })).status).toBe(202);
    expect((await hook('user {user} has not exported recently', { user: 'customerA_user1' })).status).toBe(200);
    expect((await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { op: 'startOrderExport' })).status).toBe(202);
    expect((await hook('user {user} has just exported', { user: 'nobody' })).status).toBe(400);
  });

  it('a finished export {task_id} exists for user {user}', async () => {
    const id = '550e8400-e29b-41d4-a716-446655440000';
    const r = await hook('a finished export {task_id} exists for user {user}', { task_id: id, user: 'customerA_user1' });
    expect(r.json).toEqual({ task_id: id, user: 'customerA_user1' });
    const status = await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/status/`, { op: 'getOrderExportStatus' });
    expect(status.json.success).toBe(true);
    const file = await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/download/`, { op: 'downloadOrderExport' });
    expect(file.text.split('\r\n')[0]).toMatch(/^modification_date,order_reference,/);
    expect((await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/status/`, { token: A2, op: 'getOrderExportStatus' })).status).toBe(404);
    // the user may still export: a finished task does not hold the window
    expect((await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { op: 'startOrderExport' })).status).toBe(202);
    expect((await hook('a finished export {task_id} exists for user {user}', { task_id: 'nope', user: 'customerA_user1' })).status).toBe(400);
  });

  it('order {order_reference} has a termination request', async () => {
    const r = await hook('order {order_reference} has a termination request', { order_reference: 'CMD_X_00009444' });
    expect(r.json).toMatchObject({ order_reference: 'CMD_X_00009444', action: 'Résiliation', request_id: expect.any(String) });
    const rows = await call(s.baseUrl, 'GET', `/api/v1/order_request/?order_reference=CMD_X_00009444&action=${encodeURIComponent('Résiliation')}`, { op: 'listOrderRequests' });
    expect(rows.json.results).toEqual([expect.objectContaining({ id: r.json.request_id, order_reference: 'CMD_X_00009444', action: 'Résiliation' })]);
    const history = (await call(s.baseUrl, 'GET', '/api/v1/order/CMD_X_00009444/historic/', { op: 'getOrderHistory' })).json.results;
    expect(judgeHistory(lc, history)).toEqual([]);
    expect(history.map((h: { state: string }) => h.state)).toContain('active');
  });

  it('setup resets to the seed: earlier changes, product orders and tasks are gone', async () => {
    const po = await call(s.baseUrl, 'POST', '/api/v1/product_order/', { body: productOrderBody('gone'), op: 'createProductOrder' });
    await hook('user {user} has not exported recently', { user: 'customerB_user1' });
    expect((await call(s.baseUrl, 'GET', `/api/v1/product_order/${po.json.id}/`, { op: 'getProductOrder' })).status).toBe(404);
    expect((await call(s.baseUrl, 'GET', '/api/v1/order/CMD_X_00009444/', { op: 'getOrder' })).status).toBe(404);
  });

  it('teardown answers 200 and changes nothing; unknown or malformed states answer 400', async () => {
    await hook('an active order {order_reference} exists', { order_reference: 'CMD_X_00000777' });
    const down = await hook('an active order {order_reference} exists', { order_reference: 'CMD_X_00000777' }, 'teardown');
    expect(down.status).toBe(200);
    expect((await call(s.baseUrl, 'GET', '/api/v1/order/CMD_X_00000777/', { op: 'getOrder' })).status).toBe(200);
    expect((await hook('the moon is made of cheese')).status).toBe(400);
    const bad = await call(s.baseUrl, 'POST', '/_pact/provider-states', { token: null, body: { params: {} }, op: 'none' });
    expect(bad.status).toBe(400);
    const worse = await call(s.baseUrl, 'POST', '/_pact/provider-states', { token: null, rawBody: '[', headers: { 'content-type': 'application/json' }, op: 'none' });
    expect(worse.status).toBe(400);
  });
});

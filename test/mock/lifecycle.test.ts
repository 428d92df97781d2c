/**
 * The reference server on a fake clock: phase 1 and production step by step,
 * actions following the flowchart, and refused actions changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeHistory } from '../../src/contract/lifecycle.ts';
import { A1, allOrders, call, lc, productOrderBody, startServer, type Server } from './helpers.ts';

const STEP = 1000;
const reason = "Cessation d'activité";

/** Detail, list row and last history entry of one order, checked to agree. */
async function observe(s: Server, ref: string) {
  const detail = await call(s.baseUrl, 'GET', `/api/v1/order/${ref}/`, { op: 'getOrder' });
  expect(detail.status).toBe(200);
  const history = await call(s.baseUrl, 'GET', `/api/v1/order/${ref}/historic/`, { op: 'getOrderHistory' });
  const row = (await allOrders(s.baseUrl, A1)).find((o) => o.order_reference === ref);
  const entries = history.json.results as { state: string; change_date: string }[];
  const last = entries[entries.length - 1]?.state as string;
  expect(row?.state, `${ref}: list and detail agree`).toBe(detail.json.state);
  expect(lc.orderStateOf.get(last), `${ref}: last history entry and detail agree`).toBe(detail.json.state);
  return { detail: detail.json, entries, last, detailText: detail.text, historyText: history.text };
}

async function requestsOf(s: Server, ref: string) {
  return (await call(s.baseUrl, 'GET', `/api/v1/order_request/?order_reference=${ref}`, { op: 'listOrderRequests' })).json;
}

function legal(entries: { state: string; change_date: string }[]): void {
  expect(judgeHistory(lc, entries)).toEqual([]);
}

describe('phase 1 and production, on a fake clock', () => {
  let s: Server;
  beforeAll(async () => {
    s = await startServer({ stepMs: STEP });
  });
  afterAll(async () => {
    await s.close();
  });

  const itemStatus = async (id: string) => {
    const r = await call(s.baseUrl, 'GET', `/api/v1/product_order/${id}/`, { op: 'getProductOrder' });
    return r.json.product_order_item[0] as { status: string; order_reference: string | null };
  };

  it('a created product order goes acknowledged → in_progress → created, then confirmed → every production step in order → active', async () => {
    const countBefore = (await allOrders(s.baseUrl, A1)).length;
    const po = await call(s.baseUrl, 'POST', '/api/v1/product_order/', { body: productOrderBody('INTEGRATOR-42'), op: 'createProductOrder' });
    expect(po.status).toBe(201);
    expect(po.json.external_id).toBe('INTEGRATOR-42');
    expect(po.json.product_order_item[0]).toMatchObject({ status: 'acknowledged', order_reference: null });
    expect((await itemStatus(po.json.id)).status).toBe('acknowledged');
    expect((await allOrders(s.baseUrl, A1)).length).toBe(countBefore);

    s.clock.advance(STEP);
    expect(await itemStatus(po.json.id)).toEqual({ id: expect.any(String), status: 'in_progress', order_reference: null });
    expect((await allOrders(s.baseUrl, A1)).length).toBe(countBefore);

    s.clock.advance(STEP);
    const created = await itemStatus(po.json.id);
    expect(created.status).toBe('created');
    const ref = created.order_reference as string;
    expect(ref).toMatch(/^CMD_X_\d{8}$/);
    expect((await allOrders(s.baseUrl, A1)).length).toBe(countBefore + 1);

    let seen = await observe(s, ref);
    expect(seen.detail.state).toBe('confirmed');
    expect(seen.detail.external_id).toBe('INTEGRATOR-42');
    const path = [seen.last];
    for (let i = 0; i < 40 && seen.detail.state !== 'active'; i++) {
      s.clock.advance(STEP);
      seen = await observe(s, ref);
      legal(seen.entries);
      path.push(seen.last);
    }
    expect(seen.detail.state).toBe('active');
    const steps = path.filter((v) => lc.steps.includes(v));
    expect(steps, 'every production step, in order, one per clock step').toEqual(lc.steps);
    expect(seen.entries.map((e) => e.state)).toEqual(['acknowledged', 'created', 'production_in_progress', ...lc.steps, 'active']);
    expect(seen.detail.completion_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const docs = await call(s.baseUrl, 'GET', `/api/v1/order/${ref}/documents/`, { op: 'listOrderDocuments' });
    expect(docs.json.map((g: { type: string }) => g.type)).toEqual(expect.arrayContaining(['BDC', 'CRVT', 'PVL', 'CRI']));

    // active is where it stays
    s.clock.advance(100 * STEP);
    expect((await observe(s, ref)).detail.state).toBe('active');
  });

  it.each([
    ['reject-1', ['acknowledged', 'in_progress', 'rejected_creation']],
    ['ERROR-7', ['acknowledged', 'technical_error', 'technical_error']],
  ])('external_id %s ends phase 1 with %j and creates no order', async (externalId, statuses) => {
    const countBefore = (await allOrders(s.baseUrl, A1)).length;
    const po = await call(s.baseUrl, 'POST', '/api/v1/product_order/', { body: productOrderBody(externalId), op: 'createProductOrder' });
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const item = await itemStatus(po.json.id);
      seen.push(item.status);
      expect(item.order_reference).toBeNull();
      s.clock.advance(STEP);
    }
    expect(seen).toEqual(statuses);
    s.clock.advance(50 * STEP);
    expect((await itemStatus(po.json.id)).status).toBe(statuses[2]);
    expect((await allOrders(s.baseUrl, A1)).length).toBe(countBefore);
  });

  it('external_id ko… is created, then production fails: rejected after three steps', async () => {
    const po = await call(s.baseUrl, 'POST', '/api/v1/product_order/', { body: productOrderBody('ko-site'), op: 'createProductOrder' });
    s.clock.advance(2 * STEP);
    const ref = (await itemStatus(po.json.id)).order_reference as string;
    expect(ref).toBeTruthy();
    s.clock.advance(20 * STEP);
    const seen = await observe(s, ref);
    expect(seen.detail.state).toBe('rejected');
    legal(seen.entries);
    expect(seen.entries.filter((e) => lc.steps.includes(e.state))).toHaveLength(3);
  });

  it('cancelling during production stops it: cancelled, with its date and reason, and it stays cancelled', async () => {
    const po = await call(s.baseUrl, 'POST', '/api/v1/product_order/', { body: productOrderBody('to-cancel'), op: 'createProductOrder' });
    s.clock.advance(2 * STEP);
    const ref = (await itemStatus(po.json.id)).order_reference as string;
    s.clock.advance(5 * STEP);
    expect((await observe(s, ref)).detail.state).toBe('in_progress');
    const r = await call(s.baseUrl, 'POST', `/api/v1/order/${ref}/cancel/`, { body: { reason: 'Projet abandonné' }, op: 'requestOrderAction' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ order_reference: ref, action: 'Annulation', reason: 'Projet abandonné' });
    s.clock.advance(30 * STEP);
    const seen = await observe(s, ref);
    expect(seen.detail.state).toBe('cancelled');
    expect(seen.detail.cancellation_reason).toBe('Projet abandonné');
    expect(seen.detail.cancellation_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    legal(seen.entries);
  });
});

describe('actions follow the flowchart', () => {
  let s: Server;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let orders: any[];
  const take = (state: string): string => {
    const i = orders.findIndex((o) => o.state === state);
    expect(i, `a seeded order in ${state}`).toBeGreaterThanOrEqual(0);
    return orders.splice(i, 1)[0].order_reference;
  };
  beforeAll(async () => {
    s = await startServer({ stepMs: STEP });
    orders = await allOrders(s.baseUrl, A1);
  });
  afterAll(async () => {
    await s.close();
  });

  it('terminate: active → terminate_in_progress → terminated, recorded as a Résiliation request', async () => {
    const ref = take('active');
    const before = await requestsOf(s, ref);
    const r = await call(s.baseUrl, 'POST', `/api/v1/order/${ref}/terminate/`, { body: { reason, message: 'fin de bail', request_effective_date: '2026-03-01' }, op: 'requestOrderAction' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ order_reference: ref, action: 'Résiliation', reason, message: 'fin de bail', request_effective_date: '2026-03-01' });
    let seen = await observe(s, ref);
    expect(seen.detail.state).toBe('terminate_in_progress');
    expect(seen.entries[seen.entries.length - 1]?.state).toBe('terminate_in_progress');
    s.clock.advance(STEP);
    seen = await observe(s, ref);
    expect(seen.detail.state).toBe('terminated');
    legal(seen.entries);
    const after = await requestsOf(s, ref);
    expect(after.count).toBe(before.count + 1);
    const filtered = await call(s.baseUrl, 'GET', `/api/v1/order_request/?order_reference=${ref}&action=${encodeURIComponent('Résiliation')}`, { op: 'listOrderRequests' });
    expect(filtered.json.results.map((x: { id: string }) => x.id)).toContain(r.json.id);
  });

  it('change: active → change_in_progress → active, recorded as a Modification request', async () => {
    const ref = take('active');
    const r = await call(s.baseUrl, 'POST', `/api/v1/order/${ref}/change/`, { body: { reason: 'Changement de débit' }, op: 'requestOrderAction' });
    expect(r.status).toBe(201);
    expect(r.json.action).toBe('Modification');
    expect((await observe(s, ref)).detail.state).toBe('change_in_progress');
    s.clock.advance(STEP);
    const seen = await observe(s, ref);
    expect(seen.detail.state).toBe('active');
    legal(seen.entries);
  });

  it('cancel: in_progress → cancelled at once', async () => {
    const ref = take('in_progress');
    const r = await call(s.baseUrl, 'POST', `/api/v1/order/${ref}/cancel/`, { body: { reason: 'Doublon de commande' }, op: 'requestOrderAction' });
    expect(r.status).toBe(201);
    const seen = await observe(s, ref);
    expect(seen.detail.state).toBe('cancelled');
    expect(seen.detail.cancellation_reason).toBe('Doublon de commande');
    legal(seen.entries);
  });

  it('every action from a state the flowchart does not allow answers 409 naming `state`, and changes nothing', async () => {
    let refused = 0;
    for (const state of new Set(orders.map((o) => o.state as string))) {
      const ref = orders.find((o) => o.state === state).order_reference as string;
      for (const action of lc.actions.values()) {
        if (action.from.includes(state)) continue;
        const before = await observe(s, ref);
        const requests = await requestsOf(s, ref);
        const r = await call(s.baseUrl, 'POST', `/api/v1/order/${ref}/${action.name}/`, { body: { reason }, op: 'requestOrderAction' });
        expect(r.status, `${action.name} from ${state}`).toBe(409);
        expect(r.json.errors).toEqual([{ code: 'invalid_state', property_path: 'state', value: state }]);
        const after = await observe(s, ref);
        expect(after.detailText).toBe(before.detailText);
        expect(after.historyText).toBe(before.historyText);
        expect(await requestsOf(s, ref)).toEqual(requests);
        refused++;
      }
    }
    expect(refused).toBeGreaterThanOrEqual(15);
  });

  it.each([
    ['an unlisted reason', { reason: 'Because' }, 'reason', 'invalid_choice'],
    ['no reason', { message: 'x' }, 'reason', 'required'],
    ['an empty reason', { reason: '' }, 'reason', 'blank'],
    ['a numeric reason', { reason: 42 }, 'reason', 'invalid_type'],
    ['an unknown property', { reason, colour: 'blue' }, 'colour', 'unexpected_property'],
    ['a malformed date', { reason, request_effective_date: '01/03/2026' }, 'request_effective_date', 'invalid_format'],
    ['a too long message', { reason, message: 'x'.repeat(2001) }, 'message', 'max_length'],
  ])('terminate with %s answers 400 naming %s, and changes nothing', async (_what, body, property, code) => {
    const ref = orders.find((o) => o.state === 'active').order_reference as string;
    const before = await observe(s, ref);
    const requests = await requestsOf(s, ref);
    const r = await call(s.baseUrl, 'POST', `/api/v1/order/${ref}/terminate/`, { body, op: 'requestOrderAction' });
    expect(r.status).toBe(400);
    expect(r.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ property_path: property, code })]));
    const after = await observe(s, ref);
    expect(after.detailText).toBe(before.detailText);
    expect(after.historyText).toBe(before.historyText);
    expect(await requestsOf(s, ref)).toEqual(requests);
  });

  it.each([
    ['a JSON array', { rawBody: '[]', headers: { 'content-type': 'application/json' } }],
    ['malformed JSON', { rawBody: '{"reason":', headers: { 'content-type': 'application/json' } }],
    ['a form body', { rawBody: 'reason=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
    ['plain text', { rawBody: 'reason', headers: { 'content-type': 'text/plain' } }],
    ['no body', {}],
  ])('terminate with %s answers 400 and changes nothing', async (_what, extra) => {
    const ref = orders.find((o) => o.state === 'active').order_reference as string;
    const before = await observe(s, ref);
    const r = await call(s.baseUrl, 'POST', `/api/v1/order/${ref}/terminate/`, { ...extra, op: 'requestOrderAction' });
    expect(r.status).toBe(400);
    expect((await observe(s, ref)).detailText).toBe(before.detailText);
  });

  it('an unknown action segment answers 404', async () => {
    const ref = orders.find((o) => o.state === 'active').order_reference as string;
    for (const action of ['suspend', 'TERMINATE', 'documents', 'historic', 'export']) {
      const r = await call(s.baseUrl, 'POST', `/api/v1/order/${ref}/${action}/`, { body: { reason }, op: 'requestOrderAction' });
      expect(r.status, action).toBe(404);
    }
  });
});

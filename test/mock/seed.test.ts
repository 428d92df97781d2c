/**
 * The seeded data: deterministic (same seed, byte-identical answers; another
 * seed, other data), legal histories walked from the lifecycle data, and
 * coverage of every state, step, history value, offer family, optional field,
 * null and document type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enumOf } from '../../src/contract/load.ts';
import { judgeHistory } from '../../src/contract/lifecycle.ts';
import { A1, B1, allOrders, call, lc, spec, startServer, type Server } from './helpers.ts';

/** Every answer a client can read about the seeded data, as text. */
async function snapshot(s: Server): Promise<string[]> {
  const out: string[] = [];
  for (const token of [A1, B1]) {
    out.push((await call(s.baseUrl, 'GET', '/api/v1/order/?page_size=1000', { token, op: 'listOrders' })).text);
    out.push((await call(s.baseUrl, 'GET', '/api/v1/order_request/?page_size=1000', { token, op: 'listOrderRequests' })).text);
    for (const o of await allOrders(s.baseUrl, token)) {
      for (const [suffix, op] of [
        ['', 'getOrder'],
        ['historic/', 'getOrderHistory'],
        ['documents/', 'listOrderDocuments'],
        [`${o.order_reference}_1.pdf/download/`, 'downloadOrderDocument'],
      ] as const) {
        out.push((await call(s.baseUrl, 'GET', `/api/v1/order/${o.order_reference}/${suffix}`, { token, op })).text);
      }
    }
  }
  return out;
}

describe('determinism', () => {
  let one: Server;
  let two: Server;
  let other: Server;
  beforeAll(async () => {
    // different clocks: seeded data must not depend on the time
    [one, two, other] = await Promise.all([startServer({ seed: 7 }), startServer({ seed: 7 }), startServer({ seed: 8 })]);
    two.clock.advance(86_400_000 * 400);
  });
  afterAll(async () => {
    await Promise.all([one.close(), two.close(), other.close()]);
  });

  it('two servers with the same seed serve byte-identical data, whatever their clocks say', async () => {
    const [a, b] = await Promise.all([snapshot(one), snapshot(two)]);
    expect(a.length).toBeGreaterThan(200);
    expect(b).toEqual(a);
  });

  it('another seed serves other data: lists, and (almost) every detail and history, differ', async () => {
    const [a, c] = await Promise.all([snapshot(one), snapshot(other)]);
    // per order: detail, history, documents, BDC; documents lists are named after the reference, so they may repeat
    const kinds = (list: string[]) => ({ lists: list.filter((x) => x.startsWith('{"count"')), bodies: list.filter((x) => x.includes('"change_date"') || x.includes('"service_reference"')) });
    const ka = kinds(a);
    const kc = kinds(c);
    ka.lists.forEach((x, i) => {
      expect(x).not.toBe(kc.lists[i]);
    });
    const same = ka.bodies.filter((x, i) => x === kc.bodies[i]).length;
    expect(ka.bodies.length).toBeGreaterThan(100);
    expect(same / ka.bodies.length).toBeLessThan(0.05);
  });
});

describe('seeded data', () => {
  let s: Server;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const all: { token: string; order: any; detail: any; history: { state: string; change_date: string }[]; docs: { type: string; values: string[] }[] }[] = [];
  beforeAll(async () => {
    s = await startServer();
    for (const token of [A1, B1]) {
      for (const order of await allOrders(s.baseUrl, token)) {
        const base = `/api/v1/order/${order.order_reference}/`;
        all.push({
          token,
          order,
          detail: (await call(s.baseUrl, 'GET', base, { token, op: 'getOrder' })).json,
          history: (await call(s.baseUrl, 'GET', `${base}historic/`, { token, op: 'getOrderHistory' })).json.results,
          docs: (await call(s.baseUrl, 'GET', `${base}documents/`, { token, op: 'listOrderDocuments' })).json,
        });
      }
    }
  });
  afterAll(async () => {
    await s.close();
  });

  it('60 orders by default: 45 for customer A, 15 for customer B, references CMD_X_ and ids PO_', () => {
    expect(all.filter((x) => x.token === A1)).toHaveLength(45);
    expect(all.filter((x) => x.token === B1)).toHaveLength(15);
    for (const { order } of all) {
      expect(order.order_reference).toMatch(/^CMD_X_\d{8}$/);
      expect(order.id).toMatch(/^PO_/);
    }
  });

  it('every history is legal for judgeHistory (no HIST-ORDER, HIST-VOCAB, HIST-TIME or HIST-STEPS issue) and agrees with detail and list', () => {
    for (const { order, detail, history } of all) {
      expect(judgeHistory(lc, history), order.order_reference).toEqual([]);
      expect(lc.orderStateOf.get(history[history.length - 1]?.state as string)).toBe(detail.state);
      expect(order.state).toBe(detail.state);
    }
  });

  it('each customer covers every order state; customer A covers every production step and history value', () => {
    for (const token of [A1, B1]) {
      expect(new Set(all.filter((x) => x.token === token).map((x) => x.detail.state))).toEqual(new Set(enumOf(spec, 'OrderState')));
    }
    const values = new Set(all.filter((x) => x.token === A1).flatMap((x) => x.history.map((h) => h.state)));
    expect([...values].sort()).toEqual([...lc.vocabulary].sort());
    for (const step of lc.steps) expect(values.has(step)).toBe(true);
  });

  it('both offer families, optional fields present and absent, nulls and values, termination errors on some orders', () => {
    const details = all.map((x) => x.detail);
    expect(new Set(details.map((d) => d.product.offer_family))).toEqual(new Set(enumOf(spec, 'OfferFamily')));
    const some = (f: (d: (typeof details)[number]) => boolean) => {
      expect(details.some(f)).toBe(true);
      expect(details.some((d) => !f(d))).toBe(true);
    };
    some((d) => 'billing_period' in d);
    some((d) => 'bandwidth' in d);
    some((d) => 'bandwidth' in d.product);
    some((d) => 'bandwidth_max' in d.product);
    some((d) => 'contact2_email_address' in d.related_contact_information[0]);
    some((d) => d.vlan_reference === null);
    some((d) => d.manager_regional === null);
    some((d) => d.manager_national === null);
    some((d) => d.completion_date === null);
    some((d) => d.cancellation_date === null);
    some((d) => d.commitment_end_date === null);
    some((d) => d.termination_error.length > 0);
    some((d) => d.related_contact_information.length > 1);
    some((d) => d.external_id === '');
  });

  it('several document types, some with more than one file, PDFs and a CSV', () => {
    const docs = all.flatMap((x) => x.docs);
    expect(new Set(docs.map((g) => g.type)).size).toBeGreaterThanOrEqual(4);
    expect(docs.some((g) => g.values.length > 1)).toBe(true);
    expect(docs.some((g) => g.values.some((v) => v.endsWith('.csv')))).toBe(true);
    for (const x of all) expect(x.docs.find((g) => g.type === 'BDC')?.values).toContain(`${x.order.order_reference}_1.pdf`);
  });

  it('the seeded order requests match the histories: one per action step, labelled as x-lifecycle says', async () => {
    const labels = new Set([...lc.actions.values()].map((a) => a.label));
    for (const token of [A1, B1]) {
      const rows = (await call(s.baseUrl, 'GET', '/api/v1/order_request/?page_size=1000', { token, op: 'listOrderRequests' })).json.results as { order_reference: string; action: string }[];
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(labels.has(r.action)).toBe(true);
      for (const x of all.filter((y) => y.token === token)) {
        const viaAction = x.history.filter((h) => [...lc.actions.values()].some((a) => (a.via ?? a.to) === h.state)).length;
        expect(
          rows.filter((r) => r.order_reference === x.order.order_reference),
          x.order.order_reference,
        ).toHaveLength(viaAction);
      }
    }
  });
});

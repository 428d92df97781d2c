/**
 * Pagination and filters: pages walk completely with no gaps or duplicates,
 * `next`/`previous` are absolute links on the request's host, and the order
 * requests list (laid out arithmetically over the seed) agrees with its
 * per-order and per-action filters, also after provider states replaced or
 * removed seeded orders.
 */
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { A1, B1, allOrders, call, lc, startServer, type Server } from './helpers.ts';

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function server(options: Parameters<typeof startServer>[0]): Promise<Server> {
  const s = await startServer(options);
  servers.push(s);
  return s;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function walk(s: Server, path: string, token: string, op: string): Promise<any[]> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const rows: any[] = [];
  let next: string | null = path;
  let count: number | undefined;
  let page = 1;
  while (next) {
    const r = await call(s.baseUrl, 'GET', next, { token, op });
    expect(r.status).toBe(200);
    count ??= r.json.count;
    expect(r.json.count).toBe(count);
    if (page === 1) expect(r.json.previous).toBeNull();
    else expect(new URL(r.json.previous).searchParams.get('page')).toBe(String(page - 1));
    if (r.json.next) expect(new URL(r.json.next).searchParams.get('page')).toBe(String(page + 1));
    page++;
    rows.push(...r.json.results);
    next = r.json.next ? new URL(r.json.next).pathname + new URL(r.json.next).search : null;
  }
  expect(rows).toHaveLength(count as number);
  return rows;
}

const labels = [...lc.actions.values()].map((a) => a.label);

async function checkRequests(s: Server, token: string): Promise<number> {
  const all = await walk(s, '/api/v1/order_request/?page_size=7', token, 'listOrderRequests');
  expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
  // the per-action filters partition the list, in order
  const byAction = await Promise.all(labels.map((l) => walk(s, `/api/v1/order_request/?page_size=5&action=${encodeURIComponent(l)}`, token, 'listOrderRequests')));
  byAction.forEach((rows, i) => {
    expect(rows).toEqual(all.filter((r) => r.action === labels[i]));
  });
  // the per-order filter gives exactly the order's rows, and each order's rows with an action
  for (const o of await allOrders(s.baseUrl, token)) {
    const own = await walk(s, `/api/v1/order_request/?order_reference=${o.order_reference}`, token, 'listOrderRequests');
    expect(own).toEqual(all.filter((r) => r.order_reference === o.order_reference));
    const l = labels[0] as string;
    const both = await walk(s, `/api/v1/order_request/?order_reference=${o.order_reference}&action=${encodeURIComponent(l)}`, token, 'listOrderRequests');
    expect(both).toEqual(own.filter((r) => r.action === l));
  }
  expect(await walk(s, '/api/v1/order_request/?action=Nothing', token, 'listOrderRequests')).toEqual([]);
  expect(await walk(s, '/api/v1/order_request/?order_reference=CMD_X_99999999', token, 'listOrderRequests')).toEqual([]);
  return all.length;
}

describe('pagination', () => {
  it.each([0, 1, 3, 5, 37, 60])('with %i seeded orders, every page size walks the whole list with no gap or duplicate', async (orders) => {
    const s = await server({ orders });
    for (const token of [A1, B1]) {
      const whole = (await call(s.baseUrl, 'GET', '/api/v1/order/?page_size=1000', { token, op: 'listOrders' })).json;
      expect(whole.next).toBeNull();
      expect(whole.previous).toBeNull();
      for (const size of [1, 4, 11]) {
        const rows = await walk(s, `/api/v1/order/?page_size=${size}`, token, 'listOrders');
        expect(rows).toEqual(whole.results);
      }
    }
    const a = (await call(s.baseUrl, 'GET', '/api/v1/order/', { token: A1, op: 'listOrders' })).json.count;
    const b = (await call(s.baseUrl, 'GET', '/api/v1/order/', { token: B1, op: 'listOrders' })).json.count;
    expect(a + b).toBe(orders);
    await checkRequests(s, A1);
  });

  it('next and previous are absolute URLs on the Host the client used, keeping the other parameters', async () => {
    const s = await server({});
    const url = new URL(s.baseUrl);
    const r = await request(`${s.baseUrl}/api/v1/order_request/?page=2&page_size=3&action=R%C3%A9siliation&x=1`, {
      headers: { authorization: `Bearer ${A1}`, host: `orders.example.test:${url.port}` },
    });
    const body = (await r.body.json()) as { next: string; previous: string };
    expect(body.next).toBe(`http://orders.example.test:${url.port}/api/v1/order_request/?page=3&page_size=3&action=R%C3%A9siliation&x=1`);
    expect(body.previous).toBe(`http://orders.example.test:${url.port}/api/v1/order_request/?page=1&page_size=3&action=R%C3%A9siliation&x=1`);
  });
});

describe('order requests after provider states change the seed', () => {
  it('replacing a seeded order in place and removing others keeps lists, counts and filters consistent', async () => {
    const s = await server({ providerStates: true });
    const hook = (state: string, params: Record<string, unknown>) => call(s.baseUrl, 'POST', '/_pact/provider-states', { token: null, body: { state, params, action: 'setup' }, op: 'none' });
    const before = await checkRequests(s, A1);
    // a state resets first, so only the last one applies: check each on its own
    const terminated = (await allOrders(s.baseUrl, A1)).find((o) => o.state === 'terminated').order_reference;
    expect((await hook('no order {order_reference} exists', { order_reference: terminated })).status).toBe(200);
    const list = await allOrders(s.baseUrl, A1);
    expect(list.map((o) => o.order_reference)).not.toContain(terminated);
    expect(await checkRequests(s, A1)).toBe(before - 1);

    expect((await hook('an order {order_reference} in state {state} exists', { order_reference: terminated, state: 'active' })).status).toBe(200);
    const replaced = await allOrders(s.baseUrl, A1);
    expect(replaced.find((o) => o.order_reference === terminated)?.state).toBe('active');
    expect(replaced.map((o) => o.order_reference)).toEqual((await allOrders(s.baseUrl, A1)).map((o) => o.order_reference));
    expect(await checkRequests(s, A1)).toBe(before - 1);

    // a seeded reference of customer B, staged for customer A, moves across
    const bRef = (await allOrders(s.baseUrl, B1))[0].order_reference;
    expect((await hook('order {order_reference} has a termination request', { order_reference: bRef })).status).toBe(200);
    expect((await allOrders(s.baseUrl, B1)).map((o) => o.order_reference)).not.toContain(bRef);
    expect((await allOrders(s.baseUrl, A1)).find((o) => o.order_reference === bRef)?.state).toBe('terminate_in_progress');
    expect(await checkRequests(s, A1)).toBe(before + 1);
    await checkRequests(s, B1);
  });
});

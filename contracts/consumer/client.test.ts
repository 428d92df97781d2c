/**
 * The integrator's client on behaviours a pact cannot pin (they depend on data
 * the provider states do not fix): walking `next` links, a bare-array list,
 * Retry-After as an HTTP date, the export's deadline and failure. The client
 * still goes through the typed client; only `fetch` is a scripted fake.
 */
import { describe, expect, it } from 'vitest';
import { createIntegrator, IntegratorError, parseRetryAfter, RateLimitedError } from './client.ts';

const BASE = 'http://provider.invalid';
type Route = (req: Request) => Response | Promise<Response>;
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

function fakeFetch(routes: Record<string, Route>) {
  const seen: string[] = [];
  const fetch = async (req: Request) => {
    const url = new URL(req.url);
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    const route = routes[`${req.method} ${url.pathname}`];
    return route ? route(req) : json({ detail: 'Not found.' }, 404);
  };
  return { fetch, seen };
}

const order = (ref: string) => ({
  order_reference: ref,
  state: 'active',
  order_date: '2025-04-23',
  offer_family: 'BPE',
  end_customer_name: 'king jouet',
  id: `PO_${ref}`,
  created_by: 'someone@example.com',
});

describe('OrderTrackingIntegrator', () => {
  it('walks the next links of the order list to the end', async () => {
    const { fetch, seen } = fakeFetch({
      'GET /api/v1/order/': (req) => {
        const page = new URL(req.url).searchParams.get('page') ?? '1';
        if (page === '1') return json({ count: 3, next: `${BASE}/api/v1/order/?page=2&page_size=2`, previous: null, results: [order('A'), order('B')] });
        return json({ count: 3, next: null, previous: `${BASE}/api/v1/order/?page=1&page_size=2`, results: [order('C')] });
      },
    });
    const orders = await createIntegrator({ baseUrl: BASE, token: 't', fetch, pageSize: 2 }).listOrders();
    expect(orders.map((o) => o.order_reference)).toEqual(['A', 'B', 'C']);
    expect(orders[0]).toEqual({ order_reference: 'A', state: 'active', order_date: '2025-04-23', offer_family: 'BPE', end_customer_name: 'king jouet' });
    expect(seen).toEqual(['GET /api/v1/order/?page_size=2', 'GET /api/v1/order/?page=2&page_size=2']);
  });

  it('takes a bare array as the whole order list', async () => {
    const { fetch } = fakeFetch({ 'GET /api/v1/order/': () => json([order('A'), order('B')]) });
    const orders = await createIntegrator({ baseUrl: BASE, fetch }).listOrders();
    expect(orders.map((o) => o.order_reference)).toEqual(['A', 'B']);
  });

  it('stops on a next link it has already followed', async () => {
    const { fetch, seen } = fakeFetch({
      'GET /api/v1/order/': () => json({ next: `${BASE}/api/v1/order/?page=2`, results: [order('A')] }),
    });
    const orders = await createIntegrator({ baseUrl: BASE, fetch }).listOrders();
    expect(orders).toHaveLength(2);
    expect(seen).toHaveLength(2);
  });

  it('sends the bearer token', async () => {
    let auth: string | null = null;
    const { fetch } = fakeFetch({
      'GET /api/v1/terminate_reason/': (req) => {
        auth = req.headers.get('authorization');
        return json({ terminate_reasons: ['x'] });
      },
    });
    await createIntegrator({ baseUrl: BASE, token: 'demo-token-a1', fetch }).getTerminateReasons();
    expect(auth).toBe('Bearer demo-token-a1');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-07-08T10:30:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Tue, 08 Jul 2025 10:32:30 GMT', now)).toBe(150);
    expect(parseRetryAfter('Tue, 08 Jul 2025 10:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('surfaces a 429 without Retry-After as RateLimitedError with retryAfterS undefined', async () => {
    const { fetch } = fakeFetch({ 'POST /api/v1/order/export/csv/': () => json({ detail: 'Request was throttled.' }, 429) });
    const err = await createIntegrator({ baseUrl: BASE, fetch })
      .exportOrders()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterS).toBeUndefined();
    expect((err as RateLimitedError).message).toBe('The export is rate limited: 429 to POST /api/v1/order/export/csv/: Request was throttled.');
  });

  it('polls the export status until it succeeds, then downloads the CSV', async () => {
    let polls = 0;
    const { fetch, seen } = fakeFetch({
      'POST /api/v1/order/export/csv/': () => json({ task_id: 't-1' }, 202),
      'GET /api/v1/order/export/t-1/status/': () => json({ task_id: 't-1', success: ++polls < 3 ? null : true, started: null, stopped: null }),
      'GET /api/v1/order/export/t-1/download/': () => new Response('order_reference\nA\n', { headers: { 'Content-Type': 'text/csv' } }),
    });
    const sleeps: number[] = [];
    const result = await createIntegrator({ baseUrl: BASE, fetch, sleep: async (ms) => void sleeps.push(ms) }).exportOrders({ pollMs: 10 });
    expect(result).toEqual({ taskId: 't-1', csv: 'order_reference\nA\n' });
    expect(sleeps).toEqual([10, 10]);
    expect(seen.filter((s) => s.endsWith('/status/'))).toHaveLength(3);
  });

  it('gives up at the deadline with INTEGRATOR_ERR_EXPORT_TIMEOUT', async () => {
    let clock = 0;
    const { fetch } = fakeFetch({
      'POST /api/v1/order/export/csv/': () => json({ task_id: 't-2' }, 202),
      'GET /api/v1/order/export/t-2/status/': () => json({ task_id: 't-2', success: null, started: null, stopped: null }),
    });
    const client = createIntegrator({ baseUrl: BASE, fetch, now: () => clock, sleep: async (ms) => void (clock += ms) });
    const err = await client.exportOrders({ deadlineMs: 1000, pollMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegratorError);
    expect((err as IntegratorError).code).toBe('INTEGRATOR_ERR_EXPORT_TIMEOUT');
  });

  it('reports a failed export task with INTEGRATOR_ERR_EXPORT_FAILED', async () => {
    const { fetch } = fakeFetch({
      'POST /api/v1/order/export/csv/': () => json({ task_id: 't-3' }, 202),
      'GET /api/v1/order/export/t-3/status/': () => json({ task_id: 't-3', success: false, started: null, stopped: null }),
    });
    const err = await createIntegrator({ baseUrl: BASE, fetch })
      .exportOrders()
      .catch((e: unknown) => e);
    expect((err as IntegratorError).code).toBe('INTEGRATOR_ERR_EXPORT_FAILED');
  });

  it('encodes a file name in the download path', async () => {
    const { fetch, seen } = fakeFetch({
      'GET /api/v1/order/A/a%20b.pdf/download/': () => new Response(Buffer.from('%PDF-1.4'), { headers: { 'Content-Type': 'application/pdf' } }),
    });
    const bytes = await createIntegrator({ baseUrl: BASE, fetch }).downloadDocument('A', 'a b.pdf');
    expect(Buffer.from(bytes).toString('latin1')).toBe('%PDF-1.4');
    expect(seen).toEqual(['GET /api/v1/order/A/a%20b.pdf/download/']);
  });

  it('every error code is in the one table and named as its key', async () => {
    const { INTEGRATOR_ERRORS } = await import('./client.ts');
    for (const code of Object.keys(INTEGRATOR_ERRORS) as (keyof typeof INTEGRATOR_ERRORS)[]) {
      expect(new IntegratorError(code, 'x').code).toBe(code);
    }
  });
});

/**
 * The generated client (src/client.ts: openapi-fetch over generated/openapi.ts)
 * against a tiny local server: the paths it requests, the Bearer header it
 * sends, and the typed bodies it parses. The `expectTypeOf` lines are checked
 * at compile time by `npm run typecheck` (tsc over test/).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { createOrderTrackingClient, type Schemas } from '../src/client.ts';
import { loadSpec } from '../src/contract/load.ts';
import { atSpecPointer } from './contract/support.ts';

const spec = loadSpec();
const detail = atSpecPointer(spec, '/components/examples/OrderDetailDoc/value');
const list = atSpecPointer(spec, '/paths/~1api~1v1~1order~1/get/responses/200/content/application~1json/examples/documentation/value');
const history = atSpecPointer(spec, '/components/examples/OrderHistoryDoc/value');

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let seen: Seen[] = [];
let server: Server;
let baseUrl: string;

const TOKEN = 'test-token-123';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const path = (req.url ?? '').split('?')[0];
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(401, { detail: 'Authentication credentials were not provided.' });
      if (req.method === 'GET' && path === '/api/v1/order/') return json(200, list);
      if (req.method === 'GET' && path === '/api/v1/order/CMD_X_00009444/') return json(200, detail);
      if (req.method === 'GET' && path === '/api/v1/order/CMD_X_00009444/historic/') return json(200, history);
      if (req.method === 'POST' && path === '/api/v1/order/export/csv/') return json(202, { task_id: '550e8400-e29b-41d4-a716-446655440000' });
      return json(404, { detail: 'Not found.' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
});

beforeEach(() => {
  seen = [];
});

describe('the generated client', () => {
  it('getOrder requests /api/v1/order/{ref}/ with the Bearer token and parses a typed OrderDetail', async () => {
    const client = createOrderTrackingClient({ baseUrl, token: TOKEN });
    const { data, error, response } = await client.GET('/api/v1/order/{order_reference}/', {
      params: { path: { order_reference: 'CMD_X_00009444' } },
    });
    expect(response.status).toBe(200);
    expect(error).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/api/v1/order/CMD_X_00009444/' });
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]?.headers.accept).toBe('application/json');
    expect(data).toEqual(detail);
    expect(data?.state).toBe('in_progress');
    expect(data?.manager_regional?.email).toBe('gregory.d@covage.com');

    expectTypeOf(data).toEqualTypeOf<Schemas['OrderDetail'] | undefined>();
    expectTypeOf<NonNullable<typeof data>['state']>().toEqualTypeOf<Schemas['OrderState']>();
    expectTypeOf<Schemas['OrderState']>().toEqualTypeOf<'confirmed' | 'in_progress' | 'active' | 'terminate_in_progress' | 'terminated' | 'change_in_progress' | 'rejected' | 'cancelled'>();
    expectTypeOf<NonNullable<typeof data>['vlan_reference']>().toEqualTypeOf<number | null>();
    // @ts-expect-error 'lost' is not an order state
    const lost: Schemas['OrderState'] = 'lost';
    expect(lost).toBe('lost');
  });

  it('listOrders requests /api/v1/order/ with its query and parses a typed OrderList', async () => {
    const client = createOrderTrackingClient({ baseUrl: `${baseUrl}/`, token: TOKEN });
    const { data, response } = await client.GET('/api/v1/order/', { params: { query: { page: 2, page_size: 50 } } });
    expect(response.status).toBe(200);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /api/v1/order/?page=2&page_size=50']);
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expectTypeOf(data).toEqualTypeOf<Schemas['OrderList'] | undefined>();
    if (!Array.isArray(data)) throw new Error('the server answered an array');
    expect(data).toEqual(list);
    expectTypeOf(data[0]).toEqualTypeOf<Schemas['OrderSummary'] | undefined>();
    expect(data[0]?.order_reference).toBe('CMD_X_00009444');
    expect(data[0]?.commitment).toBe(12);
  });

  it('getOrderHistory parses the history entries', async () => {
    const client = createOrderTrackingClient({ baseUrl, token: TOKEN });
    const { data } = await client.GET('/api/v1/order/{order_reference}/historic/', { params: { path: { order_reference: 'CMD_X_00009444' } } });
    expect(data?.results.at(-1)?.state).toBe('active');
    expect(data?.results).toHaveLength(15);
  });

  it('startOrderExport posts to /api/v1/order/export/csv/ and reads the task id of a 202', async () => {
    const client = createOrderTrackingClient({ baseUrl, token: TOKEN });
    const { data, response } = await client.POST('/api/v1/order/export/csv/');
    expect(response.status).toBe(202);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /api/v1/order/export/csv/']);
    expect(data?.task_id).toBe('550e8400-e29b-41d4-a716-446655440000');
  });

  it('a 404 comes back as a typed error, not data', async () => {
    const client = createOrderTrackingClient({ baseUrl, token: TOKEN });
    const { data, error, response } = await client.GET('/api/v1/order/{order_reference}/', { params: { path: { order_reference: 'CMD_X_404' } } });
    expect(response.status).toBe(404);
    expect(data).toBeUndefined();
    expect(error).toEqual({ detail: 'Not found.' });
  });

  it('percent-encodes a path parameter, so a reference cannot climb out of its segment', async () => {
    const client = createOrderTrackingClient({ baseUrl, token: TOKEN });
    await client.GET('/api/v1/order/{order_reference}/{filename}/download/', {
      params: { path: { order_reference: 'CMD_X_00009444', filename: '../../etc/passwd' } },
      parseAs: 'text',
    });
    expect(seen[0]?.url).toBe('/api/v1/order/CMD_X_00009444/..%2F..%2Fetc%2Fpasswd/download/');
  });

  it('sends no Authorization header without a token, and the server answers 401', async () => {
    const client = createOrderTrackingClient({ baseUrl });
    const { response } = await client.GET('/api/v1/order/');
    expect(response.status).toBe(401);
    expect(seen[0]?.headers.authorization).toBeUndefined();
  });

  it('lets extra headers through alongside the token', async () => {
    const client = createOrderTrackingClient({ baseUrl, token: TOKEN, headers: { 'X-Request-Id': 'abc' } });
    await client.GET('/api/v1/order/');
    expect(seen[0]?.headers['x-request-id']).toBe('abc');
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});

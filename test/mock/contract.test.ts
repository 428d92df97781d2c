/**
 * Every answer of the reference server, on every endpoint, success and error,
 * validates against openapi.yaml (the `call` helper checks each one: status
 * declared for the operation, media type declared, body valid with no error-
 * or warning-level violation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A1, B1, allOrders, call, expectConforms, productOrderBody, startServer, type Server } from './helpers.ts';

let s: Server;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let ordersA: any[];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let ordersB: any[];
const refIn = (state: string): string => ordersA.find((o) => o.state === state)?.order_reference;

beforeAll(async () => {
  s = await startServer();
  ordersA = await allOrders(s.baseUrl, A1);
  ordersB = await allOrders(s.baseUrl, B1);
});
afterAll(async () => {
  await s.close();
});

interface Case {
  does: string;
  method?: string;
  path: () => string;
  token?: string | null;
  body?: () => unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  op: string;
  want: number;
}

const uuid0 = '00000000-0000-4000-8000-000000000000';
const reason = "Cessation d'activité";

const cases: Case[] = [
  // authentication, on every operation
  { does: 'GET /order/ without a token returns 401', path: () => '/api/v1/order/', token: null, op: 'listOrders', want: 401 },
  { does: 'GET /order/ with an unknown token returns 401', path: () => '/api/v1/order/', token: 'nope', op: 'listOrders', want: 401 },
  { does: 'GET /order/{ref}/ without a token returns 401', path: () => `/api/v1/order/${refIn('active')}/`, token: null, op: 'getOrder', want: 401 },
  { does: 'GET /historic/ without a token returns 401', path: () => `/api/v1/order/${refIn('active')}/historic/`, token: null, op: 'getOrderHistory', want: 401 },
  { does: 'GET /documents/ without a token returns 401', path: () => `/api/v1/order/${refIn('active')}/documents/`, token: null, op: 'listOrderDocuments', want: 401 },
  { does: 'GET a document without a token returns 401', path: () => `/api/v1/order/${refIn('active')}/${refIn('active')}_1.pdf/download/`, token: null, op: 'downloadOrderDocument', want: 401 },
  { does: 'POST terminate without a token returns 401', method: 'POST', path: () => `/api/v1/order/${refIn('active')}/terminate/`, token: null, body: () => ({ reason }), op: 'requestOrderAction', want: 401 },
  { does: 'GET /terminate_reason/ without a token returns 401', path: () => '/api/v1/terminate_reason/', token: null, op: 'listTerminateReasons', want: 401 },
  { does: 'GET /order_request/ without a token returns 401', path: () => '/api/v1/order_request/', token: null, op: 'listOrderRequests', want: 401 },
  { does: 'POST /product_order/ without a token returns 401', method: 'POST', path: () => '/api/v1/product_order/', token: null, body: () => productOrderBody('x'), op: 'createProductOrder', want: 401 },
  { does: 'GET /product_order/{id}/ without a token returns 401', path: () => '/api/v1/product_order/PO_X/', token: null, op: 'getProductOrder', want: 401 },
  { does: 'POST export without a token returns 401', method: 'POST', path: () => '/api/v1/order/export/csv/', token: null, op: 'startOrderExport', want: 401 },
  { does: 'GET export status without a token returns 401', path: () => `/api/v1/order/export/${uuid0}/status/`, token: null, op: 'getOrderExportStatus', want: 401 },
  { does: 'GET export download without a token returns 401', path: () => `/api/v1/order/export/${uuid0}/download/`, token: null, op: 'downloadOrderExport', want: 401 },

  // reads
  { does: 'GET /order/ returns a page', path: () => '/api/v1/order/', op: 'listOrders', want: 200 },
  { does: 'GET /order/?page=2&page_size=7 returns a middle page', path: () => '/api/v1/order/?page=2&page_size=7', op: 'listOrders', want: 200 },
  { does: 'GET /order/?page=0 returns 400', path: () => '/api/v1/order/?page=0', op: 'listOrders', want: 400 },
  { does: 'GET /order/?page=999 returns 400', path: () => '/api/v1/order/?page=999', op: 'listOrders', want: 400 },
  { does: 'GET /order/?page_size=1001 returns 400', path: () => '/api/v1/order/?page_size=1001', op: 'listOrders', want: 400 },
  { does: 'GET /order/?page_size=abc returns 400', path: () => '/api/v1/order/?page_size=abc', op: 'listOrders', want: 400 },
  { does: 'GET /order/?page=1&page=2 returns 400', path: () => '/api/v1/order/?page=1&page=2', op: 'listOrders', want: 400 },
  { does: 'GET /order/?colour=blue ignores the unknown parameter', path: () => '/api/v1/order/?colour=blue', op: 'listOrders', want: 200 },
  { does: 'GET /order/{ref}/ returns the detail', path: () => `/api/v1/order/${refIn('active')}/`, op: 'getOrder', want: 200 },
  { does: 'GET /order/{ref}/ of a terminated order returns the detail', path: () => `/api/v1/order/${refIn('terminated')}/`, op: 'getOrder', want: 200 },
  { does: 'GET /order/{ref}/ of a cancelled order returns the detail', path: () => `/api/v1/order/${refIn('cancelled')}/`, op: 'getOrder', want: 200 },
  { does: 'GET /order/{unknown}/ returns 404', path: () => '/api/v1/order/CMD_X_99999999/', op: 'getOrder', want: 404 },
  { does: "GET /order/{B's ref}/ as A returns 404", path: () => `/api/v1/order/${ordersB[0].order_reference}/`, op: 'getOrder', want: 404 },
  { does: 'GET /historic/ returns the history', path: () => `/api/v1/order/${refIn('terminated')}/historic/`, op: 'getOrderHistory', want: 200 },
  { does: 'GET /historic/ of an unknown order returns 404', path: () => '/api/v1/order/CMD_X_99999999/historic/', op: 'getOrderHistory', want: 404 },
  { does: 'GET /documents/ returns the groups', path: () => `/api/v1/order/${refIn('active')}/documents/`, op: 'listOrderDocuments', want: 200 },
  { does: 'GET /documents/ of an unknown order returns 404', path: () => '/api/v1/order/CMD_X_99999999/documents/', op: 'listOrderDocuments', want: 404 },
  { does: 'GET a listed PDF returns its bytes', path: () => `/api/v1/order/${refIn('active')}/${refIn('active')}_1.pdf/download/`, op: 'downloadOrderDocument', want: 200 },
  { does: 'GET an unknown file returns 404', path: () => `/api/v1/order/${refIn('active')}/nothing.pdf/download/`, op: 'downloadOrderDocument', want: 404 },
  { does: 'GET a traversal file name returns 400', path: () => `/api/v1/order/${refIn('active')}/..%2F..%2Fetc%2Fpasswd/download/`, op: 'downloadOrderDocument', want: 400 },
  { does: 'GET /terminate_reason/ returns the five reasons', path: () => '/api/v1/terminate_reason/', op: 'listTerminateReasons', want: 200 },
  { does: 'GET /order_request/ returns a page', path: () => '/api/v1/order_request/', op: 'listOrderRequests', want: 200 },
  { does: 'GET /order_request/?action=Résiliation filters', path: () => `/api/v1/order_request/?action=${encodeURIComponent('Résiliation')}`, op: 'listOrderRequests', want: 200 },
  { does: 'GET /order_request/?order_reference= filters', path: () => `/api/v1/order_request/?order_reference=${refIn('terminated')}`, op: 'listOrderRequests', want: 200 },
  { does: 'GET /order_request/?page=0 returns 400', path: () => '/api/v1/order_request/?page=0', op: 'listOrderRequests', want: 400 },

  // writes
  { does: 'POST terminate on an active order returns 201', method: 'POST', path: () => `/api/v1/order/${refIn('active')}/terminate/`, body: () => ({ reason, message: '', request_effective_date: null }), op: 'requestOrderAction', want: 201 },
  { does: 'POST terminate with an unlisted reason returns 400', method: 'POST', path: () => `/api/v1/order/${ordersA.filter((o) => o.state === 'active')[1].order_reference}/terminate/`, body: () => ({ reason: 'Because' }), op: 'requestOrderAction', want: 400 },
  { does: 'POST terminate without a body returns 400', method: 'POST', path: () => `/api/v1/order/${ordersA.filter((o) => o.state === 'active')[1].order_reference}/terminate/`, op: 'requestOrderAction', want: 400 },
  { does: 'POST terminate on a confirmed order returns 409', method: 'POST', path: () => `/api/v1/order/${refIn('confirmed')}/terminate/`, body: () => ({ reason }), op: 'requestOrderAction', want: 409 },
  { does: 'POST terminate on an unknown order returns 404', method: 'POST', path: () => '/api/v1/order/CMD_X_99999999/terminate/', body: () => ({ reason }), op: 'requestOrderAction', want: 404 },
  { does: 'POST cancel on an in_progress order returns 201', method: 'POST', path: () => `/api/v1/order/${refIn('in_progress')}/cancel/`, body: () => ({ reason: 'Projet abandonné' }), op: 'requestOrderAction', want: 201 },
  { does: 'POST change on a terminated order returns 409', method: 'POST', path: () => `/api/v1/order/${refIn('terminated')}/change/`, body: () => ({ reason: 'Changement de débit' }), op: 'requestOrderAction', want: 409 },
  { does: 'POST /product_order/ returns 201', method: 'POST', path: () => '/api/v1/product_order/', body: () => productOrderBody('INTEGRATOR-1'), op: 'createProductOrder', want: 201 },
  { does: 'POST /product_order/ with an empty object returns 400', method: 'POST', path: () => '/api/v1/product_order/', body: () => ({}), op: 'createProductOrder', want: 400 },
  { does: 'POST /product_order/ with malformed JSON returns 400', method: 'POST', path: () => '/api/v1/product_order/', rawBody: '{"external_id":', headers: { 'content-type': 'application/json' }, op: 'createProductOrder', want: 400 },
  { does: 'GET /product_order/{unknown}/ returns 404', path: () => '/api/v1/product_order/PO_NOPE/', op: 'getProductOrder', want: 404 },

  // export
  { does: 'POST export returns 202', method: 'POST', path: () => '/api/v1/order/export/csv/', op: 'startOrderExport', want: 202 },
  { does: 'POST export again returns 429', method: 'POST', path: () => '/api/v1/order/export/csv/', op: 'startOrderExport', want: 429 },
  { does: 'GET status of an unknown task returns 404', path: () => `/api/v1/order/export/${uuid0}/status/`, op: 'getOrderExportStatus', want: 404 },
  { does: 'GET download of an unknown task returns 404', path: () => `/api/v1/order/export/${uuid0}/download/`, op: 'downloadOrderExport', want: 404 },
];

describe('every answer matches openapi.yaml', () => {
  for (const c of cases) {
    it(c.does, async () => {
      const r = await call(s.baseUrl, c.method ?? 'GET', c.path(), {
        token: c.token === undefined ? A1 : c.token,
        body: c.body?.(),
        rawBody: c.rawBody,
        headers: c.headers,
        op: c.op,
      });
      expect(r.status, r.text.slice(0, 300)).toBe(c.want);
      if (c.want === 401) expect(r.headers['www-authenticate']).toBe('Bearer');
    });
  }

  it('a product order reads back, and an export runs to a CSV download', async () => {
    const po = await call(s.baseUrl, 'POST', '/api/v1/product_order/', { body: productOrderBody('INTEGRATOR-2'), op: 'createProductOrder' });
    expect(po.status).toBe(201);
    const read = await call(s.baseUrl, 'GET', `/api/v1/product_order/${po.json.id}/`, { op: 'getProductOrder' });
    expect(read.status).toBe(200);
    expect((await call(s.baseUrl, 'GET', `/api/v1/product_order/${po.json.id}/`, { token: B1, op: 'getProductOrder' })).status).toBe(404);

    const started = await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { token: B1, op: 'startOrderExport' });
    expect(started.status).toBe(202);
    const id = started.json.task_id;
    const running = await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/status/`, { token: B1, op: 'getOrderExportStatus' });
    expect(running.json.success).toBeNull();
    expect((await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/download/`, { token: B1, op: 'downloadOrderExport' })).status).toBe(404);
    s.clock.advance(1000);
    const done = await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/status/`, { token: B1, op: 'getOrderExportStatus' });
    expect(done.json.success).toBe(true);
    const csv = await call(s.baseUrl, 'GET', `/api/v1/order/export/${id}/download/`, { token: B1, op: 'downloadOrderExport' });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
  });

  it('a CSV annex downloads as application/octet-stream', async () => {
    for (const o of ordersA) {
      const docs = await call(s.baseUrl, 'GET', `/api/v1/order/${o.order_reference}/documents/`, { op: 'listOrderDocuments' });
      const csv = docs.json.flatMap((g: { values: string[] }) => g.values).find((n: string) => n.endsWith('.csv'));
      if (!csv) continue;
      const r = await call(s.baseUrl, 'GET', `/api/v1/order/${o.order_reference}/${csv}/download/`, { op: 'downloadOrderDocument' });
      expect(r.status).toBe(200);
      expect(r.contentType).toBe('application/octet-stream');
      return;
    }
    throw new Error('no seeded order has a CSV document');
  });
});

describe('the conformance check itself', () => {
  it('rejects an answer whose body breaks the schema or whose status is undeclared', () => {
    const bad = { status: 200, headers: {}, contentType: 'application/json', buf: Buffer.from('{}'), text: '{}', json: { state: 'nowhere' } };
    expect(() => expectConforms(bad, 'getOrder', 'broken detail')).toThrow();
    expect(() => expectConforms({ ...bad, status: 418 }, 'getOrder', 'undeclared status')).toThrow();
    expect(() => expectConforms({ ...bad, contentType: 'text/html' }, 'getOrder', 'undeclared media type')).toThrow();
  });
});

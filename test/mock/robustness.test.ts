/**
 * Bad input never yields a 5xx, and errors answer JSON: malformed JSON, wrong
 * media types, oversized bodies, odd paths and query strings, unknown
 * methods and routes, prototype-polluting bodies.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, productOrderBody, rawGet, rawRequest, startServer, type Server } from './helpers.ts';

let s: Server;
beforeAll(async () => {
  s = await startServer({ bodyLimit: 4096 });
});
afterAll(async () => {
  await s.close();
});

describe('bodies', () => {
  it.each([
    ['malformed JSON', '{"product_offering_id": ', 'application/json'],
    ['JSON with a trailing comma', '{"a":1,}', 'application/json'],
    ['a JSON string', '"hello"', 'application/json'],
    ['a JSON null', 'null', 'application/json'],
    ['XML', '<order/>', 'application/xml'],
    ['a form', 'a=1&b=2', 'application/x-www-form-urlencoded'],
    ['plain text', 'hello', 'text/plain'],
    ['an invalid media type', '{}', 'not a media type'],
    ['JSON under another name', '{}', 'application/vnd.api+json'],
  ])('POST /product_order/ with %s answers 400 JSON', async (_what, rawBody, type) => {
    const r = await call(s.baseUrl, 'POST', '/api/v1/product_order/', { rawBody, headers: { 'content-type': type }, op: 'createProductOrder' });
    expect(r.status).toBe(400);
    expect(typeof r.json.detail).toBe('string');
  });

  it('a body over the limit answers 413 JSON, on every POST', async () => {
    const big = JSON.stringify({ ...productOrderBody('big'), note: 'x'.repeat(5000) });
    for (const path of ['/api/v1/product_order/', '/api/v1/order/CMD_X_00000003/terminate/', '/api/v1/order/export/csv/']) {
      const r = await call(s.baseUrl, 'POST', path, { rawBody: big, headers: { 'content-type': 'application/json' }, op: 'none' });
      expect(r.status, path).toBe(413);
      expect(r.json.detail).toMatch(/too large/);
    }
  });

  it('a body that tries to pollute prototypes is harmless', async () => {
    const rawBody = `{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, ${JSON.stringify(productOrderBody('proto')).slice(1)}`;
    const r = await call(s.baseUrl, 'POST', '/api/v1/product_order/', { rawBody, headers: { 'content-type': 'application/json' }, op: 'createProductOrder' });
    expect(r.status).toBe(201);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const t = await call(s.baseUrl, 'POST', '/api/v1/order/CMD_X_00000003/terminate/', {
      rawBody: '{"reason":"Cessation d\'activité","__proto__":{"polluted":true}}',
      headers: { 'content-type': 'application/json' },
      op: 'requestOrderAction',
    });
    expect([400, 409]).toContain(t.status);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the export start ignores a body it does not need: empty JSON, or an empty chunked body without a media type (as a proxy sends it)', async () => {
    const first = await call(s.baseUrl, 'POST', '/api/v1/order/export/csv/', { rawBody: '', headers: { 'content-type': 'application/json' }, op: 'startOrderExport' });
    expect(first.status).toBe(202);
    s.clock.advance(300_000);
    const chunked = await rawRequest(s.baseUrl, 'POST /api/v1/order/export/csv/ HTTP/1.1\nTransfer-Encoding: chunked', { body: '0\r\n\r\n' });
    expect(chunked.status).toBe(202);
  });
});

describe('paths, parameters and methods', () => {
  it.each([
    ['/api/v1/order/%ZZ/', [400]],
    ['/api/v1/order/%E0%A4%A/historic/', [400]],
    [`/api/v1/order/${'x'.repeat(600)}/`, [400]],
    ['/api/v1/order/%00/', [404]],
    ['/api/v1/order/%F0%9F%92%A9/', [404]],
    ['/api/v1/order/CMD_X_00000001%2F..%2F/', [404]],
    ['/api/v1//order/', [404]],
    ['/api/v1/order', [404]],
    ['/api/v1/order/export/', [404]],
    ['/api/v1/order/export/csv/', [404]],
    ['/api/v1/order/?page=%ZZ', [400]],
    ['/api/v1/order/?page=1e3', [400]],
    ['/api/v1/order/?page=-1', [400]],
    ['/api/v1/order/?page=', [400]],
    ['/api/v1/order/?page_size=0', [400]],
    ['/api/v1/order/?page_size=99999999999999999999', [400]],
    ['/api/v1/order/?page[]=1', [200]],
    ['/api/v1/order/?%00=%00', [200]],
    ['/api/v1/order_request/?action=a&action=b', [400]],
    ['/api/v1/order_request/?order_reference=%27%20OR%201=1--', [200]],
    ['/api/v1/nothing/', [404]],
    ['/', [404]],
    ['/_pact/provider-states', [404]],
    ['*', [400, 404]],
  ])('GET %s answers %j', async (target, statuses) => {
    const r = await rawGet(s.baseUrl, target);
    expect(statuses).toContain(r.status);
    expect(() => JSON.parse(r.body)).not.toThrow();
  });

  it('unknown methods answer 404 JSON; HEAD answers like GET without a body', async () => {
    for (const method of ['DELETE', 'PUT', 'PATCH', 'OPTIONS']) {
      const r = await call(s.baseUrl, method, '/api/v1/order/', { op: 'none' });
      expect(r.status, method).toBe(404);
    }
    const head = await call(s.baseUrl, 'HEAD', '/api/v1/order/', { op: 'none' });
    expect(head.status).toBe(200);
    expect(head.buf.length).toBe(0);
  });

  it('random paths and query strings never answer 5xx, and always answer JSON', async () => {
    const segment = fc.oneof(fc.constantFrom('api', 'v1', 'order', 'export', 'csv', 'status', 'download', 'historic', 'documents', 'terminate', 'CMD_X_00000001', '..', '.', '%2e%2e', '%2F', '%00', '%ZZ', '%', '~', '*'), fc.stringMatching(/^[A-Za-z0-9._~%!$&'()*+,;=:@-]{0,30}$/));
    const query = fc.stringMatching(/^[A-Za-z0-9._~%!$&'()*+,;=:@/?-]{0,40}$/);
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 0, maxLength: 7 }), fc.boolean(), query, async (segments, prefix, q) => {
        const target = `${prefix ? '/api/v1/' : '/'}${segments.join('/')}${segments.length ? '/' : ''}${q ? `?${q}` : ''}`;
        const r = await rawGet(s.baseUrl, target);
        expect(r.status, target).toBeGreaterThanOrEqual(200);
        expect(r.status, target).toBeLessThan(500);
        if (r.body.length > 0 && !r.body.startsWith('%PDF') && !target.includes('download')) expect(() => JSON.parse(r.body), target).not.toThrow();
      }),
      { numRuns: 300, seed: 20260105 },
    );
  });
});

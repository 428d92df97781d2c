/**
 * The pact-versus-spec check: the committed pact is promised by openapi.yaml,
 * and interactions the spec does not promise are reported with their
 * description and the field at fault.
 */
import { readFileSync } from 'node:fs';
import { MatchersV3 as M } from '@pact-foundation/pact';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../src/index.ts';
import { PACT_FILE } from './config.ts';
import { checkPactAgainstSpec, formatProblems, reify, type Problem } from './pact-vs-spec.ts';

const spec = loadSpec();

/** A V4 pact with the given HTTP interactions. */
function pactOf(...interactions: object[]) {
  return {
    consumer: { name: 'c' },
    provider: { name: 'p' },
    interactions: interactions.map((i) => ({ type: 'Synchronous/HTTP', ...i })),
    metadata: { pactSpecification: { version: '4.0' } },
  };
}
const json = (content: unknown) => ({ content, contentType: 'application/json', encoded: false });
const jsonHeaders = { 'Content-Type': ['application/json'] };
const order = { order_reference: 'CMD_X_00009444', state: 'active', order_date: '2025-04-23' };

const errorsOf = (problems: Problem[]) => problems.filter((p) => p.severity === 'error');

describe('checkPactAgainstSpec', () => {
  it('passes the committed pact', () => {
    const pact = JSON.parse(readFileSync(PACT_FILE, 'utf8'));
    const problems = checkPactAgainstSpec(pact, spec);
    expect(formatProblems(problems)).toBe('✓ every interaction is promised by the spec');
    expect(pact.interactions.length).toBeGreaterThanOrEqual(12);
  });

  it('reports a field the spec does not define, with the interaction and the pointer', () => {
    const pact = pactOf({
      description: 'a request for an order with a foo',
      request: { method: 'GET', path: '/api/v1/order/CMD_X_00009444/' },
      response: { status: 200, headers: jsonHeaders, body: json({ ...order, foo: 'bar' }) },
    });
    const problems = errorsOf(checkPactAgainstSpec(pact, spec));
    expect(problems).toEqual([
      expect.objectContaining({
        interaction: 'a request for an order with a foo',
        field: 'response.body',
        pointer: '/foo',
        operation: 'getOrder (GET /api/v1/order/{order_reference}/)',
      }),
    ]);
    expect(formatProblems(problems)).toContain('"a request for an order with a foo" — response.body /foo: field "foo" is not defined by the spec for 200 of getOrder');
  });

  it('reports a status the spec does not declare', () => {
    const pact = pactOf({
      description: 'a teapot order',
      request: { method: 'GET', path: '/api/v1/order/CMD_X_00009444/' },
      response: { status: 418, headers: jsonHeaders, body: json({ detail: 'I am a teapot' }) },
    });
    const problems = checkPactAgainstSpec(pact, spec);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ interaction: 'a teapot order', field: 'response.status', severity: 'error' });
    expect(problems[0]?.message).toBe('status 418 is not declared by getOrder (declared: 200, 401, 403, 404)');
  });

  it('accepts a status matched by a declared range (2XX)', () => {
    const pact = pactOf({
      description: 'an export started with 200',
      request: { method: 'POST', path: '/api/v1/order/export/csv/' },
      response: { status: 200, headers: jsonHeaders, body: json({ task_id: '550e8400-e29b-41d4-a716-446655440000' }) },
    });
    expect(checkPactAgainstSpec(pact, spec)).toEqual([]);
  });

  // given / want: one broken expectation each, and the field it is reported at
  const cases: { name: string; interaction: object; field: string; pointer?: string; message: RegExp }[] = [
    {
      name: 'a path the spec does not have',
      interaction: { request: { method: 'GET', path: '/api/v1/orders/' }, response: { status: 200 } },
      field: 'request.path',
      message: /GET \/api\/v1\/orders\/ matches no path of the spec/,
    },
    {
      name: 'a method the path does not declare',
      interaction: { request: { method: 'DELETE', path: '/api/v1/order/CMD_X_1/' }, response: { status: 204 } },
      field: 'request.path',
      message: /declares only GET on \/api\/v1\/order\/\{order_reference\}\//,
    },
    {
      name: 'an action the path parameter does not allow',
      interaction: {
        request: { method: 'POST', path: '/api/v1/order/CMD_X_1/explode/', headers: jsonHeaders, body: json({ reason: 'x' }) },
        response: { status: 201 },
      },
      field: 'request.path.action',
      message: /path parameter "action" = "explode" is not valid/,
    },
    {
      name: 'an undeclared query parameter',
      interaction: { request: { method: 'GET', path: '/api/v1/order/', query: { sort: ['state'] } }, response: { status: 200 } },
      field: 'request.query.sort',
      message: /query parameter "sort" is not declared by listOrders/,
    },
    {
      name: 'a query value outside the schema',
      interaction: { request: { method: 'GET', path: '/api/v1/order/', query: { page_size: ['0'] } }, response: { status: 200 } },
      field: 'request.query.page_size',
      message: /query parameter "page_size" = "0" is not valid: must be >= 1/,
    },
    {
      name: 'a request body the operation refuses',
      interaction: {
        request: { method: 'POST', path: '/api/v1/order/CMD_X_1/terminate/', headers: jsonHeaders, body: json({ reason: 'x', urgent: true }) },
        response: { status: 201 },
      },
      field: 'request.body',
      pointer: '/urgent',
      message: /field "urgent" is not defined by the spec/,
    },
    {
      name: 'a wrong type in the response body',
      interaction: {
        request: { method: 'GET', path: '/api/v1/order/export/550e8400-e29b-41d4-a716-446655440000/status/' },
        response: { status: 200, headers: jsonHeaders, body: json({ task_id: '550e8400-e29b-41d4-a716-446655440000', success: 'yes' }) },
      },
      field: 'response.body',
      pointer: '/success',
      message: /^must be boolean,null \(example: "yes"\)$/,
    },
    {
      name: 'a nested field the spec does not define (inside a page of orders)',
      interaction: {
        request: { method: 'GET', path: '/api/v1/order/' },
        response: { status: 200, headers: jsonHeaders, body: json({ results: [{ ...order, colour: 'red' }] }) },
      },
      field: 'response.body',
      pointer: '/results/0/colour',
      message: /field "colour" is not defined by the spec/,
    },
    {
      name: 'a media type the status does not declare',
      interaction: {
        request: { method: 'GET', path: '/api/v1/order/export/550e8400-e29b-41d4-a716-446655440000/download/' },
        response: { status: 200, headers: { 'Content-Type': ['application/json'] }, body: json({ rows: [] }) },
      },
      field: 'response.headers.Content-Type',
      message: /media type application\/json is not declared for 200 of downloadOrderExport \(declared: text\/csv\)/,
    },
    {
      name: 'a response header the spec does not declare',
      interaction: {
        request: { method: 'GET', path: '/api/v1/terminate_reason/' },
        response: { status: 200, headers: { ...jsonHeaders, 'X-Reasons-Version': ['3'] }, body: json({ terminate_reasons: ['x'] }) },
      },
      field: 'response.headers.X-Reasons-Version',
      message: /header "X-Reasons-Version" is not declared for 200/,
    },
    {
      name: 'a Retry-After that is not a number of seconds',
      interaction: {
        request: { method: 'POST', path: '/api/v1/order/export/csv/' },
        response: { status: 429, headers: { ...jsonHeaders, 'Retry-After': ['soon'] }, body: json({ detail: 'slow down' }) },
      },
      field: 'response.headers.Retry-After',
      message: /header "Retry-After" = "soon" is not valid/,
    },
  ];
  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      const problems = errorsOf(checkPactAgainstSpec(pactOf({ description: c.name, ...c.interaction }), spec));
      const hit = problems.find((p) => p.field === c.field && (c.pointer === undefined || p.pointer === c.pointer));
      expect(hit, formatProblems(problems)).toBeDefined();
      expect(hit?.interaction).toBe(c.name);
      expect(hit?.message).toMatch(c.message);
    });
  }

  it('reifies inline matchers to their examples before validating', () => {
    const body = {
      results: M.eachLike({ order_reference: M.string('CMD_X_1'), state: M.regex('active|terminated', 'active'), foo: M.integer(1) }),
    };
    expect(reify(body)).toEqual({ results: [{ order_reference: 'CMD_X_1', state: 'active', foo: 1 }] });
    const pact = pactOf({
      description: 'a matcher-built list with a foo',
      request: { method: 'GET', path: '/api/v1/order/' },
      response: { status: 200, headers: jsonHeaders, body: json(body) },
    });
    const problems = errorsOf(checkPactAgainstSpec(pact, spec));
    expect(problems.map((p) => [p.field, p.pointer])).toEqual([['response.body', '/results/0/foo']]);
  });

  it('reads V2/V3 pacts (raw bodies, query strings)', () => {
    const pact = {
      interactions: [
        {
          description: 'a V2 list request with a teapot',
          request: { method: 'GET', path: '/api/v1/order/', query: 'page=1&page_size=10' },
          response: { status: 418, headers: { 'Content-Type': 'application/json' }, body: [order] },
        },
      ],
    };
    const problems = checkPactAgainstSpec(pact, spec);
    expect(problems.map((p) => p.field)).toEqual(['response.status']);
  });

  it('does not count a field the consumer leaves out as a problem (a pact body is a subset)', () => {
    const pact = pactOf({
      description: 'a list request reading one field',
      request: { method: 'GET', path: '/api/v1/order/' },
      response: { status: 200, headers: jsonHeaders, body: json({ results: [{ state: 'active' }] }) },
    });
    expect(checkPactAgainstSpec(pact, spec)).toEqual([]);
  });

  it('rejects something that is not a pact', () => {
    expect(checkPactAgainstSpec({ hello: 'world' }, spec)[0]).toMatchObject({ field: 'interactions', message: 'not a pact: no interactions array' });
  });
});

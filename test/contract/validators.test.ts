/**
 * The graded validators: severity from `x-inferred`, anyOf/oneOf absorbing
 * their branches, strict mode with the OpenAPI keywords declared, every schema
 * compiling, and how a status finds its response.
 */
import { describe, expect, it } from 'vitest';
import { loadSpec, parseSpec } from '../../src/contract/load.ts';
import { truncateValue, validatorsFor, Validators } from '../../src/contract/validators.ts';

/** A contract holding only the given component schemas (and, optionally, paths). */
function specWith(schemas: string, paths = '{}') {
  return parseSpec(`openapi: 3.1.0
info: { title: t, version: '1' }
paths: ${paths}
x-lifecycle: {}
x-requirements: {}
components:
  schemas:
${schemas.replace(/^/gm, '    ')}
`);
}

describe('severity comes from x-inferred, node by node', () => {
  const v = validatorsFor(
    specWith(`
Thing:
  type: object
  required: [doc, guess]
  properties:
    doc: { type: string, pattern: '^[a-z]+$' }
    guess: { type: string, pattern: '^[0-9]+$', x-inferred: one example only }
    nested:
      x-inferred: the nested object is not shown
      type: object
      required: [inner]
      properties:
        inner: { type: integer }
Loose:
  x-inferred: the whole body is a guess
  type: object
  required: [a]
  properties:
    a: { type: string }
`),
  );
  const check = v.component('Thing');

  it('a keyword failing on an x-inferred node is a warning carrying the reason', () => {
    expect(check({ doc: 'abc', guess: 'x' })).toEqual([{ pointer: '/guess', value: 'x', keyword: 'pattern', message: 'must match pattern "^[0-9]+$"', severity: 'warning', inferred: 'one example only' }]);
  });

  it('a keyword failing on a node without x-inferred is an error', () => {
    const [violation, ...rest] = check({ doc: 'ABC', guess: '1' });
    expect(rest).toEqual([]);
    expect(violation).toMatchObject({ pointer: '/doc', keyword: 'pattern', severity: 'error' });
    expect(violation).not.toHaveProperty('inferred');
  });

  it('a missing property is graded by the node that requires it', () => {
    expect(check({ guess: '1' })).toEqual([{ pointer: '/doc', value: undefined, keyword: 'required', message: 'required property "doc" is missing', severity: 'error' }]);
    expect(check({ doc: 'a', guess: '1', nested: {} })).toMatchObject([{ pointer: '/nested/inner', keyword: 'required', severity: 'warning' }]);
  });

  it('x-inferred on a parent does not soften its children', () => {
    expect(check({ doc: 'a', guess: '1', nested: { inner: 'one' } })).toMatchObject([{ pointer: '/nested/inner', keyword: 'type', severity: 'error' }]);
    const loose = v.component('Loose');
    expect(loose({})).toMatchObject([{ pointer: '/a', severity: 'warning' }]);
    expect(loose({ a: 1 })).toMatchObject([{ pointer: '/a', severity: 'error' }]);
  });

  it('every violation of an instance is reported (allErrors)', () => {
    expect(check({ doc: 1, guess: 2 }).map((x) => x.pointer)).toEqual(['/doc', '/guess']);
  });

  it('a valid instance has no violation', () => {
    expect(check({ doc: 'abc', guess: '123', nested: { inner: 1 } })).toEqual([]);
  });

  it('in the project contract: an unknown history state is a warning, an unknown order state an error', () => {
    const real = validatorsFor(loadSpec());
    expect(real.component('HistoryEntry')({ change_reason: '', change_date: '2025-06-03T18:37:08+02:00', state: 'lost' })).toMatchObject([{ pointer: '/state', keyword: 'anyOf', severity: 'warning' }]);
    expect(real.component('OrderState')('lost')).toMatchObject([{ pointer: '', keyword: 'enum', severity: 'error' }]);
  });
});

describe('anyOf and oneOf absorb the errors of their branches', () => {
  const v = validatorsFor(
    specWith(`
Manager:
  type: object
  required: [name, email]
  properties:
    name: { type: string }
    email: { type: string }
    deep: { type: object, properties: { x: { type: object, properties: { y: { type: string } } } } }
NullableManager:
  oneOf:
    - $ref: '#/components/schemas/Manager'
    - type: 'null'
Either:
  anyOf:
    - type: array
      items: { $ref: '#/components/schemas/Manager' }
    - type: object
      required: [results]
      properties:
        results: { type: array, items: { $ref: '#/components/schemas/Manager' } }
Guess:
  x-inferred: the vocabulary is a guess
  anyOf:
    - { type: string, enum: [a, b] }
    - { type: string, enum: [c] }
Managers:
  type: array
  items: { $ref: '#/components/schemas/NullableManager' }
`),
  );

  it('a failing oneOf is one violation at its own pointer, naming the closest branch error', () => {
    expect(v.component('NullableManager')({ name: 1, email: 'e' })).toEqual([
      {
        pointer: '',
        value: { name: 1, email: 'e' },
        keyword: 'oneOf',
        message: 'must match exactly one schema in oneOf (closest: /name must be string)',
        severity: 'error',
      },
    ]);
  });

  it('a failing anyOf names the deepest error among its branches', () => {
    const [only, ...rest] = v.component('Either')([
      { name: 'n', email: 'e' },
      { name: 'n', email: 'e', deep: { x: { y: 1 } } },
    ]);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ pointer: '', keyword: 'anyOf', severity: 'error' });
    expect(only?.message).toBe('must match a schema in anyOf (closest: /1/deep/x/y must be string)');
  });

  it('a type mismatch of a whole branch is not named as the closest error', () => {
    const [only] = v.component('NullableManager')('a string');
    expect(only?.message).toBe('must match exactly one schema in oneOf');
  });

  it('the composite node decides the severity (x-inferred on the anyOf → warning)', () => {
    expect(v.component('Guess')('z')).toMatchObject([{ pointer: '', keyword: 'anyOf', severity: 'warning', inferred: 'the vocabulary is a guess' }]);
  });

  it('a composite at /1 neither absorbs nor names the errors of /10', () => {
    const list: unknown[] = Array.from({ length: 11 }, () => null);
    list[1] = { name: 1, email: 'e' };
    list[10] = { name: 'n', email: 'e', deep: { x: { y: 5 } } };
    expect(v.component('Managers')(list)).toEqual([
      { pointer: '/1', value: list[1], keyword: 'oneOf', message: 'must match exactly one schema in oneOf (closest: /1/name must be string)', severity: 'error' },
      { pointer: '/10', value: list[10], keyword: 'oneOf', message: 'must match exactly one schema in oneOf (closest: /10/deep/x/y must be string)', severity: 'error' },
    ]);
  });
});

describe('strict mode with the OpenAPI keywords declared', () => {
  it('accepts example, discriminator, xml, externalDocs and the x- keywords of the contract', () => {
    const v = validatorsFor(
      specWith(`
A:
  type: object
  example: { a: 1 }
  externalDocs: { url: 'https://example.invalid' }
  xml: { name: a }
  x-inferred: because
  x-requirements: [X]
  x-strict-status: 202
  properties: { a: { type: integer } }
`),
    );
    expect(v.component('A')({ a: 1 })).toEqual([]);
  });

  it('refuses an unknown keyword (a typo in openapi.yaml is caught, not ignored)', () => {
    const v = new Validators(specWith(`A: { type: object, requried: [a] }`));
    expect(() => v.component('A')).toThrow(/unknown keyword: "requried"/);
  });

  it('refuses an undeclared extension keyword', () => {
    const v = new Validators(specWith(`A: { type: string, x-made-up: 1 }`));
    expect(() => v.component('A')).toThrow(/x-made-up/);
  });

  it('knows the date, date-time and uuid formats', () => {
    const v = validatorsFor(specWith(`D: { type: string, format: date }\nT: { type: string, format: date-time }\nU: { type: string, format: uuid }`));
    expect(v.component('D')('2024-02-29')).toEqual([]);
    expect(v.component('D')('2025-02-29')).toMatchObject([{ keyword: 'format', message: 'must be a valid date' }]);
    expect(v.component('T')('2025-06-03T18:37:08.384+02:00')).toEqual([]);
    expect(v.component('T')('2025-06-03 18:37:08')).toMatchObject([{ keyword: 'format' }]);
    expect(v.component('U')('550e8400-e29b-41d4-a716-446655440000')).toEqual([]);
    expect(v.component('U')('550e8400')).toMatchObject([{ keyword: 'format', message: 'must be a valid uuid' }]);
  });

  it('an unknown component is an error, not a silent pass', () => {
    expect(() => validatorsFor(loadSpec()).component('NoSuchSchema')).toThrow(/NoSuchSchema/);
  });
});

describe('compileAll', () => {
  const spec = loadSpec();

  it('compiles every component, response and request schema of the contract without throwing', () => {
    const v = new Validators(spec);
    const components = Object.keys(spec.schemas).length;
    let media = 0;
    let requests = 0;
    for (const op of spec.operations.values()) {
      for (const r of Object.values(op.responses)) media += Object.values(r.content).filter(Boolean).length;
      if (op.requestSchema) requests++;
    }
    expect(v.compileAll()).toBe(components + media + requests);
    expect(components).toBeGreaterThan(20);
  });

  it('is cheap the second time (validators are cached)', () => {
    const v = validatorsFor(spec);
    v.compileAll();
    expect(v.component('OrderDetail')).toBe(v.component('OrderDetail'));
    expect(v.response('getOrder', 200)).toBe(v.response('getOrder', 200));
  });
});

describe('responseKey: exact, then range, then default', () => {
  const op = (responses: string) => `{ /x/: { get: { operationId: op, responses: ${responses} } } }`;
  const v = validatorsFor(specWith(`E: { type: object }`, op(`{ '200': { description: a }, '2XX': { description: b }, '404': { description: c }, '4XX': { description: d }, default: { description: e } }`)));
  const rows: [number, string | undefined][] = [
    [200, '200'],
    [201, '2XX'],
    [299, '2XX'],
    [404, '404'],
    [429, '4XX'],
    [500, 'default'],
    [302, 'default'],
  ];
  it.each(rows)('%i → %s', (status, key) => {
    expect(v.responseKey('op', status)).toBe(key);
  });

  it('without a default, an undeclared status has no key', () => {
    const w = validatorsFor(specWith(`E: { type: object }`, op(`{ '200': { description: a } }`)));
    expect(w.responseKey('op', 500)).toBeUndefined();
    expect(w.responseKey('op', 201)).toBeUndefined();
    expect(w.responseKey('nope', 200)).toBeUndefined();
  });

  it('in the contract: any 2xx of the export start answers to 2XX', () => {
    const real = validatorsFor(loadSpec());
    expect(real.responseKey('startOrderExport', 202)).toBe('2XX');
    expect(real.responseKey('startOrderExport', 200)).toBe('2XX');
    expect(real.responseKey('startOrderExport', 429)).toBe('429');
    expect(real.responseKey('getOrder', 404)).toBe('404');
    expect(real.responseKey('getOrder', 500)).toBeUndefined();
  });

  it('response() has no JSON validator where the contract declares none', () => {
    const real = validatorsFor(loadSpec());
    expect(real.response('downloadOrderExport', 200)).toBeUndefined();
    expect(real.response('downloadOrderExport', 200, 'text/csv')).toBeDefined();
    expect(real.response('getOrder', 500)).toBeUndefined();
    expect(() => real.response('noSuchOperation', 200)).toThrow(/noSuchOperation/);
  });

  it('request() validates a JSON body where there is one', () => {
    const real = validatorsFor(loadSpec());
    expect(real.request('listOrders')).toBeUndefined();
    expect(real.request('requestOrderAction')?.({ reason: "Cessation d'activité" })).toEqual([]);
  });
});

describe('evidence', () => {
  it('truncates long strings and big structures, keeps small values', () => {
    expect(truncateValue('x'.repeat(250))).toBe(`${'x'.repeat(200)}…(250 chars)`);
    expect(truncateValue({ a: 1 })).toEqual({ a: 1 });
    expect(String(truncateValue({ a: 'y'.repeat(300) }))).toMatch(/…\(\d+ chars\)$/);
    expect(truncateValue(42)).toBe(42);
  });

  it('a violation carries the value found at its pointer', () => {
    const v = validatorsFor(loadSpec());
    const [x] = v.component('ExportTask')({ task_id: 'nope' });
    expect(x).toMatchObject({ pointer: '/task_id', value: 'nope' });
  });
});

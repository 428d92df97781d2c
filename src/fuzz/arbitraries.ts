/**
 * fast-check arbitraries for the fuzz phase, derived from `openapi.yaml`
 * wherever it says what is valid (a parameter's type, enum, format, minimum,
 * maximum, length; a request body's schema and examples), mixed with hostile
 * values: empty, very long, unicode and control characters, percent-encoding
 * tricks sent raw, numbers out of range, injection-looking strings,
 * duplicated and unknown parameters.
 *
 * Values stay plain data (strings, `{name, value}` records, JSON bodies) so a
 * shrunk counterexample prints readably and replays from fast-check's seed and
 * path. Turning a value into a URL is `./request.ts`'s job.
 */
import * as fc from 'fast-check';
import { deref, type Json, type JsonObject, type Spec } from '../contract/load.ts';

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ------------------------------------------------------------ spec reading

export interface ParamDef {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required: boolean;
  schema: JsonObject;
}

/** The parameters an operation declares, references followed. */
export function parametersOf(spec: Spec, operationId: string): ParamDef[] {
  const op = spec.operations.get(operationId);
  if (!op) throw new Error(`unknown operation ${operationId}`);
  const list = Array.isArray(op.raw.parameters) ? op.raw.parameters : [];
  const out: ParamDef[] = [];
  for (const raw of list) {
    const p = deref(spec.doc, raw);
    if (!isObject(p) || typeof p.name !== 'string') continue;
    const schema = deref(spec.doc, p.schema as Json | undefined);
    out.push({ name: p.name, in: String(p.in) as ParamDef['in'], required: p.required === true, schema: isObject(schema) ? schema : {} });
  }
  return out;
}

/** A named example of `components.examples`, copied. */
export function exampleOf(spec: Spec, name: string): unknown {
  const examples = isObject(spec.doc.components) && isObject(spec.doc.components.examples) ? spec.doc.components.examples : {};
  const ex = examples[name];
  return isObject(ex) ? structuredClone(ex.value) : undefined;
}

// ------------------------------------------------------------ hostile values

/** Strings that have broken servers before: empty, blank, injection-shaped, encoding-shaped, odd unicode. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t',
  'null',
  'undefined',
  'NaN',
  'true',
  '[]',
  '{}',
  '0',
  '-1',
  "' OR '1'='1",
  '" OR ""="',
  '1; DROP TABLE orders; --',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${7*7}',
  '../../../../etc/passwd',
  '..\\..\\win.ini',
  '%00',
  '%',
  '%25',
  '%2F',
  '\u0000',
  '\r\n',
  'a\u0000b',
  '\u202e',
  '\ufeff',
  'é',
  'e\u0301',
  '\u{1F600}',
  '１',
  '١',
  '\uffff',
  '__proto__',
  'constructor',
  '{"$gt":""}',
  '*',
  '?',
  '#',
  '&',
  '=',
  '+',
  ';',
  ',',
  '/',
  '\\',
];

/**
 * Percent-encoding tricks, sent as they are (never encoded again): invalid
 * escapes, encoded separators, double encoding, overlong and invalid UTF-8.
 * Only printable ASCII without `#` and `?`, so that every one is a valid
 * request target.
 */
export const RAW_TRICKS: readonly string[] = ['%', '%%', '%zz', '%0', '%00', '%0a', '%0d%0a', '%20', '%2F', '%5C', '%2e%2e%2f', '%252F', '%25', '%C0%AF', '%C0%80', '%ED%A0%80', '%FF', '%FE%FF', '%E2%80%AE', '%u0041', '+', '%2B', '1%00', '1%20', '1;2', '1&x=1', 'a=b=c', '%F0%9F%98%80', '..%2F..%2F'];

/** Query parameter names no operation declares. */
export const UNKNOWN_NAMES: readonly string[] = ['foo', 'PAGE', 'Page_Size', 'page_size[]', 'page[size]', 'limit', 'offset', 'ordering', 'search', 'format', 'state', 'id', '__proto__', 'constructor', '', ' ', 'a'.repeat(300), '%'];

const controlChars = fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 4 });
const unicode = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 });
/** One character repeated: shrinks to the shortest length that still fails. */
const long = fc.tuple(fc.constantFrom('a', '9', 'é', '%'), fc.integer({ min: 64, max: 5000 })).map(([c, n]) => c.repeat(n));

/** Any hostile string (never raw: it is percent-encoded when sent). */
export function hostileString(): fc.Arbitrary<string> {
  return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) }, { weight: 2, arbitrary: unicode }, { weight: 1, arbitrary: controlChars }, { weight: 2, arbitrary: long }, { weight: 2, arbitrary: fc.string({ maxLength: 12 }) });
}

/** Numbers written wrongly or out of the schema's range, for an integer parameter. */
function hostileInteger(schema: JsonObject): fc.Arbitrary<string> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  const out: fc.Arbitrary<string>[] = [
    fc.constantFrom('1.5', '1e3', '0x1F', '+1', ' 1', '1 ', '-0', '00', '9'.repeat(30), '１', '١', '1_000', '1,000', '½', 'Infinity', '-Infinity', '2147483648', '-2147483649', '9007199254740993'),
    // a valid number with something after it: unicode, control or ASCII noise
    fc.tuple(fc.integer({ min: min ?? 0, max: Math.min(max ?? 100, 100) }), fc.oneof(unicode, controlChars, fc.string({ minLength: 1, maxLength: 3 }))).map(([n, s]) => `${n}${s}`),
  ];
  if (min !== undefined) out.push(fc.integer({ min: -(2 ** 31), max: min - 1 }).map(String));
  if (max !== undefined) out.push(fc.integer({ min: max + 1, max: 2 ** 53 }).map(String));
  return fc.oneof(...out);
}

/** Values a schema accepts, or the known values of a field when there are some. */
export function validValue(schema: JsonObject, known: readonly string[] = []): fc.Arbitrary<string> {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...schema.enum.map(String));
  switch (schema.type) {
    case 'integer': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -(2 ** 31);
      const max = typeof schema.maximum === 'number' ? schema.maximum : 2 ** 31 - 1;
      // mostly near the minimum (a page that exists), sometimes anywhere in range
      return fc.oneof({ weight: 3, arbitrary: fc.integer({ min, max: Math.min(max, min + 20) }) }, { weight: 1, arbitrary: fc.integer({ min, max }) }).map(String);
    }
    case 'number':
      return fc.double({ min: typeof schema.minimum === 'number' ? schema.minimum : -1e9, max: typeof schema.maximum === 'number' ? schema.maximum : 1e9, noNaN: true }).map(String);
    case 'boolean':
      return fc.constantFrom('true', 'false');
    default:
      break;
  }
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'date') return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  if (known.length > 0) return fc.constantFrom(...known);
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Math.max(minLength, 40);
  return fc.string({ minLength, maxLength });
}

/** Hostile values for a parameter of this schema. */
export function hostileValue(schema: JsonObject): fc.Arbitrary<string> {
  return schema.type === 'integer' || schema.type === 'number' ? fc.oneof({ weight: 3, arbitrary: hostileInteger(schema) }, { weight: 2, arbitrary: hostileString() }) : hostileString();
}

/** Near misses of known values: other case, padding, a character more or less, decomposed accents. */
const VARIANTS: readonly ((s: string) => string)[] = [
  (s) => s.toUpperCase(),
  (s) => s.toLowerCase(),
  (s) => ` ${s}`,
  (s) => `${s} `,
  (s) => `${s}\u0000`,
  (s) => s.slice(0, -1),
  (s) => `${s}x`,
  (s) => s.normalize('NFD'),
  (s) => `${s}${s}`,
  (s) => `${s}%`,
  (s) => `${s}/x`,
  (s) => `${s}.`,
  (s) => `${s.slice(0, -1)}*`,
  (s) => `${s}' OR '1'='1`,
];

export function nearMiss(known: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...known), fc.constantFrom(...VARIANTS)).map(([s, f]) => f(s));
}

/** A value for a field with known values: mostly those, then near misses, then hostile strings. */
export function fieldValue(known: readonly string[]): fc.Arbitrary<string> {
  if (known.length === 0) return hostileString();
  return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 2, arbitrary: nearMiss(known) }, { weight: 2, arbitrary: hostileString() });
}

// ------------------------------------------------------------ queries

/** One `name=value` pair. `raw` values are sent as they are (percent tricks); others are encoded. */
export interface QueryPart {
  name: string;
  value: string;
  raw?: true;
}

/**
 * A query string as a list of pairs, so that parameters can be missing,
 * duplicated or unknown. Declared parameters get valid values (from the
 * schema, or `known` values) and hostile ones.
 */
export function queryArb(params: ParamDef[], known: Record<string, readonly string[]> = {}, maxParts = 4): fc.Arbitrary<QueryPart[]> {
  const declared = params.filter((p) => p.in === 'query');
  const parts: fc.WeightedArbitrary<QueryPart>[] = [];
  for (const p of declared) {
    const value = fc.oneof({ weight: 2, arbitrary: validValue(p.schema, known[p.name]) }, { weight: 3, arbitrary: hostileValue(p.schema) });
    parts.push({ weight: 4, arbitrary: fc.record({ name: fc.constant(p.name), value }, { noNullPrototype: true }) });
  }
  parts.push({ weight: 2, arbitrary: fc.record({ name: fc.constantFrom(...UNKNOWN_NAMES), value: fc.oneof(fc.constantFrom('1', 'x'), hostileString()) }, { noNullPrototype: true }) });
  if (declared.length > 0) {
    parts.push({ weight: 1, arbitrary: fc.record({ name: fc.constantFrom(...declared.map((p) => p.name)), value: fc.constantFrom(...RAW_TRICKS), raw: fc.constant(true as const) }, { noNullPrototype: true }) });
  }
  return fc.array(fc.oneof(...parts), { maxLength: maxParts });
}

// ------------------------------------------------------------ path segments

/** One path segment: encoded when sent, unless `raw`. */
export interface Segment {
  value: string;
  raw?: true;
}

/** A segment that URL normalisation would turn into another path ('.', '..', empty). */
export function isNormalisedAway(s: Segment): boolean {
  let decoded = s.value;
  if (s.raw) {
    try {
      decoded = decodeURIComponent(s.value);
    } catch {
      return false;
    }
  }
  return decoded === '' || decoded === '.' || decoded === '..';
}

/** A segment for a path parameter: known values, near misses, hostile strings and raw tricks. */
export function segmentArb(known: readonly string[], valid?: fc.Arbitrary<string>): fc.Arbitrary<Segment> {
  const options: fc.WeightedArbitrary<Segment>[] = [
    { weight: 3, arbitrary: hostileString().map((value) => ({ value })) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_TRICKS).map((value) => ({ value, raw: true as const })) },
  ];
  if (known.length > 0) {
    options.push({ weight: 1, arbitrary: fc.constantFrom(...known).map((value) => ({ value })) });
    options.push({ weight: 2, arbitrary: nearMiss(known).map((value) => ({ value })) });
  }
  if (valid) options.push({ weight: 1, arbitrary: valid.map((value) => ({ value })) });
  return fc.oneof(...options).filter((s) => !isNormalisedAway(s));
}

// ------------------------------------------------------------ bodies

/** A request body: JSON, or raw text sent as `application/json`. */
export type Body = { json: unknown } | { text: string };

/** Malformed JSON texts. */
const MALFORMED = ['', '{', '[', 'nul', '{"reason": ', '{"reason": "x"', "{'reason': 'x'}", '{"reason": "x",}', '\u0000', 'reason=x', '{"a":1}{"b":2}'];

/** JSON that is not an object. */
const notAnObject: fc.Arbitrary<unknown> = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 8 }), fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }));

/** A JSON value a string property must refuse (numbers excluded: some frameworks turn them into strings). */
const notAString: fc.Arbitrary<unknown> = fc.oneof(fc.constant(null), fc.boolean(), fc.constant({}), fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }));

/** Date strings that are not calendar days. */
const notADay = fc.oneof(
  fc.constantFrom('2025-13-01', '2025-02-30', '2025-00-10', 'tomorrow', '2025/01/01', '01-01-2025', '2025-06-01T00:00:00Z', '20250601', '2025-6-1', '0000-00-00'),
  fc.string({ minLength: 1, maxLength: 10 }).filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s)),
);

/**
 * Invalid bodies for an action request (`OrderActionCreate`): no reason, a
 * reason not in the termination reasons list, a reason or message of the wrong
 * type, a request_effective_date that is not a day, a body that is not an
 * object, and malformed JSON. Only refusals every sensible framework makes:
 * no unknown-property or padded-reason cases (serialisers commonly ignore the
 * first and trim the second).
 */
export function invalidActionBody(reasons: readonly string[]): fc.Arbitrary<Body> {
  const listed = reasons.length > 0 ? fc.constantFrom(...reasons) : fc.constant('x');
  const notListed = fc.oneof(hostileString(), nearMiss(reasons.length > 0 ? reasons : ['x']), fc.string({ maxLength: 20 })).filter((s) => !reasons.includes(s) && !reasons.includes(s.trim()));
  return fc.oneof(
    fc.record({ message: fc.string({ maxLength: 20 }) }, { requiredKeys: [], noNullPrototype: true }).map((json) => ({ json })),
    fc.record({ reason: notListed }, { noNullPrototype: true }).map((json) => ({ json })),
    fc.record({ reason: fc.oneof(notAString, fc.integer()) }, { noNullPrototype: true }).map((json) => ({ json })),
    fc.record({ reason: listed, message: notAString }, { noNullPrototype: true }).map((json) => ({ json })),
    fc.record({ reason: listed, request_effective_date: fc.oneof(notADay, fc.boolean(), fc.integer()) }, { noNullPrototype: true }).map((json) => ({ json })),
    notAnObject.map((json) => ({ json })),
    fc.constantFrom(...MALFORMED).map((text) => ({ text })),
  );
}

/**
 * Invalid bodies for a product order (`ProductOrderCreate`), made from the
 * spec's example by breaking one thing: a required property removed or of the
 * wrong type, no contact, a contact missing a required field, a latitude or
 * longitude out of range; plus bodies that are not objects and malformed JSON.
 */
export function invalidProductOrderBody(spec: Spec): fc.Arbitrary<Body> {
  const base = (exampleOf(spec, 'ProductOrderCreate') ?? {}) as Record<string, unknown>;
  const schema = spec.schemas.ProductOrderCreate ?? {};
  const required = Array.isArray(schema.required) ? schema.required.map(String) : ['product_offering_id', 'related_contact_information'];
  const contactSchema = spec.schemas.ContactInformation ?? {};
  const contactRequired = Array.isArray(contactSchema.required) ? contactSchema.required.map(String) : [];
  const contact = (Array.isArray(base.related_contact_information) ? base.related_contact_information[0] : {}) as Record<string, unknown>;
  const withOut = (key: string) => {
    const b = structuredClone(base);
    delete b[key];
    return b;
  };
  const withContact = (c: Record<string, unknown>) => ({ ...structuredClone(base), related_contact_information: [c] });
  const options: fc.Arbitrary<Body>[] = [
    fc.constantFrom(...required).map((k) => ({ json: withOut(k) })),
    fc.record({ key: fc.constantFrom(...required), value: notAString }, { noNullPrototype: true }).map(({ key, value }) => ({ json: { ...structuredClone(base), [key]: value } })),
    fc.constant({ json: { ...structuredClone(base), product_offering_id: '' } }),
    fc.constantFrom<unknown>([], [null], [{}], 'x', {}).map((v) => ({ json: { ...structuredClone(base), related_contact_information: v } })),
    fc.record({ latitude: fc.oneof(fc.double({ min: 90.001, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -90.001, noNaN: true })) }, { noNullPrototype: true }).map(({ latitude }) => ({ json: withContact({ ...contact, latitude }) })),
    fc.record({ longitude: fc.oneof(fc.double({ min: 180.001, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -180.001, noNaN: true })) }, { noNullPrototype: true }).map(({ longitude }) => ({ json: withContact({ ...contact, longitude }) })),
    notAnObject.map((json) => ({ json })),
    fc.constantFrom(...MALFORMED).map((text) => ({ text })),
  ];
  if (contactRequired.length > 0) {
    options.push(
      fc.constantFrom(...contactRequired).map((k) => {
        const c = structuredClone(contact);
        delete c[k];
        return { json: withContact(c) };
      }),
    );
  }
  return fc.oneof(...options);
}

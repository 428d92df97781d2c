/**
 * Every example in openapi.yaml validates against its schema, with no
 * violation of either severity: media-type examples of responses and request
 * bodies (following `$ref` to components/examples) and `examples` arrays inside
 * component schemas. They are enumerated from the document, never listed by
 * hand, and a walk of the whole document proves none was missed.
 *
 * Then: the documentation's examples are embedded as published (elisions such
 * as `[...]` filled), read from ../shared/api/order-tracking-api-doc.txt.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deref, loadSpec, type Json, type JsonObject } from '../../src/contract/load.ts';
import { validatorsFor, type SchemaCheck } from '../../src/contract/validators.ts';
import { atSpecPointer, isObject, REPO } from './support.ts';

const spec = loadSpec();
const v = validatorsFor(spec);

interface Example {
  /** where the example sits in openapi.yaml (JSON pointer) */
  where: string;
  /** the components/examples entry it refers to, if any */
  ref?: string;
  value: Json;
  check: SchemaCheck;
}

const esc = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** A status code that `responseKey` maps to the given response key ('404', '2XX', 'default'). */
function statusFor(operationId: string, key: string): number {
  for (let code = 100; code <= 599; code++) {
    if (v.responseKey(operationId, code) === key) return code;
  }
  throw new Error(`${operationId}: no status answers ${key}`);
}

/** The examples of a media type object: `examples` (values or $refs) and a lone `example`. */
function mediaExamples(media: JsonObject, where: string, check: SchemaCheck): Example[] {
  const out: Example[] = [];
  if (isObject(media.examples)) {
    for (const [name, e0] of Object.entries(media.examples)) {
      const ref = isObject(e0) && typeof e0.$ref === 'string' ? e0.$ref : undefined;
      const e = deref(spec.doc, e0);
      if (!isObject(e) || !('value' in e)) throw new Error(`${where}/examples/${name} has no value`);
      out.push({ where: `${where}/examples/${esc(name)}`, ...(ref ? { ref } : {}), value: e.value as Json, check });
    }
  }
  if ('example' in media) out.push({ where: `${where}/example`, value: media.example as Json, check });
  return out;
}

/** Every example the document holds, each with the graded check of its schema. */
function enumerateExamples(): Example[] {
  const out: Example[] = [];
  for (const op of spec.operations.values()) {
    const base = `/paths/${esc(op.path)}/${op.method.toLowerCase()}`;
    const raw = op.raw;
    for (const [status, r0] of Object.entries(isObject(raw.responses) ? raw.responses : {})) {
      const r = deref(spec.doc, r0);
      if (!isObject(r) || !isObject(r.content)) continue;
      const at = isObject(r0) && typeof r0.$ref === 'string' ? r0.$ref.slice(1) : `${base}/responses/${esc(status)}`;
      for (const [mediaType, m] of Object.entries(r.content)) {
        if (!isObject(m) || !(isObject(m.examples) || 'example' in m)) continue;
        const check = v.response(op.operationId, statusFor(op.operationId, status), mediaType);
        if (!check) throw new Error(`${base} ${status} ${mediaType} has examples but no schema`);
        out.push(...mediaExamples(m, `${at}/content/${esc(mediaType)}`, check));
      }
    }
    const body = deref(spec.doc, raw.requestBody);
    if (isObject(body) && isObject(body.content)) {
      for (const [mediaType, m] of Object.entries(body.content)) {
        if (!isObject(m)) continue;
        if (mediaType !== 'application/json') throw new Error(`${base}: request examples of ${mediaType} are not checked`);
        const check = v.request(op.operationId);
        if (!check) throw new Error(`${base}: request body has no schema`);
        out.push(...mediaExamples(m, `${base}/requestBody/content/${esc(mediaType)}`, check));
      }
    }
  }
  // `examples` arrays (and a lone `example`) anywhere inside a component schema
  const inSchema = (node: Json, name: string, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => {
        inSchema(n, name, `${path}/${i}`);
      });
      return;
    }
    if (!isObject(node)) return;
    if (path.endsWith('/properties') || path.endsWith('/$defs')) {
      for (const [k, child] of Object.entries(node)) inSchema(child, name, `${path}/${esc(k)}`);
      return;
    }
    const check = (): SchemaCheck => v.component(path === '' ? name : `${name}${path}`);
    if (Array.isArray(node.examples)) {
      node.examples.forEach((value, i) => {
        out.push({ where: `/components/schemas/${name}${path}/examples/${i}`, value, check: check() });
      });
    }
    if ('example' in node) out.push({ where: `/components/schemas/${name}${path}/example`, value: node.example as Json, check: check() });
    for (const [k, child] of Object.entries(node)) {
      if (k !== 'examples' && k !== 'example' && k !== 'enum' && k !== 'const') inSchema(child, name, `${path}/${esc(k)}`);
    }
  };
  for (const [name, schema] of Object.entries(spec.schemas)) inSchema(schema, name, '');
  // a shared response (components/responses) is reached from several operations: judge each site once
  const seen = new Set<string>();
  return out.filter((e) => !seen.has(e.where) && Boolean(seen.add(e.where)));
}

/** Pointers of every `examples`/`example` key of the document (outside components/examples itself). */
function allExampleSites(node: Json, path: string, out: Set<string>): Set<string> {
  if (Array.isArray(node))
    node.forEach((n, i) => {
      allExampleSites(n, `${path}/${i}`, out);
    });
  else if (isObject(node)) {
    for (const [k, child] of Object.entries(node)) {
      const here = `${path}/${esc(k)}`;
      if (here === '/components/examples') continue;
      if ((k === 'examples' || k === 'example') && !path.endsWith('/properties')) {
        if (isObject(child)) for (const name of Object.keys(child)) out.add(`${here}/${esc(name)}`);
        else if (Array.isArray(child))
          child.forEach((_, i) => {
            out.add(`${here}/${i}`);
          });
        else out.add(here);
      } else allExampleSites(child, here, out);
    }
  }
  return out;
}

const examples = enumerateExamples();

describe('every example of openapi.yaml validates against its schema', () => {
  it('the enumeration is not empty (more than 10 examples)', () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  it('every examples/example site of the document is enumerated', () => {
    const sites = allExampleSites(spec.doc, '', new Set());
    const enumerated = new Set(examples.map((e) => e.where));
    expect([...sites].filter((s) => !enumerated.has(s)).sort()).toEqual([]);
    expect(sites.size).toBe(enumerated.size);
  });

  it('every components/examples entry is referenced by some media type', () => {
    const named = Object.keys((spec.doc.components as JsonObject).examples as JsonObject);
    const used = new Set(examples.map((e) => e.ref));
    expect(named.filter((n) => !used.has(`#/components/examples/${n}`))).toEqual([]);
  });

  for (const e of examples) {
    it(`${e.where}${e.ref ? ` (${e.ref})` : ''} has no violation`, () => {
      expect(e.check(e.value)).toEqual([]);
    });
  }
});

// ------------------------------------------------------------------ fidelity
const DOC_PATH = join(REPO, '../shared/api/order-tracking-api-doc.txt');
const haveDoc = existsSync(DOC_PATH);
const ELIDED = '\u0000elided';

/**
 * The JSON that follows `after` (and then `start`, default "Example") in the
 * documentation, made parseable: a bare `"key": {...}` is wrapped, trailing
 * commas dropped, and `[...]` / `{...}` elisions marked so they match anything.
 */
function docJson(text: string, after: string, start = 'Example'): Json {
  let i = text.indexOf(after);
  if (i < 0) throw new Error(`"${after}" is not in the documentation`);
  i = text.indexOf(start, i);
  if (i < 0) throw new Error(`no "${start}" after "${after}"`);
  const open = text.slice(i).search(/[[{"]/) + i;
  let depth = 0;
  let inString = false;
  let end = open;
  const first = text[open];
  // a bare "key": value starts with a string; scan to the end of the value after it
  for (let j = open; j < text.length; j++) {
    const c = text[j];
    if (inString) {
      if (c === '\\') j++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) {
        end = j + 1;
        break;
      }
    }
  }
  let snippet = text.slice(open, end);
  if (first === '"') snippet = `{${snippet}}`;
  snippet = snippet.replace(/\[\.\.\.\]|\{\.\.\.\}/g, JSON.stringify(ELIDED)).replace(/,(\s*[\]}])/g, '$1');
  return JSON.parse(snippet) as Json;
}

/** Equal, except where the documentation elides. */
function matchesDoc(actual: Json | undefined, doc: Json): boolean {
  if (doc === ELIDED) return actual !== undefined;
  if (Array.isArray(doc)) return Array.isArray(actual) && actual.length === doc.length && doc.every((d, i) => matchesDoc(actual[i], d));
  if (isObject(doc)) {
    return isObject(actual) && Object.keys(actual).length === Object.keys(doc).length && Object.entries(doc).every(([k, d]) => matchesDoc(actual[k], d));
  }
  return actual === doc;
}

describe.skipIf(!haveDoc)('the documentation examples are embedded as published', () => {
  const text = haveDoc ? readFileSync(DOC_PATH, 'utf8') : '';
  const ex = (pointer: string): Json => atSpecPointer(spec, pointer);
  const cases: [string, () => Json, () => Json][] = [
    ['the history example, backwards timestamps and all', () => docJson(text, "Retrieving an order's history"), () => ex('/components/examples/OrderHistoryDoc/value')],
    ['the order list item', () => docJson(text, 'Retrieving a list of orders'), () => ex('/paths/~1api~1v1~1order~1/get/responses/200/content/application~1json/examples/documentation/value/0')],
    ['the order detail (elisions filled)', () => docJson(text, 'Retrieving one order'), () => ex('/components/examples/OrderDetailDoc/value')],
    ['the product', () => docJson(text, '\nProduct details\n'), () => ({ product: ex('/components/examples/OrderDetailDoc/value/product') })],
    ['the options', () => docJson(text, 'Options details'), () => ({ options: ex('/components/examples/OrderDetailDoc/value/product/options') })],
    ['the contacts', () => docJson(text, 'Termination errors details'), () => ({ related_contact_information: ex('/components/examples/OrderDetailDoc/value/related_contact_information') })],
    ['the regional manager', () => docJson(text, 'Managers details'), () => ({ manager_regional: ex('/components/examples/OrderDetailDoc/value/manager_regional') })],
    ['the documents list', () => docJson(text, 'Retrieving the list of documents', 'BDC = Bon'), () => ex('/paths/~1api~1v1~1order~1{order_reference}~1documents~1/get/responses/200/content/application~1json/examples/documentation/value')],
    ['the termination reasons', () => docJson(text, 'Termination reasons list details'), () => ex('/paths/~1api~1v1~1terminate_reason~1/get/responses/200/content/application~1json/examples/documentation/value')],
    ['the order request', () => docJson(text, 'Order requests list'), () => ex('/components/examples/OrderRequestDoc/value')],
    ['the export task', () => docJson(text, '1. Starting the CSV export'), () => ex('/paths/~1api~1v1~1order~1export~1csv~1/post/responses/2XX/content/application~1json/examples/documentation/value')],
    ['the export status', () => docJson(text, '2. Checking statuses'), () => ex('/paths/~1api~1v1~1order~1export~1{task_id}~1status~1/get/responses/200/content/application~1json/examples/documentation/value')],
  ];
  for (const [name, doc, embedded] of cases) {
    it(`${name}: as the documentation publishes it`, () => {
      const d = doc();
      const e = embedded();
      expect(matchesDoc(e, d), `${JSON.stringify(e)}\n  vs the documentation's\n${JSON.stringify(d)}`).toBe(true);
    });
  }

  it('the comparison tells a changed or missing value apart, and lets an elision match anything', () => {
    const doc = { a: [1, 2], b: ELIDED, c: 'x' } as Json;
    expect(matchesDoc({ a: [1, 2], b: { any: 'thing' }, c: 'x' }, doc)).toBe(true);
    expect(matchesDoc({ a: [1, 2], b: [], c: 'y' }, doc)).toBe(false);
    expect(matchesDoc({ a: [2, 1], b: [], c: 'x' }, doc)).toBe(false);
    expect(matchesDoc({ a: [1, 2], c: 'x' }, doc)).toBe(false);
    expect(matchesDoc({ a: [1, 2], b: 1, c: 'x', d: 0 }, doc)).toBe(false);
  });

  it('the history example has its timestamps out of order, as published', () => {
    const results = (ex('/components/examples/OrderHistoryDoc/value') as { results: { change_date: string }[] }).results;
    const times = results.map((r) => Date.parse(r.change_date));
    expect(times.some((t, i) => i > 0 && t < (times[i - 1] ?? t))).toBe(true);
  });
});

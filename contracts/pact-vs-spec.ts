/**
 * Pact versus spec: is every interaction of a pact promised by `openapi.yaml`?
 * (What the commercial bi-directional contract testing offers, offline.)
 *
 * For each HTTP interaction:
 *  - its method and path match a path template of the spec (the most literal
 *    template wins: `/order/export/csv/` is the export, not an action);
 *  - its path and query parameters are declared and valid for the operation;
 *  - its request body is valid for the operation (strictly: it is what the
 *    consumer sends);
 *  - its response status is declared (exact, range such as `2XX`, or default);
 *  - the media type and headers it expects are declared for that status;
 *  - its response body (matchers reified to their examples) validates against
 *    the schema for that status. A pact body is the part of the answer the
 *    consumer reads, so a *missing* required field is not a problem; a field
 *    the schema does not define is ("field "foo" is not defined by the spec").
 *
 * Run directly: `npx tsx contracts/pact-vs-spec.ts [pact.json ...]`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deref, loadSpec, parseSpec, type Json, type JsonObject, type Operation, type Spec } from '../src/index.ts';
import { SCHEMA_BASE, validatorsFor, type Violation } from '../src/index.ts';
import { routerOf, type Router } from '../src/index.ts';
import { PACT_DIR } from './config.ts';

export interface Problem {
  /** the interaction's description, as in the pact */
  interaction: string;
  /** which part is at fault: `request.path`, `request.query.page`, `request.body`, `response.status`, `response.headers.Retry-After`, `response.body` */
  field: string;
  /** JSON pointer inside the body, when the fault is inside a body */
  pointer?: string;
  message: string;
  severity: 'error' | 'warning';
  /** the operation the interaction was matched to, when one was */
  operation?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// ------------------------------------------------------------ pact reading

/**
 * Matchers reified to their example values. A pact file already holds examples
 * (rules live apart, under `matchingRules`); a hand-built pact may still carry
 * inline V3/V4 matchers (`pact:matcher:type` … `value`) or V2 ones (`json_class`).
 */
export function reify(node: unknown): Json {
  if (Array.isArray(node)) return node.map(reify);
  if (!isObj(node)) return node as Json;
  if ('pact:matcher:type' in node || 'pact:generator:type' in node) {
    if ('value' in node) return reify(node.value);
    if ('example' in node) return reify(node.example);
    return null;
  }
  if (typeof node.json_class === 'string') {
    if (node.json_class === 'Pact::SomethingLike') return reify(node.contents);
    if (node.json_class === 'Pact::ArrayLike') return Array.from({ length: Number(node.min ?? 1) }, () => reify(node.contents));
    if (node.json_class === 'Pact::Term') return reify(isObj(node.data) ? node.data.generate : null);
  }
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) out[k] = reify(v);
  return out;
}

interface Body {
  present: boolean;
  /** parsed JSON (reified), or text, or undefined for binary */
  value: Json | undefined;
  mediaType: string | undefined;
  binary: boolean;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!isObj(headers)) return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name.toLowerCase()) continue;
    const first = Array.isArray(v) ? v[0] : v;
    const r = reify(first);
    return typeof r === 'string' ? r : r === null ? undefined : String(r);
  }
  return undefined;
}

const mediaOf = (ct: string | undefined): string | undefined => ct?.split(';')[0]?.trim().toLowerCase() || undefined;
const isJsonMedia = (m: string | undefined) => m !== undefined && (m === 'application/json' || m.endsWith('+json'));

/** A request or response body in V4 (`{content, contentType, encoded}`) or V2/V3 (raw) shape. */
function readBody(part: Obj): Body {
  const ctHeader = headerValue(part.headers, 'content-type');
  if (!('body' in part) || part.body === undefined) return { present: false, value: undefined, mediaType: mediaOf(ctHeader), binary: false };
  const raw = part.body;
  if (isObj(raw) && 'content' in raw && ('contentType' in raw || 'encoded' in raw)) {
    const declared = typeof raw.contentType === 'string' && raw.contentType !== '*/*' ? raw.contentType : undefined;
    const mediaType = mediaOf(ctHeader ?? declared);
    const encoded = raw.encoded;
    if (encoded === 'base64' || encoded === true) {
      const text = Buffer.from(String(raw.content), 'base64');
      if (isJsonMedia(mediaType)) {
        try {
          return { present: true, value: reify(JSON.parse(text.toString('utf8'))), mediaType, binary: false };
        } catch {
          return { present: true, value: undefined, mediaType, binary: true };
        }
      }
      return { present: true, value: undefined, mediaType, binary: true };
    }
    if (encoded === 'json' || typeof raw.content !== 'string' || isJsonMedia(mediaType)) {
      let content: unknown = raw.content;
      if (typeof content === 'string' && isJsonMedia(mediaType)) {
        try {
          content = JSON.parse(content);
        } catch {
          /* leave as text: the schema check reports it */
        }
      }
      return { present: true, value: reify(content), mediaType: mediaType ?? 'application/json', binary: false };
    }
    return { present: true, value: raw.content, mediaType, binary: false };
  }
  // V2/V3: the body itself
  const mediaType = mediaOf(ctHeader) ?? (typeof raw === 'string' ? undefined : 'application/json');
  return { present: true, value: reify(raw), mediaType, binary: false };
}

/** Query parameters: V3/V4 `{name: [values]}`, V2 `"a=1&b=2"`. */
function readQuery(q: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (typeof q === 'string') {
    for (const [k, v] of new URLSearchParams(q)) out.set(k, [...(out.get(k) ?? []), v]);
  } else if (isObj(q)) {
    for (const [k, v] of Object.entries(q)) {
      const values = (Array.isArray(v) ? v : [v]).map((x) => {
        const r = reify(x);
        return typeof r === 'string' ? r : JSON.stringify(r);
      });
      out.set(k, values);
    }
  }
  return out;
}

// ------------------------------------------------------------ spec reading

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: JsonObject | undefined;
}

function parametersOf(spec: Spec, op: Operation): Parameter[] {
  const pathItem = (spec.doc.paths as JsonObject)[op.path];
  const lists = [isObj(pathItem) ? pathItem.parameters : undefined, op.raw.parameters];
  const byKey = new Map<string, Parameter>();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const p0 of list) {
      const p = deref(spec.doc, p0);
      if (!isObj(p) || typeof p.name !== 'string' || typeof p.in !== 'string') continue;
      byKey.set(`${p.in}:${p.name}`, {
        name: p.name,
        in: p.in,
        required: p.required === true,
        schema: isObj(p.schema) ? (p.schema as JsonObject) : undefined,
      });
    }
  }
  return [...byKey.values()];
}

function refsToAjv(node: Json): Json {
  if (Array.isArray(node)) return node.map(refsToAjv);
  if (!isObj(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node as JsonObject)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/') ? `${SCHEMA_BASE}#/$defs/${v.slice('#/components/schemas/'.length)}` : refsToAjv(v);
  }
  return out;
}

const compiled = new WeakMap<Spec, Map<string, (v: unknown) => string[]>>();

/** A cached validator for a parameter or header schema: the messages of its errors, none when valid. */
function schemaCheck(spec: Spec, schema: JsonObject): (value: unknown) => string[] {
  let bySchema = compiled.get(spec);
  if (!bySchema) compiled.set(spec, (bySchema = new Map()));
  const key = JSON.stringify(schema);
  let fn = bySchema.get(key);
  if (!fn) {
    const validate = validatorsFor(spec).ajv.compile(refsToAjv(schema) as object);
    fn = (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || ''} ${e.message ?? e.keyword}`.trim()));
    bySchema.set(key, fn);
  }
  return fn;
}

/** The JSON types a schema admits at its top (following refs and composites), or undefined for any. */
function typesOf(spec: Spec, schema: Json | undefined, depth = 0): Set<string> | undefined {
  const s = deref(spec.doc, schema);
  if (!isObj(s) || depth > 20) return undefined;
  if (typeof s.type === 'string') return new Set([s.type]);
  if (Array.isArray(s.type)) return new Set(s.type.map(String));
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = s[k];
    if (!Array.isArray(branches)) continue;
    const acc = new Set<string>();
    for (const b of branches) {
      const t = typesOf(spec, b, depth + 1);
      if (!t) return undefined;
      t.forEach((x) => {
        acc.add(x);
      });
    }
    return acc;
  }
  return undefined;
}

/** A query/path/header string as the value the schema types it as. */
function coerce(spec: Spec, schema: JsonObject | undefined, value: string): Json {
  const types = typesOf(spec, schema);
  if (!types) return value;
  if ((types.has('integer') || types.has('number')) && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)) return Number(value);
  if (types.has('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  if (types.has('null') && value === 'null') return null;
  return value;
}

// ------------------------------------------------ declared-fields walk

const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v);

function admits(spec: Spec, schema: Json, instance: unknown): boolean {
  const t = typesOf(spec, schema);
  if (!t) return true;
  const jt = jsonType(instance);
  return t.has(jt) || (jt === 'integer' && t.has('number'));
}

interface Shape {
  props: Map<string, Json[]>;
  items: Json[];
  open: boolean;
}

function collectShape(spec: Spec, node0: Json, instance: unknown, acc: Shape, seen: Set<unknown>): void {
  if (node0 === true || node0 === undefined) {
    acc.open = true;
    return;
  }
  if (!isObj(node0) || seen.has(node0)) return;
  seen.add(node0);
  const node = node0 as JsonObject;
  if (typeof node.$ref === 'string') collectShape(spec, deref(spec.doc, { $ref: node.$ref }) as Json, instance, acc, seen);
  if (isObj(node.properties)) {
    for (const [k, v] of Object.entries(node.properties as JsonObject)) acc.props.set(k, [...(acc.props.get(k) ?? []), v]);
  }
  if (node.additionalProperties !== undefined && node.additionalProperties !== false) acc.open = true;
  if (node.patternProperties !== undefined || node.unevaluatedProperties === true) acc.open = true;
  if (node.items !== undefined && node.items !== false) acc.items.push(node.items);
  if (Array.isArray(node.allOf)) for (const b of node.allOf) collectShape(spec, b, instance, acc, seen);
  for (const k of ['anyOf', 'oneOf'] as const) {
    const branches = node[k];
    if (!Array.isArray(branches)) continue;
    for (const b of branches) if (admits(spec, b, instance)) collectShape(spec, b, instance, acc, seen);
  }
}

function escapePointer(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Fields of `instance` that no schema in `schemas` defines (a free-form object defines any). */
function undeclaredFields(spec: Spec, schemas: Json[], instance: unknown, pointer = ''): { pointer: string; field: string }[] {
  if (instance === null || typeof instance !== 'object' || schemas.length === 0) return [];
  const acc: Shape = { props: new Map(), items: [], open: false };
  for (const s of schemas) collectShape(spec, s, instance, acc, new Set());
  const out: { pointer: string; field: string }[] = [];
  if (Array.isArray(instance)) {
    if (acc.items.length === 0) return [];
    instance.forEach((el, i) => {
      out.push(...undeclaredFields(spec, acc.items, el, `${pointer}/${i}`));
    });
    return out;
  }
  const open = acc.open || acc.props.size === 0;
  for (const [k, v] of Object.entries(instance as Obj)) {
    const where = `${pointer}/${escapePointer(k)}`;
    const defs = acc.props.get(k);
    if (defs) out.push(...undeclaredFields(spec, defs, v, where));
    else if (!open) out.push({ pointer: where, field: k });
  }
  return out;
}

// --------------------------------------------------------------- relaxed

const relaxedBySpec = new WeakMap<Spec, Spec>();

/** The spec with every `required` list dropped: a pact body is a subset of the answer. */
function relaxed(spec: Spec): Spec {
  const hit = relaxedBySpec.get(spec);
  if (hit) return hit;
  const strip = (n: Json): Json => {
    if (Array.isArray(n)) return n.map(strip);
    if (!isObj(n)) return n;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(n as JsonObject)) {
      if (k === 'required' && Array.isArray(v)) continue;
      out[k] = strip(v);
    }
    return out;
  };
  const r = parseSpec(JSON.stringify(strip(spec.doc)), `${spec.path} (required dropped)`);
  relaxedBySpec.set(spec, r);
  return r;
}

// ----------------------------------------------------------------- check

/** Schema violations as problems; `additionalProperties` is left to the declared-fields walk, which names the field. */
function fromViolations(interaction: string, field: string, operation: string, vs: Violation[]): Problem[] {
  return vs
    .filter((v) => v.keyword !== 'additionalProperties')
    .map((v) => ({
      interaction,
      field,
      pointer: v.pointer,
      message: `${v.message}${v.value !== undefined ? ` (example: ${JSON.stringify(v.value)})` : ''}`,
      severity: v.severity,
      operation,
    }));
}

function checkInteraction(spec: Spec, router: Router, i: Obj, index: number): Problem[] {
  const description = typeof i.description === 'string' && i.description ? i.description : `interaction #${index}`;
  const problems: Problem[] = [];
  const add = (p: Omit<Problem, 'interaction' | 'severity'> & { severity?: Problem['severity'] }) => problems.push({ interaction: description, severity: 'error', ...p });

  if (typeof i.type === 'string' && i.type !== 'Synchronous/HTTP') {
    add({ field: 'type', message: `${i.type} interactions are not HTTP; openapi.yaml cannot promise them (not checked)`, severity: 'warning' });
    return problems;
  }
  const request = isObj(i.request) ? i.request : {};
  const response = isObj(i.response) ? i.response : {};
  const method = String(request.method ?? 'GET').toUpperCase();
  const rawPath = reify(request.path);
  const fullPath = typeof rawPath === 'string' ? rawPath : '/';
  const [path = '/', inlineQuery] = fullPath.split('?', 2);

  // ---- method and path
  const route = router.match(method, path);
  if (!route?.operation) {
    add({
      field: 'request.path',
      message: route ? `${method} ${path}: the spec declares only ${route.allowed.join(', ')} on ${route.template}` : `${method} ${path} matches no path of the spec`,
    });
    return problems;
  }
  const op = route.operation;
  const operation = `${op.operationId} (${op.method} ${op.path})`;
  const v = validatorsFor(spec);
  const params = parametersOf(spec, op);
  const paramCheck = (p: Parameter, raw: string, field: string) => {
    if (!p.schema) return;
    const errs = schemaCheck(spec, p.schema)(coerce(spec, p.schema, raw));
    if (errs.length) add({ field, operation, message: `${p.in} parameter "${p.name}" = ${JSON.stringify(raw)} is not valid: ${errs.join('; ')}` });
  };

  // ---- path parameters
  for (const [name, raw] of Object.entries(route.params)) {
    const p = params.find((x) => x.in === 'path' && x.name === name);
    if (p) paramCheck(p, raw, `request.path.${name}`);
  }

  // ---- query
  const query = readQuery(request.query);
  if (inlineQuery) for (const [k, val] of readQuery(inlineQuery)) query.set(k, [...(query.get(k) ?? []), ...val]);
  for (const [name, values] of query) {
    const p = params.find((x) => x.in === 'query' && x.name === name);
    if (!p) {
      add({ field: `request.query.${name}`, operation, message: `query parameter "${name}" is not declared by ${op.operationId}` });
      continue;
    }
    for (const raw of values) paramCheck(p, raw, `request.query.${name}`);
  }
  for (const p of params) {
    if (p.in === 'query' && p.required && !query.has(p.name)) {
      add({ field: `request.query.${p.name}`, operation, message: `required query parameter "${p.name}" is not sent` });
    }
  }

  // ---- request body
  const reqBody = readBody(request);
  const rb = deref(spec.doc, op.raw.requestBody);
  const rbContent = isObj(rb) && isObj(rb.content) ? (rb.content as JsonObject) : undefined;
  if (reqBody.present) {
    if (!rbContent) {
      add({ field: 'request.body', operation, message: `a request body is sent but ${op.operationId} declares none` });
    } else {
      const media = reqBody.mediaType ?? 'application/json';
      if (!Object.keys(rbContent).some((k) => mediaMatches(k, media))) {
        add({ field: 'request.headers.Content-Type', operation, message: `request media type ${media} is not declared (declared: ${Object.keys(rbContent).join(', ')})` });
      } else if (isJsonMedia(media)) {
        const check = v.request(op.operationId);
        if (check) problems.push(...fromViolations(description, 'request.body', operation, check(reqBody.value)));
        const schema = op.requestSchema;
        if (schema) {
          for (const u of undeclaredFields(spec, [schema], reqBody.value)) {
            add({ field: 'request.body', pointer: u.pointer, operation, message: `field "${u.field}" is not defined by the spec` });
          }
        }
      }
    }
  } else if (isObj(rb) && rb.required === true) {
    add({ field: 'request.body', operation, message: `${op.operationId} requires a request body; the interaction sends none` });
  }

  // ---- response status
  const status = Number(reify(response.status) ?? 200);
  const key = v.responseKey(op.operationId, status);
  if (!key) {
    add({
      field: 'response.status',
      operation,
      message: `status ${status} is not declared by ${op.operationId} (declared: ${Object.keys(op.responses).join(', ')})`,
    });
    return problems;
  }
  const declared = op.responses[key];
  const statusText = key === String(status) ? key : `${status} (${key})`;
  const declaredMedia = Object.keys(declared?.content ?? {});

  // ---- response headers
  if (isObj(response.headers)) {
    const declaredHeaders = Object.keys(declared?.headers ?? {});
    for (const name of Object.keys(response.headers)) {
      if (name.toLowerCase() === 'content-type') continue;
      const dh = declaredHeaders.find((h) => h.toLowerCase() === name.toLowerCase());
      if (!dh) {
        add({ field: `response.headers.${name}`, operation, message: `header "${name}" is not declared for ${statusText} of ${op.operationId}` });
        continue;
      }
      const hdef = deref(spec.doc, (declared?.headers as JsonObject | undefined)?.[dh]);
      const schema = isObj(hdef) && isObj(hdef.schema) ? (hdef.schema as JsonObject) : undefined;
      const raw = headerValue(response.headers, name);
      if (schema && raw !== undefined) {
        const errs = schemaCheck(spec, schema)(coerce(spec, schema, raw));
        if (errs.length) add({ field: `response.headers.${name}`, operation, message: `header "${name}" = ${JSON.stringify(raw)} is not valid: ${errs.join('; ')}` });
      }
    }
  }

  // ---- response body
  const body = readBody(response);
  if (!body.present) return problems;
  if (declaredMedia.length === 0) {
    add({ field: 'response.body', operation, message: `a body is expected but ${statusText} of ${op.operationId} declares none` });
    return problems;
  }
  const media = body.mediaType ?? (body.binary ? 'application/octet-stream' : 'application/json');
  const mediaKey = declaredMedia.find((k) => mediaMatches(k, media));
  if (!mediaKey) {
    add({ field: 'response.headers.Content-Type', operation, message: `media type ${media} is not declared for ${statusText} of ${op.operationId} (declared: ${declaredMedia.join(', ')})` });
    return problems;
  }
  if (body.binary || body.value === undefined) return problems;
  const check = validatorsFor(relaxed(spec)).response(op.operationId, status, mediaKey);
  if (check) problems.push(...fromViolations(description, 'response.body', operation, check(body.value)));
  const schema = declared?.content[mediaKey];
  if (schema) {
    for (const u of undeclaredFields(spec, [schema], body.value)) {
      add({
        field: 'response.body',
        pointer: u.pointer,
        operation,
        message: `field "${u.field}" is not defined by the spec for ${statusText} of ${op.operationId}`,
      });
    }
  }
  return problems;
}

function mediaMatches(declared: string, actual: string): boolean {
  const d = declared.toLowerCase();
  if (d === actual || d === '*/*') return true;
  if (d.endsWith('/*')) return actual.startsWith(d.slice(0, -1));
  return false;
}

/** Every problem of every interaction of a pact (any spec version the pact files use). */
export function checkPactAgainstSpec(pactJson: unknown, spec: Spec = loadSpec()): Problem[] {
  if (!isObj(pactJson) || !Array.isArray(pactJson.interactions)) {
    return [{ interaction: '(pact)', field: 'interactions', message: 'not a pact: no interactions array', severity: 'error' }];
  }
  const router = routerOf(spec);
  return pactJson.interactions.flatMap((i, k) => (isObj(i) ? checkInteraction(spec, router, i, k) : []));
}

/** One line per problem: interaction, field (and pointer), message. */
export function formatProblems(problems: Problem[]): string {
  if (problems.length === 0) return '✓ every interaction is promised by the spec';
  return problems.map((p) => `${p.severity === 'error' ? '✗' : '!'} "${p.interaction}" — ${p.field}${p.pointer ? ` ${p.pointer}` : ''}: ${p.message}${p.operation ? `  [${p.operation}]` : ''}`).join('\n');
}

/** The pact files of a directory (or the given files). */
export function pactFiles(paths: string[] = []): string[] {
  if (paths.length) return paths.map((p) => resolve(p));
  return readdirSync(PACT_DIR)
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .sort()
    .map((f) => join(PACT_DIR, f));
}

/** Checks pact files and prints the result; returns the number of error-level problems. */
export function checkPactFiles(files: string[], spec: Spec = loadSpec(), log: (s: string) => void = console.log): number {
  let errors = 0;
  for (const file of files) {
    const problems = checkPactAgainstSpec(JSON.parse(readFileSync(file, 'utf8')), spec);
    errors += problems.filter((p) => p.severity === 'error').length;
    log(`pact vs spec: ${file}\n${formatProblems(problems)}`);
  }
  return errors;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const errors = checkPactFiles(pactFiles(process.argv.slice(2)));
  process.exitCode = errors > 0 ? 1 : 0;
}

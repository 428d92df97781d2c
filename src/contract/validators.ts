/**
 * ajv (draft 2020-12, ajv-formats, strict mode) validators for the schemas of
 * `openapi.yaml`, compiled once per schema and cached.
 *
 * Severity comes from the spec: a keyword that fails on a schema node marked
 * `x-inferred` is a warning-level violation; any other is an error-level one.
 * A failing `anyOf`/`oneOf` absorbs the errors of its branches, keeping the
 * closest branch's message as detail.
 */
import { createRequire } from 'node:module';
import type { Ajv2020 as AjvClass, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { FormatsPlugin } from 'ajv-formats';
import type { Json, JsonObject, Operation, Spec } from './load.ts';

// ajv and ajv-formats are CommonJS; require() gives the constructor without interop guesswork.
const require = createRequire(import.meta.url);
const Ajv2020: typeof AjvClass = require('ajv/dist/2020.js');
const addFormats: FormatsPlugin = require('ajv-formats');

/** Base URI under which the component schemas are registered with ajv. */
export const SCHEMA_BASE = 'https://order-tracking.invalid/components.json';

/** OpenAPI keywords and our extensions that ajv must accept in strict mode. */
const EXTRA_KEYWORDS = ['example', 'discriminator', 'xml', 'externalDocs', 'x-inferred', 'x-requirements', 'x-strict-status'];

export interface Violation {
  /** JSON pointer into the instance, '' for the root */
  pointer: string;
  /** the value at the pointer (truncated for evidence) */
  value: unknown;
  keyword: string;
  message: string;
  severity: 'error' | 'warning';
  /** why the rule is only inferred, when it is */
  inferred?: string;
}

export type SchemaCheck = (instance: unknown) => Violation[];

function rewriteRefs(node: Json): Json {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
      out[k] = `${SCHEMA_BASE}#/$defs/${v.slice('#/components/schemas/'.length)}`;
    } else {
      out[k] = rewriteRefs(v);
    }
  }
  return out;
}

function valueAt(instance: unknown, pointer: string): unknown {
  let cur: unknown = instance;
  if (pointer === '') return cur;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Keeps evidence small: long strings and big structures are cut. */
export function truncateValue(v: unknown, max = 200): unknown {
  if (typeof v === 'string') return v.length > max ? `${v.slice(0, max)}…(${v.length} chars)` : v;
  if (v !== null && typeof v === 'object') {
    const s = JSON.stringify(v);
    return s.length > max ? `${s.slice(0, max)}…(${s.length} chars)` : v;
  }
  return v;
}

/** Which declared response key answers a status: exact, then range, then default. */
function declaredKey(responses: Operation['responses'], status: number): string | undefined {
  const exact = String(status);
  if (responses[exact]) return exact;
  const range = `${String(status)[0]}XX`;
  if (responses[range]) return range;
  if (responses.default) return 'default';
  return undefined;
}

export class Validators {
  readonly ajv: AjvClass;
  private readonly spec: Spec;
  private readonly byKey = new Map<string, SchemaCheck>();
  /** `response()` by operation, media type and status (null: no schema declared) */
  private readonly responses = new Map<string, Map<string, Map<number, SchemaCheck | null>>>();
  /** `responseKey()` by operation and status (null: none declared) */
  private readonly keys = new Map<string, Map<number, string | null>>();
  /** every schema node reachable under a composite's branches, per composite node */
  private readonly reach = new WeakMap<object, Set<object>>();
  private readonly defs: JsonObject;

  constructor(spec: Spec) {
    this.spec = spec;
    this.ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictTypes: false, allowUnionTypes: true });
    addFormats(this.ajv);
    for (const k of EXTRA_KEYWORDS) this.ajv.addKeyword(k);
    this.defs = { $id: SCHEMA_BASE, $defs: rewriteRefs(spec.schemas as unknown as Json) };
    this.ajv.addSchema(this.defs);
  }

  /** A validator for a named component schema, e.g. `OrderDetail`. */
  component(name: string): SchemaCheck {
    return this.cached(`component:${name}`, () => {
      const fn = this.ajv.getSchema(`${SCHEMA_BASE}#/$defs/${name}`);
      if (!fn) throw new Error(`no component schema ${name}`);
      return fn;
    });
  }

  /**
   * The validator for an operation's response body, or undefined when the spec
   * declares no JSON schema for that status. `status` is matched exactly first,
   * then by range (`2XX`), then `default`.
   */
  response(operationId: string, status: number, mediaType = 'application/json'): SchemaCheck | undefined {
    // asked for every answer judged: looked up by operation, media type and status, no key string built per call
    let byMedia = this.responses.get(operationId);
    if (!byMedia) this.responses.set(operationId, (byMedia = new Map()));
    let byStatus = byMedia.get(mediaType);
    if (!byStatus) byMedia.set(mediaType, (byStatus = new Map()));
    const hit = byStatus.get(status);
    if (hit !== undefined) return hit ?? undefined;
    const op = this.spec.operations.get(operationId);
    if (!op) throw new Error(`unknown operation ${operationId}`);
    const key = this.responseKey(operationId, status);
    const schema = key ? op.responses[key]?.content[mediaType] : undefined;
    const check = schema ? this.cached(`response:${operationId}:${key}:${mediaType}`, () => this.ajv.compile(rewriteRefs(schema) as object)) : undefined;
    byStatus.set(status, check ?? null);
    return check;
  }

  /** The request body validator of an operation. */
  request(operationId: string): SchemaCheck | undefined {
    const schema = this.spec.operations.get(operationId)?.requestSchema;
    if (!schema) return undefined;
    return this.cached(`request:${operationId}`, () => this.ajv.compile(rewriteRefs(schema) as object));
  }

  /** Which declared response key answers a status: exact, then range, then default. */
  responseKey(operationId: string, status: number): string | undefined {
    const op = this.spec.operations.get(operationId);
    if (!op) return undefined;
    // the watchers ask for every exchange: one answer per operation and status, worked out once
    let keys = this.keys.get(operationId);
    if (!keys) this.keys.set(operationId, (keys = new Map()));
    const hit = keys.get(status);
    if (hit !== undefined) return hit ?? undefined;
    const key = declaredKey(op.responses, status);
    keys.set(status, key ?? null);
    return key;
  }

  /** Compiles every component and response schema: start-up cost paid once. */
  compileAll(): number {
    let n = 0;
    for (const name of Object.keys(this.spec.schemas)) {
      this.component(name);
      n++;
    }
    for (const op of this.spec.operations.values()) {
      for (const status of Object.keys(op.responses)) {
        const code = status === 'default' ? 500 : Number(status.replace(/XX$/, '00'));
        for (const media of Object.keys(op.responses[status]?.content ?? {})) {
          if (this.response(op.operationId, code, media)) n++;
        }
      }
      if (this.request(op.operationId)) n++;
    }
    return n;
  }

  private cached(key: string, make: () => ValidateFunction): SchemaCheck {
    const hit = this.byKey.get(key);
    if (hit) return hit;
    const fn = make();
    const check: SchemaCheck = (instance) => (fn(instance) ? [] : this.grade(fn.errors ?? [], instance));
    this.byKey.set(key, check);
    return check;
  }

  private reachable(branches: unknown): Set<object> {
    const key = branches as object;
    const hit = this.reach.get(key);
    if (hit) return hit;
    const seen = new Set<object>();
    const walk = (node: unknown): void => {
      if (node === null || typeof node !== 'object' || seen.has(node)) return;
      seen.add(node);
      if (Array.isArray(node)) {
        for (const n of node) walk(n);
        return;
      }
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith(`${SCHEMA_BASE}#/$defs/`)) {
          walk((this.defs.$defs as JsonObject)[v.slice(SCHEMA_BASE.length + '#/$defs/'.length)]);
        } else walk(v);
      }
    };
    walk(branches);
    this.reach.set(key, seen);
    return seen;
  }

  private grade(errors: ErrorObject[], instance: unknown): Violation[] {
    const composites = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
    const absorbed = new Set<ErrorObject>();
    const detail = new Map<ErrorObject, ErrorObject>();
    for (const c of composites) {
      const inside = this.reachable(c.schema);
      let best: ErrorObject | undefined;
      for (const e of errors) {
        if (e === c || !e.parentSchema || !inside.has(e.parentSchema)) continue;
        // under the composite's instance: the same path or a child of it (/1 is not a parent of /10)
        if (e.instancePath !== c.instancePath && !e.instancePath.startsWith(`${c.instancePath}/`)) continue;
        absorbed.add(e);
        if (e.keyword === 'type' && e.instancePath === c.instancePath) continue;
        if (!best || e.instancePath.length > best.instancePath.length) best = e;
      }
      if (best) detail.set(c, best);
    }
    const out: Violation[] = [];
    const seen = new Set<string>();
    for (const e of errors) {
      if (absorbed.has(e)) continue;
      const ps = e.parentSchema as JsonObject | undefined;
      const inferredWhy = ps && typeof ps['x-inferred'] === 'string' ? ps['x-inferred'] : undefined;
      const pointer = e.keyword === 'required' ? `${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)}` : e.instancePath;
      let message = describe(e);
      const best = detail.get(e);
      if (best) message += ` (closest: ${best.instancePath || '/'} ${describe(best)})`;
      const dedupe = `${pointer}|${message}`;
      if (seen.has(dedupe)) continue;
      seen.add(dedupe);
      const v: Violation = {
        pointer,
        value: e.keyword === 'required' ? undefined : truncateValue(valueAt(instance, e.instancePath)),
        keyword: e.keyword,
        message,
        severity: inferredWhy ? 'warning' : 'error',
      };
      if (inferredWhy) v.inferred = inferredWhy;
      out.push(v);
    }
    return out;
  }
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `required property "${String(p.missingProperty)}" is missing`;
    case 'type':
      return `must be ${String(p.type)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'format':
      return `must be a valid ${String(p.format)}`;
    case 'not':
      return `must not match ${JSON.stringify(e.schema)}`;
    case 'additionalProperties':
      return `has an unexpected property "${String(p.additionalProperty)}"`;
    default:
      return e.message ?? e.keyword;
  }
}

const validatorsBySpec = new WeakMap<Spec, Validators>();

/** The validators of a spec, built once per spec object. */
export function validatorsFor(spec: Spec): Validators {
  let v = validatorsBySpec.get(spec);
  if (!v) {
    v = new Validators(spec);
    validatorsBySpec.set(spec, v);
  }
  return v;
}

/**
 * Loads `openapi.yaml`, the one source of truth, and exposes its parts by name:
 * operations (by operationId), requirements (`x-requirements`) and the
 * lifecycle data (`x-lifecycle`). Nothing here restates a field or a state.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { ConformanceError } from '../errors.ts';

export const DEFAULT_SPEC_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../openapi.yaml');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Operation {
  operationId: string;
  method: string;
  path: string;
  requirements: string[];
  inferred: string | undefined;
  /** status pattern ('200', '2XX', 'default') → media type → schema */
  responses: Record<string, { content: Record<string, JsonObject | undefined>; inferred: string | undefined; headers: JsonObject }>;
  requestSchema: JsonObject | undefined;
  raw: JsonObject;
}

export interface Requirement {
  id: string;
  area: string;
  source: 'documented' | 'inferred';
  title: string;
  doc: string;
}

export interface Spec {
  path: string;
  /** sha256 of the file's bytes, as reports cite it */
  hash: string;
  doc: JsonObject;
  operations: Map<string, Operation>;
  requirements: Map<string, Requirement>;
  schemas: Record<string, JsonObject>;
  lifecycleData: JsonObject;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Follows a local `#/components/...` reference inside the document. */
export function deref(doc: JsonObject, node: Json | undefined): Json | undefined {
  let cur = node;
  for (let hops = 0; isObject(cur) && typeof cur.$ref === 'string' && hops < 20; hops++) {
    const ref: string = cur.$ref;
    if (!ref.startsWith('#/')) throw new ConformanceError('CONF_ERR_SPEC_INVALID', `only local references are supported: ${ref}`);
    let target: Json | undefined = doc;
    for (const part of ref.slice(2).split('/')) {
      const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
      target = isObject(target) ? target[key] : undefined;
    }
    if (target === undefined) throw new ConformanceError('CONF_ERR_SPEC_INVALID', `unresolved reference ${ref}`);
    cur = target;
  }
  return cur;
}

/** The path of the first node reached twice (a YAML alias), or undefined for a tree. */
function sharedNode(root: unknown): string | undefined {
  const seen = new Set<object>();
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [node, at] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (seen.has(node)) return at || '/';
    seen.add(node);
    for (const [k, v] of Object.entries(node)) stack.push([v, `${at}/${k}`]);
  }
  return undefined;
}

export function parseSpec(text: string, path = '<inline>'): Spec {
  let doc: unknown;
  try {
    doc = load(text, { filename: path });
  } catch (err) {
    throw new ConformanceError('CONF_ERR_SPEC_LOAD', `${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  // YAML aliases make shared nodes, which every walk of the spec would expand
  // (an alias bomb is exponential): a contract is a tree, so refuse them.
  const shared = sharedNode(doc);
  if (shared) throw new ConformanceError('CONF_ERR_SPEC_INVALID', `${path} uses a YAML alias (at ${shared}); write the contract out or use $ref`);
  if (!isObject(doc) || typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.1')) {
    throw new ConformanceError('CONF_ERR_SPEC_INVALID', `${path} is not an OpenAPI 3.1 document`);
  }
  if (!isObject(doc.paths)) throw new ConformanceError('CONF_ERR_SPEC_INVALID', `${path} has no paths`);
  const components = isObject(doc.components) ? doc.components : {};
  const schemas = isObject(components.schemas) ? (components.schemas as Record<string, JsonObject>) : {};
  if (!isObject(doc['x-lifecycle'])) throw new ConformanceError('CONF_ERR_SPEC_INVALID', `${path} has no x-lifecycle`);
  if (!isObject(doc['x-requirements'])) throw new ConformanceError('CONF_ERR_SPEC_INVALID', `${path} has no x-requirements`);

  const requirements = new Map<string, Requirement>();
  for (const [id, r] of Object.entries(doc['x-requirements'])) {
    if (!isObject(r) || (r.source !== 'documented' && r.source !== 'inferred')) {
      throw new ConformanceError('CONF_ERR_SPEC_INVALID', `requirement ${id} needs a source of documented or inferred`);
    }
    // an unknown key is almost always a YAML flow mapping split by an unquoted comma
    const extra = Object.keys(r).filter((k) => !['area', 'source', 'title', 'doc'].includes(k));
    if (extra.length > 0) {
      throw new ConformanceError('CONF_ERR_SPEC_INVALID', `requirement ${id} has unknown keys ${extra.map((k) => JSON.stringify(k)).join(', ')} (an unquoted comma in its title or doc?)`);
    }
    requirements.set(id, { id, area: String(r.area ?? 'other'), source: r.source, title: String(r.title ?? id), doc: String(r.doc ?? '') });
  }

  const operations = new Map<string, Operation>();
  for (const [p, item] of Object.entries(doc.paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const operationId = String(op.operationId ?? `${method} ${p}`);
      const responses: Operation['responses'] = {};
      for (const [status, r0] of Object.entries(isObject(op.responses) ? op.responses : {})) {
        const r = deref(doc, r0);
        if (!isObject(r)) continue;
        const content: Record<string, JsonObject | undefined> = {};
        for (const [media, m] of Object.entries(isObject(r.content) ? r.content : {})) {
          content[media] = isObject(m) && isObject(m.schema) ? m.schema : undefined;
        }
        responses[status] = {
          content,
          inferred: typeof r['x-inferred'] === 'string' ? r['x-inferred'] : undefined,
          headers: isObject(r.headers) ? r.headers : {},
        };
      }
      const body = deref(doc, op.requestBody);
      const json = isObject(body) && isObject(body.content) ? body.content['application/json'] : undefined;
      for (const id of Array.isArray(op['x-requirements']) ? op['x-requirements'] : []) {
        if (!requirements.has(String(id))) {
          throw new ConformanceError('CONF_ERR_SPEC_INVALID', `${operationId} cites unknown requirement ${String(id)}`);
        }
      }
      operations.set(operationId, {
        operationId,
        method: method.toUpperCase(),
        path: p,
        requirements: (Array.isArray(op['x-requirements']) ? op['x-requirements'] : []).map(String),
        inferred: typeof op['x-inferred'] === 'string' ? op['x-inferred'] : undefined,
        responses,
        requestSchema: isObject(json) && isObject(json.schema) ? json.schema : undefined,
        raw: op,
      });
    }
  }
  const hash = createHash('sha256').update(text).digest('hex');
  return { path, hash, doc, operations, requirements, schemas, lifecycleData: doc['x-lifecycle'] };
}

const cache = new Map<string, Spec>();

/** Reads and parses a spec file once per process. */
export function loadSpec(path: string = DEFAULT_SPEC_PATH): Spec {
  const key = resolve(path);
  const hit = cache.get(key);
  if (hit) return hit;
  let text: string;
  try {
    text = readFileSync(key, 'utf8');
  } catch (err) {
    throw new ConformanceError('CONF_ERR_SPEC_LOAD', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const spec = parseSpec(text, key);
  cache.set(key, spec);
  return spec;
}

/** The enum of a named component schema (e.g. `OrderState`). */
export function enumOf(spec: Spec, schemaName: string): string[] {
  const s = spec.schemas[schemaName];
  if (!s || !Array.isArray(s.enum)) throw new ConformanceError('CONF_ERR_SPEC_INVALID', `schema ${schemaName} has no enum`);
  return s.enum.map(String);
}

/**
 * Small helpers shared by the spec tests: JSON pointers over plain data and
 * over openapi.yaml ($refs followed), and the case-file format of
 * test/contract/cases/ (described by test/contract/cases.schema.json).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv2020 as AjvClass } from 'ajv/dist/2020.js';
import type { FormatsPlugin } from 'ajv-formats';
import { deref, type Json, type JsonObject, type Spec } from '../../src/contract/load.ts';
import type { SchemaCheck, Validators, Violation } from '../../src/contract/validators.ts';

const require = createRequire(import.meta.url);
export const Ajv2020: typeof AjvClass = require('ajv/dist/2020.js');
export const addFormats: FormatsPlugin = require('ajv-formats');

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '../..');
export const CASES_DIR = join(HERE, 'cases');

export type Severity = 'error' | 'warning';

export type CaseSchemaRef = string | { operationId: string; status: number; mediaType?: string } | { operationId: string; request: true };

export interface CaseTest {
  description: string;
  data?: Json;
  patch?: Record<string, Json>;
  remove?: string[];
  valid: boolean;
  severity?: Severity;
  pointer?: string;
}

export interface CaseGroup {
  description: string;
  schema: CaseSchemaRef;
  base?: string;
  tests: CaseTest[];
}

export interface CaseFile {
  file: string;
  groups: unknown;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function readCaseFiles(): CaseFile[] {
  return readdirSync(CASES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, groups: JSON.parse(readFileSync(join(CASES_DIR, file), 'utf8')) as unknown }));
}

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The node at a JSON pointer in openapi.yaml, following `$ref`s on the way. */
export function atSpecPointer(spec: Spec, pointer: string): Json {
  let cur: Json | undefined = spec.doc;
  for (const t of tokens(pointer)) {
    cur = deref(spec.doc, cur);
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw new Error(`${pointer}: nothing at "${t}"`);
  }
  const out = deref(spec.doc, cur);
  if (out === undefined) throw new Error(`${pointer}: nothing there`);
  return out;
}

function parentOf(root: Json, pointer: string): { parent: Json; key: string } {
  const ts = tokens(pointer);
  const key = ts.pop();
  if (key === undefined) throw new Error('the root cannot be patched; use data');
  let cur: Json = root;
  for (const t of ts) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
    if (next === undefined) throw new Error(`${pointer}: no parent at "${t}"`);
    cur = next;
  }
  return { parent: cur, key };
}

/** Sets the value at a pointer (its parent must exist). */
export function setAt(root: Json, pointer: string, value: Json): void {
  const { parent, key } = parentOf(root, pointer);
  if (Array.isArray(parent)) parent[Number(key)] = value;
  else if (isObject(parent)) parent[key] = value;
  else throw new Error(`${pointer}: parent is not a container`);
}

/** Deletes the value at a pointer; it must be there. */
export function removeAt(root: Json, pointer: string): void {
  const { parent, key } = parentOf(root, pointer);
  if (Array.isArray(parent) && Number(key) < parent.length) parent.splice(Number(key), 1);
  else if (isObject(parent) && key in parent) delete parent[key];
  else throw new Error(`${pointer}: nothing to remove`);
}

/** The instance a case judges: its `data`, or the group's base with the case's patch applied. */
export function instanceOf(spec: Spec, group: CaseGroup, test: CaseTest): Json {
  if ('data' in test) return test.data as Json;
  if (group.base === undefined) throw new Error(`"${test.description}" has no data and its group no base`);
  const inst = structuredClone(atSpecPointer(spec, group.base));
  for (const p of test.remove ?? []) removeAt(inst, p);
  for (const [p, v] of Object.entries(test.patch ?? {})) setAt(inst, p, v);
  return inst;
}

/** The graded check a case group names. */
export function checkOf(v: Validators, ref: CaseSchemaRef): SchemaCheck {
  if (typeof ref === 'string') return v.component(ref);
  if ('request' in ref) {
    const c = v.request(ref.operationId);
    if (!c) throw new Error(`${ref.operationId} has no JSON request body`);
    return c;
  }
  const c = v.response(ref.operationId, ref.status, ref.mediaType);
  if (!c) throw new Error(`${ref.operationId} ${ref.status} has no schema`);
  return c;
}

export function worst(vs: Violation[]): Severity | undefined {
  if (vs.some((x) => x.severity === 'error')) return 'error';
  return vs.length > 0 ? 'warning' : undefined;
}

export function under(pointer: string, base: string): boolean {
  return pointer === base || pointer.startsWith(`${base}/`);
}

/** The field classes the case files must exercise for a schema. */
export type FieldClass = 'type' | 'enum' | 'format' | 'required';

/** Which field classes an object schema has: from its `required` and its properties (through $ref, allOf, anyOf, oneOf). */
export function fieldClassesOf(spec: Spec, schema: JsonObject): Set<FieldClass> {
  const out = new Set<FieldClass>();
  if (Array.isArray(schema.required) && schema.required.length > 0) out.add('required');
  const visit = (node: Json | undefined, depth: number): void => {
    const n = deref(spec.doc, node);
    if (!isObject(n) || depth > 6) return;
    if (n.type !== undefined) out.add('type');
    if (Array.isArray(n.enum)) out.add('enum');
    if (typeof n.format === 'string') out.add('format');
    for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
      const parts = n[k];
      if (Array.isArray(parts)) for (const p of parts) visit(p, depth + 1);
    }
  };
  for (const p of Object.values(isObject(schema.properties) ? schema.properties : {})) visit(p, 0);
  return out;
}

/** The field class a violation shows; for a failed anyOf/oneOf, the class of its closest branch error. */
export function classOf(v: Violation): FieldClass | undefined {
  if (v.keyword === 'type' || v.keyword === 'enum' || v.keyword === 'format' || v.keyword === 'required') return v.keyword;
  if (v.keyword !== 'anyOf' && v.keyword !== 'oneOf') return undefined;
  const closest = /\(closest: \S+ (.*)\)$/.exec(v.message)?.[1] ?? '';
  if (closest.startsWith('must be one of')) return 'enum';
  if (closest.startsWith('must be a valid')) return 'format';
  if (closest.startsWith('required property')) return 'required';
  if (closest.startsWith('must be ')) return 'type';
  return undefined;
}

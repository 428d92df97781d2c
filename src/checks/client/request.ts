/**
 * CLI-REQUEST: each request of the client addresses a documented operation
 * by its documented method and path (the trailing slash included: Django
 * answers `/api/v1/order` with a redirect or a 404, never the list), sends
 * only the query parameters the operation declares, each of its type, and a
 * body that matches the operation's request schema. One finding per fault,
 * the request as evidence.
 */
import { createHash } from 'node:crypto';
import type { Exchange } from '../../harness/http.ts';
import { deref, type Json, type JsonObject, type Operation, type Spec } from '../../contract/load.ts';
import type { SchemaCheck } from '../../contract/validators.ts';
import { defineCheck, type Finding, type JudgeEnv } from '../define.ts';
import { routerOf } from '../../contract/router.ts';
import { pageLinks, pathAndQuery, rawTarget, routeOf, type ClientTraffic } from './traffic.ts';

interface QueryParam {
  name: string;
  schema: JsonObject;
  inferred: boolean;
}

const declared = new WeakMap<Operation, QueryParam[]>();

/** The query parameters an operation declares (its own and its path's), `$ref`s followed. */
export function queryParameters(spec: Spec, op: Operation): QueryParam[] {
  const hit = declared.get(op);
  if (hit) return hit;
  const pathItem = deref(spec.doc, (spec.doc.paths as JsonObject | undefined)?.[op.path]) as JsonObject | undefined;
  const all = [...((pathItem?.parameters as Json[] | undefined) ?? []), ...((op.raw.parameters as Json[] | undefined) ?? [])];
  const out: QueryParam[] = [];
  for (const p of all) {
    const param = deref(spec.doc, p) as JsonObject | undefined;
    if (param?.in !== 'query' || typeof param.name !== 'string') continue;
    const schema = (deref(spec.doc, param.schema) as JsonObject | undefined) ?? {};
    out.push({ name: param.name, schema, inferred: typeof param['x-inferred'] === 'string' });
  }
  declared.set(op, out);
  return out;
}

const paramChecks = new Map<string, SchemaCheck>();

/** A query value as its schema reads it: numbers and booleans from their text, anything else the string itself. */
function typed(value: string, schema: JsonObject): unknown {
  const type = schema.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function paramCheck(env: JudgeEnv, schema: JsonObject): SchemaCheck {
  const key = createHash('sha256').update(JSON.stringify(schema)).digest('hex');
  let c = paramChecks.get(key);
  if (!c) {
    const fn = env.validators.ajv.compile({ ...schema });
    c = (v) => (fn(v) ? [] : (fn.errors ?? []).map((e) => ({ pointer: e.instancePath, value: v, keyword: e.keyword, message: e.message ?? e.keyword, severity: 'error' as const })));
    paramChecks.set(key, c);
  }
  return c;
}

/**
 * The faults of one request, as findings. `links`: the `next`/`previous`
 * links the provider gave before it (path and query); a request that follows
 * one sends the provider's query, not one of its own (a provider may page
 * with `limit` and `offset`), so its query is not judged.
 */
export function requestFindings(ex: Exchange, env: JudgeEnv, links?: ReadonlySet<string>): Finding[] {
  const { path, query } = rawTarget(ex.url);
  const shown = `${ex.method} ${env.redactor.cut(path, 200)}`;
  const route = routeOf(env.spec, ex);
  if (!route) {
    const router = routerOf(env.spec);
    const other = path.endsWith('/') ? path.replace(/\/+$/, '') : `${path}/`;
    const near = router.match(ex.method, other);
    if (near?.operation) {
      const want = path.endsWith('/') ? 'no trailing slash' : 'a trailing slash';
      return [{ message: `request path: expected ${want} (${near.operation.method} ${near.operation.path}) / received ${shown}`, exchange: ex, expected: near.operation.path, received: path }];
    }
    return [{ message: `request path: expected a documented path / received ${shown}`, exchange: ex, received: path }];
  }
  if (!route.operation) {
    return [{ message: `request method: expected ${route.allowed.join(' or ')} on ${route.template} / received ${ex.method}`, exchange: ex, expected: route.allowed.join(', '), received: ex.method }];
  }
  const op = route.operation;
  const findings: Finding[] = [];
  const params = queryParameters(env.spec, op);
  const followed = links?.has(pathAndQuery(ex.url)) === true;
  for (const pair of query === '' || followed ? [] : query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      value = decodeURIComponent((eq < 0 ? '' : pair.slice(eq + 1)).replace(/\+/g, ' '));
    } catch {
      findings.push({ message: `query ${env.show(pair, 80)}: expected percent-encoded text / received an invalid escape`, exchange: ex, received: pair });
      continue;
    }
    const p = params.find((d) => d.name === name);
    if (!p) {
      const names = params.map((d) => d.name);
      findings.push({ message: `query parameter ${env.show(name, 80)} of ${op.operationId}: expected ${names.length ? `one of ${names.join(', ')}` : 'none'} / received ${env.show(name, 80)}`, exchange: ex, expected: names.join(', ') || 'none', received: name });
      continue;
    }
    const problems = paramCheck(env, p.schema)(typed(value, p.schema));
    if (problems.length > 0) {
      findings.push({
        message: `query parameter ${p.name} of ${op.operationId}: expected ${JSON.stringify(p.schema)} / received ${env.show(value, 80)} (${problems[0]?.message})`,
        exchange: ex,
        expected: JSON.stringify(p.schema),
        received: value,
        ...(p.inferred ? { severity: 'warning' as const } : {}),
      });
    }
  }
  const check = env.validators.request(op.operationId);
  if (check) {
    const body = ex.requestBody;
    const required = (deref(env.spec.doc, op.raw.requestBody) as JsonObject | undefined)?.required === true;
    if (body === undefined || body === '') {
      if (required) findings.push({ message: `request body of ${op.operationId}: expected a JSON body / received none`, exchange: ex });
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        findings.push({ message: `request body of ${op.operationId}: expected JSON / received ${env.show(body, 120)}`, exchange: ex, received: body });
        return findings;
      }
      for (const v of check(parsed)) {
        findings.push({ message: `request body of ${op.operationId} at ${v.pointer || '/'}: expected it ${v.message} / received ${env.show(v.value, 120)}`, exchange: ex, pointer: v.pointer, value: v.value, severity: v.severity });
      }
    }
  }
  return findings;
}

export const clientRequest = defineCheck<ClientTraffic>(import.meta.url, 'client_request', ({ traffic }, env) => {
  const findings: Finding[] = [];
  let passed = 0;
  const links = new Set<string>();
  for (const { exchange } of traffic) {
    const mine = requestFindings(exchange, env, links);
    if (mine.length === 0) passed++;
    findings.push(...mine);
    for (const l of pageLinks(exchange)) links.add(l);
  }
  return traffic.length === 0 ? { passed: 0, findings, skip: 'no request of the client was seen' } : { passed, findings };
});

/**
 * One router for every party that needs to know which operation a request
 * addresses: the engine (URLs by operationId), the reference server (handlers
 * registered by operationId), the fault proxy and the pact-vs-spec check.
 * Its routes are the spec's paths, nothing typed twice.
 *
 * Two templates may match one path (`POST /api/v1/order/export/csv/` and
 * `POST /api/v1/order/{order_reference}/{action}/`, ANALYSIS.md's route
 * collisions): the most literal wins, compared segment by segment from the
 * left (a literal segment beats a parameter at the first place they differ),
 * as the reference server's router (find-my-way) resolves them.
 */
import type { Operation, Spec } from './load.ts';

type Segment = { literal: string } | { param: string };

interface Route {
  op: Operation;
  segments: Segment[];
}

export type RouteMatch =
  | { operation: Operation; params: Record<string, string> }
  /** the path is a path of the spec, but not for this method */
  | { operation: undefined; allowed: string[]; template: string };

function segmentsOf(template: string): Segment[] {
  return template
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^\{([^}]+)\}$/.exec(s);
      return m ? { param: m[1] as string } : { literal: s };
    });
}

/** Orders two routes: negative when `a` is the more literal (it wins). */
function moreLiteral(a: Route, b: Route): number {
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const la = 'literal' in (a.segments[i] as Segment);
    const lb = 'literal' in (b.segments[i] as Segment);
    if (la !== lb) return la ? -1 : 1;
  }
  return 0;
}

export class Router {
  private readonly routes: Route[];
  private readonly byId = new Map<string, Route>();

  constructor(readonly spec: Spec) {
    this.routes = [...spec.operations.values()].map((op) => ({ op, segments: segmentsOf(op.path) }));
    this.routes.sort(moreLiteral);
    for (const r of this.routes) this.byId.set(r.op.operationId, r);
  }

  /** Every operation, most literal route first. */
  operations(): Operation[] {
    return this.routes.map((r) => r.op);
  }

  /**
   * The operation a method and a raw path (no query; percent-encoded as sent)
   * address, with its path parameters decoded; `undefined` when no path of
   * the spec matches. Empty segments are not ignored: `/api/v1/order` (no
   * trailing slash) is not `/api/v1/order/`.
   */
  match(method: string, rawPath: string): RouteMatch | undefined {
    const path = rawPath.split('?', 1)[0] ?? '';
    if (!path.startsWith('/')) return undefined;
    const trailing = path.endsWith('/');
    const parts = path.split('/').slice(1, trailing ? -1 : undefined);
    const upper = method.toUpperCase();
    const allowed: string[] = [];
    let template: string | undefined;
    for (const r of this.routes) {
      if (!r.op.path.endsWith('/') === trailing) continue;
      const params = matchSegments(r.segments, parts);
      if (!params) continue;
      if (r.op.method === upper) return { operation: r.op, params };
      template ??= r.op.path;
      if (!allowed.includes(r.op.method)) allowed.push(r.op.method);
    }
    return template === undefined ? undefined : { operation: undefined, allowed, template };
  }

  /** The operation of an operationId; throws on one the spec does not have (a typo in our code, not the target's fault). */
  operation(operationId: string): Operation {
    const r = this.byId.get(operationId);
    if (!r) throw new Error(`openapi.yaml has no operation ${operationId}`);
    return r.op;
  }

  /**
   * The path of an operation with its parameters filled in, each encoded as
   * one segment (the harness passes its own `segment`, which also encodes dot
   * segments and lone surrogates); throws on a missing one.
   */
  path(operationId: string, params: Record<string, string> = {}, encode: (value: string, param: string) => string = encodeURIComponent): string {
    const r = this.byId.get(operationId);
    if (!r) throw new Error(`openapi.yaml has no operation ${operationId}`);
    const filled = r.segments.map((s) => {
      if ('literal' in s) return s.literal;
      const v = params[s.param];
      if (v === undefined) throw new Error(`${operationId}: no value for the path parameter ${s.param}`);
      return encode(v, s.param);
    });
    return `/${filled.join('/')}${r.op.path.endsWith('/') ? '/' : ''}`;
  }
}

function matchSegments(template: Segment[], parts: string[]): Record<string, string> | undefined {
  if (template.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i] as Segment;
    const p = parts[i] as string;
    if ('literal' in t) {
      if (t.literal !== p) return undefined;
    } else {
      if (p === '') return undefined;
      params[t.param] = decodeSegment(p);
    }
  }
  return params;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const routers = new WeakMap<Spec, Router>();

/** The router of a spec, built once per spec object. */
export function routerOf(spec: Spec): Router {
  let r = routers.get(spec);
  if (!r) {
    r = new Router(spec);
    routers.set(spec, r);
  }
  return r;
}

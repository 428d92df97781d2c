/**
 * The fuzz properties, one per target (issue 5):
 *
 * | property              | target                                         | checks (beyond no 5xx / documented answer) |
 * |-----------------------|------------------------------------------------|--------------------------------------------|
 * | order_list_query      | `GET /order/` query: page, page_size, unknown  | fuzz_pagination (page size, count agrees)  |
 * | order_requests_query  | `GET /order_request/` query, all parameters    | fuzz_filters (rows match), fuzz_pagination |
 * | order_requests_filter | `order_reference` / `action` values            | fuzz_filters (rows match; exactly the unfiltered rows with that value) |
 * | pagination            | both lists walked with a fuzzed page_size      | fuzz_pagination (no gap, no duplicate, counts agree) |
 * | path_params           | every GET with a path parameter                | fuzz_path_params (listed → 200, else 4xx)  |
 * | termination_body      | `POST /order/{ref}/terminate/` invalid bodies  | fuzz_invalid_body (4xx, state and requests unchanged) |
 * | product_order_body    | `POST /product_order/` invalid bodies          | fuzz_invalid_product_order (4xx)           |
 *
 * Every property first applies `judgeAnswer` (./judge.ts). Filters are read
 * as a DRF-style server reads them: a value may be trimmed, and a blank value
 * may mean "no filter"; anything else must match exactly (after NFC).
 */
import * as fc from 'fast-check';
import type { RunContext } from '../engine/context.ts';
import type { RequestRow } from '../engine/phases/requests.ts';
import type { Exchange } from '../harness/http.ts';
import { fieldValue, invalidActionBody, invalidProductOrderBody, parametersOf, queryArb, segmentArb, validValue, type Body, type QueryPart, type Segment } from './arbitraries.ts';
import { requestsOf, snapshotOrders, snapshotRequests, stateOf, walkPages, type FuzzData, type PageWalk } from './data.ts';
import { fuzzInvalidBody, fuzzInvalidProductOrder } from '../checks/fuzz/bodies.ts';
import { fuzzFilters, fuzzPagination, requestLine, type FiltersInput, type PaginationInput } from '../checks/fuzz/lists.ts';
import { fuzzPathParams } from '../checks/fuzz/path-params.ts';
import type { Finding } from '../checks/define.ts';
import { fail, failOf, judgeAnswer, ok, type FuzzCheck, type Verdict } from './judge.ts';
import { segment, withQuery } from './request.ts';
import type { FuzzProperty } from './runner.ts';

/** Most pages one pagination case may walk: the smallest page size follows from it. */
export const MAX_PAGES_PER_WALK = 40;

export class FuzzEnv {
  constructor(
    readonly ctx: RunContext,
    public data: FuzzData,
    readonly on: ReadonlySet<FuzzCheck>,
  ) {}

  /** The checks every judged answer counts for. */
  base(): FuzzCheck[] {
    return (['fuzz_no_server_errors', 'fuzz_response_documented'] as const).filter((c) => this.on.has(c));
  }

  /** Whether a list has shown it honours page_size (./data.ts probePageSize); not probed: taken as honoured. */
  honoursPageSize(list: 'orders' | 'requests'): boolean {
    return this.data.pageSize?.[list].honoured ?? true;
  }

  /** Re-reads a list, when a property suspects the target changed under it. */
  async refresh(list: 'orders' | 'requests'): Promise<void> {
    if (list === 'orders') this.data = { ...this.data, orders: await snapshotOrders(this.ctx) };
    else this.data = { ...this.data, requests: await snapshotRequests(this.ctx) };
  }

  /** What a list held when last read: its count and its rows' keys, in order. */
  private membership(list: 'orders' | 'requests'): string {
    const s = list === 'orders' ? this.data.orders : this.data.requests;
    const keys = list === 'orders' ? this.data.orders.rows.map((o) => o.ref) : this.data.requests.rows.map((r) => r.id);
    return JSON.stringify([s.announced ?? null, keys]);
  }

  /**
   * Looks twice at a finding that compares an answer with the run's earlier
   * reading of a list (`recheck`, ANALYSIS.md rule 2): reads the list again,
   * has the case made again (`again`: the same request, judged against that
   * reading), and reads the list once more. The finding stands when the case
   * made again still shows it and the list did not change around it; when the
   * list did change (a live target gets new orders and requests while the run
   * reads it) the case is not judged: a skip that says so, never a failure.
   */
  async confirm(list: 'orders' | 'requests', again: () => Promise<Finding | undefined>): Promise<Finding | { moved: string } | undefined> {
    await this.refresh(list);
    const before = this.membership(list);
    const f = await again();
    if (!f) return undefined;
    await this.refresh(list);
    if (this.membership(list) === before) return f;
    return { moved: `the ${list === 'orders' ? 'order' : 'order request'} list changed while the case was made again (not confirmed: ${f.message})` };
  }
}

/** The verdict of a finding looked at twice (FuzzEnv.confirm): a failure, a skip when the list moved, else undefined. */
function confirmed(check: FuzzCheck, c: Finding | { moved: string } | undefined): Verdict | undefined {
  if (c === undefined) return undefined;
  return 'moved' in c ? { kind: 'skip', reason: c.moved } : failOf(check, c);
}

type Row = Record<string, unknown>;

function pageOf(body: unknown): { rows: Row[]; count: number | undefined; paginated: boolean } | undefined {
  if (Array.isArray(body)) return { rows: body as Row[], count: undefined, paginated: false };
  if (body && typeof body === 'object' && Array.isArray((body as { results?: unknown }).results)) {
    const b = body as { results: Row[]; count?: unknown };
    return { rows: b.results, count: typeof b.count === 'number' ? b.count : undefined, paginated: true };
  }
  return undefined;
}

/** The single, unambiguous value of a parameter in a query (undefined when absent, repeated or raw). */
function single(parts: readonly QueryPart[], name: string): string | undefined {
  const ps = parts.filter((p) => p.name === name);
  return ps.length === 1 && ps[0] && !ps[0].raw ? ps[0].value : undefined;
}

export { readings } from '../checks/fuzz/lists.ts';

/** The string query parameters of the order requests list that filter (not page, page_size). */
function filterNames(ctx: RunContext): string[] {
  return parametersOf(ctx.spec, 'listOrderRequests')
    .filter((p) => p.in === 'query' && p.schema.type === 'string')
    .map((p) => p.name);
}

/** Known values of each filter: those in the unfiltered list, plus orders with no request and the action labels. */
function filterValues(env: FuzzEnv): Record<string, string[]> {
  const { data, ctx } = env;
  const out: Record<string, string[]> = {};
  for (const name of filterNames(ctx)) {
    const seen = new Set<string>();
    for (const r of data.requests.rows) seen.add(String((r as unknown as Row)[name]));
    if (name === 'order_reference') for (const o of data.orders.rows.slice(0, 5)) seen.add(o.ref);
    if (name === 'action') for (const a of ctx.lifecycle.actions.values()) seen.add(a.label);
    out[name] = [...seen].sort();
  }
  return out;
}

// ------------------------------------------------------------ queries

export function queryProperty(env: FuzzEnv, list: 'orders' | 'requests'): FuzzProperty<QueryPart[]> {
  const { ctx, on } = env;
  const operationId = list === 'orders' ? 'listOrders' : 'listOrderRequests';
  const path = list === 'orders' ? ctx.path('listOrders') : ctx.path('listOrderRequests');
  const filters = list === 'requests' ? filterNames(ctx) : [];
  const known = list === 'requests' ? filterValues(env) : {};
  const paging = new Set(
    parametersOf(ctx.spec, operationId)
      .filter((p) => p.in === 'query' && !filters.includes(p.name))
      .map((p) => p.name),
  );
  return {
    name: list === 'orders' ? 'order_list_query' : 'order_requests_query',
    check: 'fuzz_no_server_errors',
    endpoint: { method: 'GET', path },
    arbitrary: queryArb(parametersOf(ctx.spec, operationId), known),
    async run(parts) {
      const ex = await ctx.http.request({ path: withQuery(path, parts) });
      const judged = judgeAnswer(ctx, ex, operationId, on);
      if (judged) return judged;
      const checks = env.base();
      const page = ex.status === 200 && ex.isJson() ? pageOf(ex.json()) : undefined;
      if (!page) return ok(...checks);
      const at = requestLine(ex);
      if (on.has('fuzz_pagination') && page.paginated) {
        checks.push('fuzz_pagination');
        const asked = env.honoursPageSize(list) ? single(parts, 'page_size') : undefined;
        const pageSize = asked !== undefined && /^[0-9]{1,9}$/.test(asked) && Number(asked) >= 1 ? Number(asked) : undefined;
        // only paging parameters (or none): the count is the count of the whole list
        const count = parts.every((p) => paging.has(p.name)) ? page.count : undefined;
        const snapshot = () => (list === 'orders' ? env.data.orders : env.data.requests).announced;
        const judge = (e: Exchange, p: NonNullable<typeof page>) => fuzzPagination.judge({ kind: 'page', ex: e, at, rows: p.rows, pageSize, count: count === undefined ? undefined : p.count, announced: snapshot() }, ctx.env).findings[0];
        const f = judge(ex, page);
        if (f?.recheck) {
          const v = confirmed(
            'fuzz_pagination',
            await env.confirm(list, async () => {
              const again = await ctx.http.request({ path: withQuery(path, parts) });
              const p = again.status === 200 && again.isJson() ? pageOf(again.json()) : undefined;
              return p ? judge(again, p) : f;
            }),
          );
          if (v) return v;
        } else if (f) return failOf('fuzz_pagination', f);
      }
      if (on.has('fuzz_filters')) {
        const sent = Object.fromEntries(
          filters.flatMap((name) => {
            const v = single(parts, name);
            return v === undefined ? [] : [[name, v]];
          }),
        );
        if (Object.keys(sent).length > 0) {
          checks.push('fuzz_filters');
          const f = fuzzFilters.judge({ kind: 'page', ex, at, rows: page.rows, filters: sent }, ctx.env).findings[0];
          if (f) return failOf('fuzz_filters', f);
        }
      }
      return ok(...checks);
    },
  };
}

// ------------------------------------------------------------ filters

export function filterProperty(env: FuzzEnv): FuzzProperty<Record<string, string>> {
  const { ctx, on } = env;
  const names = filterNames(ctx);
  const known = filterValues(env);
  const shape: Record<string, fc.Arbitrary<string>> = {};
  for (const n of names) shape[n] = fieldValue(known[n] ?? []);
  const listed = (name: string, v: string): boolean => (known[name] ?? []).includes(v);
  return {
    name: 'order_requests_filter',
    check: 'fuzz_filters',
    endpoint: { method: 'GET', path: ctx.path('listOrderRequests') },
    arbitrary: fc.record(shape, { requiredKeys: [], noNullPrototype: true }) as fc.Arbitrary<Record<string, string>>,
    async run(filter) {
      const query = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
      const url = withQuery(
        ctx.path('listOrderRequests'),
        Object.entries(query).map(([name, value]) => ({ name, value })),
      );
      const walk = await walkPages(ctx, url);
      const first = walk.pages[0]?.ex;
      if (!first) return { kind: 'skip', reason: 'no page' };
      const judged = judgeAnswer(ctx, first, 'listOrderRequests', on);
      if (judged) return judged;
      const allListed = Object.entries(query).every(([k, v]) => listed(k, v));
      const input = (w: PageWalk, f: Exchange): FiltersInput => ({ kind: 'walk', first: f, at: requestLine(f), query, allListed, pages: w.pages as { ex: Exchange; rows: Row[] }[], unfiltered: env.data.requests.rows as unknown as Row[] });
      if (first.status === 200) {
        const broken = brokenPage(env, walk, 'listOrderRequests', 'fuzz_filters');
        if (broken) return broken;
      }
      const j = fuzzFilters.judge(input(walk, first), ctx.env);
      const f = j.findings[0];
      if (f?.recheck) {
        const v = confirmed(
          'fuzz_filters',
          await env.confirm('requests', async () => {
            const again = await walkPages(ctx, url);
            const a = again.pages[0]?.ex;
            return a && a.status === 200 && !again.broken ? fuzzFilters.judge(input(again, a), ctx.env).findings[0] : f;
          }),
        );
        return v ?? ok(...env.base(), 'fuzz_filters');
      }
      if (f) return failOf('fuzz_filters', f);
      return j.passed > 0 ? ok(...env.base(), 'fuzz_filters') : ok(...env.base());
    },
  };
}

/** A walk that broke after its first page, as a failure of `check` (or the shared judgement of the page that broke it). */
function brokenPage(env: FuzzEnv, walk: PageWalk, operationId: string, check: FuzzCheck): Verdict | undefined {
  if (!walk.broken) return undefined;
  const ex = walk.brokenAt ?? walk.pages[walk.pages.length - 1]?.ex;
  if (ex) {
    const judged = judgeAnswer(env.ctx, ex, operationId, env.on);
    if (judged) return judged;
  }
  return fail(check, `${ex ? requestLine(ex) : 'the list walk'}: expected every page of the list / received ${walk.broken}`, ex);
}

// ------------------------------------------------------------ pagination

interface ListDef {
  list: 'orders' | 'requests';
  path: string;
  operationId: string;
  key: (row: Row) => string;
}

export function paginationProperty(env: FuzzEnv): FuzzProperty<{ list: 'orders' | 'requests'; page_size: number }> {
  const { ctx, on } = env;
  const all: ListDef[] = [
    { list: 'orders', path: ctx.path('listOrders'), operationId: 'listOrders', key: (r) => String(r?.order_reference) },
    { list: 'requests', path: ctx.path('listOrderRequests'), operationId: 'listOrderRequests', key: (r) => String(r?.id) },
  ];
  // a guessed parameter is fuzzed only where the target has shown it honours it
  const lists = all.filter((l) => env.honoursPageSize(l.list));
  const unavailable = lists.length > 0 ? undefined : `page_size is not honoured by either list (orders: ${env.data.pageSize?.orders.why}; order requests: ${env.data.pageSize?.requests.why}); their default walks are judged by order_list_paging`;
  const arbs = (lists.length > 0 ? lists : all).map((l) => {
    const schema = parametersOf(ctx.spec, l.operationId).find((p) => p.name === 'page_size')?.schema ?? {};
    const max = typeof schema.maximum === 'number' ? schema.maximum : 1000;
    const count = (l.list === 'orders' ? env.data.orders : env.data.requests).rows.length;
    const min = Math.min(max, Math.max(typeof schema.minimum === 'number' ? schema.minimum : 1, Math.ceil(count / MAX_PAGES_PER_WALK)));
    return fc.record({ list: fc.constant(l.list), page_size: fc.integer({ min, max }) }, { noNullPrototype: true });
  });
  return {
    name: 'pagination',
    check: 'fuzz_pagination',
    endpoint: { method: 'GET', path: ctx.path('listOrders') },
    arbitrary: fc.oneof(...arbs),
    ...(unavailable ? { unavailable } : {}),
    async run({ list, page_size }) {
      const def = all.find((l) => l.list === list) as ListDef;
      const url = withQuery(def.path, [{ name: 'page_size', value: String(page_size) }]);
      const walk = await walkPages(ctx, url, MAX_PAGES_PER_WALK + 5);
      const first = walk.pages[0]?.ex;
      if (!first) return { kind: 'skip', reason: 'no page' };
      const judged = judgeAnswer(ctx, first, def.operationId, on);
      if (judged) return judged;
      const keyOf = (r: unknown): string => (list === 'orders' ? (r as { ref: string }).ref : (r as RequestRow).id);
      const input = (w: PageWalk, f: Exchange): PaginationInput => {
        const snap = list === 'orders' ? env.data.orders : env.data.requests;
        return {
          kind: 'walk',
          first: f,
          at: requestLine(f),
          pageSize: page_size,
          paginated: w.paginated,
          announced: w.announced,
          pages: w.pages.map(({ ex, rows }) => ({ ex, keys: (rows as Row[]).map(def.key) })),
          listed: { announced: snap.announced, keys: snap.rows.map(keyOf) },
        };
      };
      if (first.status === 200) {
        const broken = brokenPage(env, walk, def.operationId, 'fuzz_pagination');
        if (broken) return broken;
      }
      const f = fuzzPagination.judge(input(walk, first), ctx.env).findings[0];
      if (f?.recheck) {
        const v = confirmed(
          'fuzz_pagination',
          await env.confirm(list, async () => {
            const again = await walkPages(ctx, url, MAX_PAGES_PER_WALK + 5);
            const a = again.pages[0]?.ex;
            return a && a.status === 200 && !again.broken ? fuzzPagination.judge(input(again, a), ctx.env).findings[0] : f;
          }),
        );
        if (v) return v;
      } else if (f) return failOf('fuzz_pagination', f);
      return ok(...env.base(), 'fuzz_pagination');
    },
  };
}

// ------------------------------------------------------------ path parameters

export interface PathCase {
  op: string;
  params: Record<string, Segment>;
}

export function pathProperty(env: FuzzEnv): FuzzProperty<PathCase> {
  const { ctx, on } = env;
  const refs = env.data.orders.rows.map((o) => o.ref);
  const refSet = new Set(refs);
  const files = env.data.files;
  const fileSet = new Set(files.map((f) => `${f.ref}\u0000${f.name}`));
  const known: Record<string, string[]> = { order_reference: refs, filename: [...new Set(files.map((f) => f.name))] };
  const ops = [...ctx.spec.operations.values()].filter((op) => op.method === 'GET' && /\{[^}]+\}/.test(op.path));
  const arbs = ops.map((op) => {
    const shape: Record<string, fc.Arbitrary<Segment>> = {};
    for (const p of parametersOf(ctx.spec, op.operationId).filter((x) => x.in === 'path')) {
      let arb = segmentArb(known[p.name] ?? [], validValue(p.schema));
      // a file name is best tried on an order that has files
      if (p.name === 'order_reference' && op.path.includes('{filename}') && files.length > 0) {
        arb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...files.map((f) => f.ref)).map((value): Segment => ({ value })) }, { weight: 1, arbitrary: arb });
      }
      shape[p.name] = arb;
    }
    return fc.record({ op: fc.constant(op.operationId), params: fc.record(shape, { noNullPrototype: true }) }, { noNullPrototype: true });
  });
  return {
    name: 'path_params',
    check: 'fuzz_path_params',
    endpoint: { method: 'GET', path: ctx.router.operation('getOrder').path },
    arbitrary: fc.oneof(...arbs),
    async run({ op: operationId, params }) {
      const op = ctx.spec.operations.get(operationId);
      if (!op) return { kind: 'skip', reason: `unknown operation ${operationId}` };
      const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => (params[name] ? segment(params[name]) : ''));
      const ex = await ctx.http.request({ path });
      const judged = judgeAnswer(ctx, ex, operationId, on);
      if (judged) return judged;
      if (!on.has('fuzz_path_params')) return ok(...env.base());
      const value = (name: string): string | undefined => (params[name]?.raw ? undefined : params[name]?.value);
      const ref = value('order_reference');
      const filename = value('filename');
      const names = Object.keys(params);
      // listed: every parameter names something the target showed
      const listed = names.length > 0 && names.every((n) => (n === 'order_reference' ? ref !== undefined && refSet.has(ref) : n === 'filename' ? ref !== undefined && filename !== undefined && fileSet.has(`${ref}\u0000${filename}`) : false));
      const sent = Object.fromEntries(names.map((n) => [n, params[n]?.value]));
      const f = fuzzPathParams.judge({ ex, operationId, at: requestLine(ex), params: sent, listed }, ctx.env).findings[0];
      return f ? failOf('fuzz_path_params', f) : ok(...env.base(), 'fuzz_path_params');
    },
  };
}

// ------------------------------------------------------------ bodies (writes)

function send(ctx: RunContext, method: string, path: string, body: Body): Promise<Exchange> {
  return 'json' in body ? ctx.http.request({ method, path, json: body.json === undefined ? null : body.json }) : ctx.http.request({ method, path, body: body.text, headers: { 'content-type': 'application/json' } });
}

/**
 * Invalid termination bodies, each sent to an order in a state the
 * termination is allowed from: refused with a 4xx, and the order's state and
 * its requests unchanged. An order that took a body (or changed) is spent and
 * the next one is used, so each case starts from a clean order.
 */
export function terminationBodyProperty(env: FuzzEnv): FuzzProperty<Body> {
  const { ctx, on } = env;
  const terminate = ctx.lifecycle.actions.get('terminate');
  const from = terminate?.from ?? [];
  // only orders the run created or the user named disposable (src/engine/safety.ts); their state is read before use
  const candidates = [...ctx.writable];
  let next = 0;
  let current: { ref: string; state: string; requests: string[] } | undefined;
  const spent = new Set<string>();
  /** the orders passed over and the state each was in, for the reason of a property with none left */
  const passed: string[] = [];
  const acquire = async (): Promise<typeof current> => {
    while (current === undefined && next < candidates.length) {
      const ref = candidates[next++] as string;
      if (spent.has(ref)) continue;
      const state = await stateOf(ctx, ref);
      if (state === undefined || !from.includes(state)) {
        passed.push(`${ref}: ${state ?? 'unreadable'}`);
        continue;
      }
      const req = await requestsOf(ctx, ref);
      if (req.broken) continue;
      current = { ref, state, requests: req.ids };
    }
    return current;
  };
  const spend = (): void => {
    if (current) {
      spent.add(current.ref);
      ctx.touched.add(current.ref);
    }
    current = undefined;
  };
  return {
    name: 'termination_body',
    check: 'fuzz_invalid_body',
    endpoint: { method: 'POST', path: ctx.router.path('requestOrderAction', { order_reference: '{order_reference}', action: terminate?.name ?? '{action}' }, (v) => v) },
    arbitrary: invalidActionBody(env.data.reasons),
    maxShrinks: 20,
    ...(candidates.length === 0 ? { unavailable: `no order of the run's own, nor a disposable one, to send invalid bodies to; name one in state ${from.join('/')} with --disposable-order REF` } : {}),
    async run(body) {
      const o = await acquire();
      // e.g. the run's order not yet active after --wait-ms: the property could not be exercised (a skip, not a finding)
      if (!o) return { kind: 'no-input', reason: `no order of the run's own, nor a disposable one, left in state ${from.join('/')} to send invalid bodies to${passed.length > 0 ? ` (${passed.join(', ')})` : ''}; name one with --disposable-order REF` };
      const ex = await send(ctx, 'POST', ctx.path('requestOrderAction', { order_reference: o.ref, action: terminate?.name ?? '' }), body);
      const status = ex.status;
      if (status === undefined || status >= 500) spend();
      const judged = judgeAnswer(ctx, ex, 'requestOrderAction', on);
      if (judged) return judged;
      const at = requestLine(ex);
      const before = { state: o.state, requests: o.requests };
      const refused = status !== undefined && status >= 400 && status < 500;
      const after = refused ? await Promise.all([stateOf(ctx, o.ref), requestsOf(ctx, o.ref)]).then(([state, r]) => ({ state, requests: r.ids })) : undefined;
      const f = fuzzInvalidBody.judge({ ex, at, ref: o.ref, before, ...(after ? { after } : {}) }, ctx.env).findings[0];
      if (f) {
        spend();
        return failOf('fuzz_invalid_body', f);
      }
      return ok(...env.base(), 'fuzz_invalid_body');
    },
  };
}

/** Invalid product order bodies: refused with a 4xx. */
export function productOrderBodyProperty(env: FuzzEnv): FuzzProperty<Body> {
  const { ctx, on } = env;
  return {
    name: 'product_order_body',
    check: 'fuzz_invalid_product_order',
    endpoint: { method: 'POST', path: ctx.router.operation('createProductOrder').path },
    arbitrary: invalidProductOrderBody(ctx.spec),
    maxShrinks: 20,
    async run(body) {
      const ex = await send(ctx, 'POST', ctx.path('createProductOrder'), body);
      const judged = judgeAnswer(ctx, ex, 'createProductOrder', on);
      if (judged) return judged;
      const f = fuzzInvalidProductOrder.judge({ ex, at: requestLine(ex) }, ctx.env).findings[0];
      if (f) return failOf('fuzz_invalid_product_order', f);
      return ok(...env.base(), 'fuzz_invalid_product_order');
    },
  };
}

/**
 * What the fuzzer needs to know of the target before it starts: the visible
 * orders (reference, state), the unfiltered order requests, a few listed
 * documents and the termination reasons. Read fresh at the start of the fuzz
 * phase (earlier phases may have changed things) and re-read when a property
 * suspects the target changed under it (another user's write, an order
 * moving on its own), so that a moving target is not mistaken for a bug.
 */
import type { RunContext } from '../engine/context.ts';
import type { Exchange } from '../harness/http.ts';
import { walkList } from '../engine/list.ts';
import { listRequests, type RequestRow } from '../engine/phases/requests.ts';

export interface ListSnapshot<T> {
  rows: T[];
  /** `count` of the first page when paginated */
  announced: number | undefined;
  paginated: boolean;
  broken: string | undefined;
  /** rows of the first page */
  firstPageRows: number;
}

/**
 * Whether a list honours `page_size`, a parameter the suite guessed (the
 * documentation shows no paging): asserted only once the target has shown it
 * honours it. `why` says what was seen when it is not.
 */
export interface PageSizeProbe {
  honoured: boolean;
  why: string;
}

export interface FuzzData {
  orders: ListSnapshot<{ ref: string; state: string }>;
  requests: ListSnapshot<RequestRow>;
  /** documents listed for a few orders */
  files: { ref: string; name: string }[];
  reasons: string[];
  /** whether each list honours page_size (absent: not probed, taken as honoured) */
  pageSize?: { orders: PageSizeProbe; requests: PageSizeProbe };
}

export async function snapshotOrders(ctx: RunContext): Promise<FuzzData['orders']> {
  const rows: { ref: string; state: string }[] = [];
  let firstPageRows: number | undefined;
  const walk = await walkList(ctx, {
    path: ctx.path('listOrders'),
    operationId: 'listOrders',
    onPage: (_ex, page) => void (firstPageRows ??= page.length),
    onItem: (item) => {
      const o = item as { order_reference?: unknown; state?: unknown } | null;
      if (typeof o?.order_reference === 'string') rows.push({ ref: o.order_reference, state: String(o.state) });
    },
  });
  return { rows, announced: walk.announced, paginated: walk.paginated, broken: walk.broken, firstPageRows: firstPageRows ?? 0 };
}

export async function snapshotRequests(ctx: RunContext): Promise<FuzzData['requests']> {
  const rows: RequestRow[] = [];
  let firstPageRows: number | undefined;
  const walk = await walkList(ctx, {
    path: ctx.path('listOrderRequests'),
    operationId: 'listOrderRequests',
    onPage: (_ex, page) => void (firstPageRows ??= page.length),
    onItem: (item) => {
      const r = item as Record<string, unknown> | null;
      rows.push({ id: String(r?.id), order_reference: String(r?.order_reference), action: String(r?.action), reason: String(r?.reason) });
    },
  });
  return { rows, announced: walk.announced, paginated: walk.paginated, broken: walk.broken, firstPageRows: firstPageRows ?? 0 };
}

/**
 * Asks a list for pages of one row: the target honours `page_size` when it
 * answers a page of at most one row, while its first page (no page_size) had
 * more. A bare list, a list of fewer than two rows or an answer of more rows
 * means page sizes cannot be asserted on this list.
 */
export async function probePageSize(ctx: RunContext, path: string, operationId: string, snap: ListSnapshot<unknown>): Promise<PageSizeProbe> {
  if (!snap.paginated) return { honoured: false, why: 'the list is not paginated (a bare array)' };
  if (snap.firstPageRows < 2) return { honoured: false, why: `its first page has ${snap.firstPageRows} row(s): whether page_size is honoured cannot be told` };
  const ex = await ctx.http.request({ path, query: { page_size: 1 }, operationId });
  const body = ex.status === 200 && ex.isJson() ? (ex.json() as { results?: unknown }) : undefined;
  const rows = Array.isArray(body) ? body.length : Array.isArray(body?.results) ? body.results.length : undefined;
  if (rows === undefined) return { honoured: false, why: `page_size=1 answered ${ex.status ?? ex.error?.message}${ex.status === 200 ? ' without a list' : ''}` };
  if (rows > 1) return { honoured: false, why: `the target ignores page_size (page_size=1 answered ${rows} rows)` };
  return { honoured: true, why: '' };
}

/** Requests of one order, unvalidated (the requests check owns their schema). */
export async function requestsOf(ctx: RunContext, ref: string): Promise<{ ids: string[]; broken?: string }> {
  const r = await listRequests(ctx, { order_reference: ref }, false);
  return r.broken ? { ids: r.rows.map((x) => x.id), broken: r.broken } : { ids: r.rows.map((x) => x.id) };
}

export async function stateOf(ctx: RunContext, ref: string): Promise<string | undefined> {
  const ex = await ctx.call('getOrder', { order_reference: ref });
  const s = ex.status === 200 ? (ex.json() as { state?: unknown } | null)?.state : undefined;
  return typeof s === 'string' ? s : undefined;
}

export async function discover(ctx: RunContext, maxDocOrders = 3): Promise<FuzzData> {
  const [orders, requests, reasonsEx] = await Promise.all([snapshotOrders(ctx), snapshotRequests(ctx), ctx.call('listTerminateReasons')]);
  const list = (reasonsEx.json() as { terminate_reasons?: unknown } | undefined)?.terminate_reasons;
  const reasons = Array.isArray(list) ? list.filter((r): r is string => typeof r === 'string') : [];
  const files: FuzzData['files'] = [];
  for (const { ref } of orders.rows.slice(0, maxDocOrders)) {
    const ex = await ctx.call('listOrderDocuments', { order_reference: ref });
    const groups = ex.status === 200 ? ex.json() : undefined;
    if (!Array.isArray(groups)) continue;
    for (const g of groups as { values?: unknown }[]) {
      for (const name of Array.isArray(g?.values) ? g.values : []) if (typeof name === 'string') files.push({ ref, name });
    }
  }
  const [po, pr] = await Promise.all([probePageSize(ctx, ctx.path('listOrders'), 'listOrders', orders), probePageSize(ctx, ctx.path('listOrderRequests'), 'listOrderRequests', requests)]);
  return { orders, requests, files, reasons, pageSize: { orders: po, requests: pr } };
}

export interface PageWalk {
  pages: { ex: Exchange; rows: unknown[] }[];
  announced: number | undefined;
  paginated: boolean;
  /** why the walk stopped early: a non-200 page, a body that is no list, a link loop */
  broken: string | undefined;
  brokenAt: Exchange | undefined;
}

/**
 * Walks a list from a path with its query already encoded (fuzzed queries
 * are sent byte for byte), following `next` links. The requests carry no
 * operationId: the fuzzer judges them itself (see ./judge.ts).
 */
export async function walkPages(ctx: RunContext, first: string, maxPages = 200): Promise<PageWalk> {
  const pages: PageWalk['pages'] = [];
  const w = await walkList(ctx, { path: first, maxPages, onPage: (ex, rows) => void pages.push({ ex, rows }), onItem: () => undefined });
  if (pages.length === 0 && w.brokenAt) pages.push({ ex: w.brokenAt, rows: [] });
  return { pages, announced: w.announced, paginated: w.paginated, broken: w.broken, brokenAt: w.brokenAt };
}

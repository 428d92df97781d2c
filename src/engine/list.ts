/**
 * Walks a list endpoint whose envelope the documentation does not show: a bare
 * JSON array, or a page `{count, next, previous, results}` whose `next` links
 * are followed. Bounded: a `next` loop or a page count past what `count`
 * announces stops the walk and is reported.
 */
import { countContradiction as judgeCount, needsSecondWalk, type CountContradiction } from '../checks/orders/paging.ts';
import type { Exchange, Principal } from '../harness/http.ts';
import { resolveLink } from '../harness/url.ts';
import type { WalkSummary } from '../checks/lists.ts';
import type { RunContext } from './context.ts';

/** A walk's summary, as the list checks read it (src/checks/lists.ts). */
export type ListWalk = WalkSummary;

export interface WalkSpec {
  path: string;
  query?: Record<string, string | number | undefined>;
  /** absent for requests the caller judges itself (fuzzing): the run-wide watchers skip them */
  operationId?: string;
  as?: Principal;
  /** component schema of one item */
  itemSchema?: string;
  /** stop after this many items (the other-tenant probe does not need everything) */
  limit?: number;
  /** most pages to follow, whatever `count` announces */
  maxPages?: number;
  onItem: (item: unknown, ex: Exchange, index: number) => void;
  /** called once per page with its rows, before its items */
  onPage?: (ex: Exchange, rows: unknown[]) => void;
}

export async function walkList(ctx: RunContext, spec: WalkSpec): Promise<ListWalk> {
  const walk: ListWalk = { items: 0, pages: 0, announced: undefined, counts: [], paginated: false, broken: undefined, first: undefined, brokenAt: undefined, refusedLink: false };
  const seen = new Set<string>();
  let url: string | undefined = spec.path;
  let query = spec.query;
  const capPages = spec.maxPages ?? 100_000;
  let maxPages = capPages;
  // rows per page (the first page's) and the largest count announced so far: a live list grows during a walk
  let per = 0;
  let largest = 0;
  while (url) {
    // a page is the same page however its link is spelt (relative or absolute)
    let key = url;
    try {
      key = ctx.http.resolve(url, query);
    } catch {
      // an unusable link is reported below, by the request that fails
    }
    if (seen.has(key)) {
      walk.broken = `the "next" link ${url} was already visited (pagination loop)`;
      break;
    }
    seen.add(key);
    if (walk.pages >= maxPages) {
      walk.broken = `more pages than the announced count allows (${walk.pages} pages for count ${largest})`;
      break;
    }
    const ex = await ctx.http.request({ path: url, query, operationId: spec.operationId, as: spec.as ?? 'main' });
    query = undefined;
    walk.pages++;
    walk.first ??= ex;
    if (ex.status !== 200 || !ex.isJson()) {
      const why = ex.jsonProblem();
      walk.broken = ex.status === undefined ? `no answer: ${ex.error?.message}` : `page ${walk.pages} answered ${ex.status}${ex.isJson() ? '' : ` without a JSON body${why ? ` (${why})` : ''}`}`;
      walk.brokenAt = ex;
      break;
    }
    const body = ex.json();
    let items: unknown[];
    let next: string | undefined;
    if (Array.isArray(body)) {
      items = body;
    } else if (body && typeof body === 'object' && Array.isArray((body as { results?: unknown }).results)) {
      const page = body as { results: unknown[]; next?: unknown; count?: unknown };
      walk.paginated = true;
      items = page.results;
      if (typeof page.count === 'number') {
        walk.counts.push(page.count);
        if (walk.pages === 1) {
          walk.announced = page.count;
          per = Math.max(1, items.length);
        }
        // the pages the largest count so far allows, two more for rows that moved: a list that grows during the
        // walk (a live staging) may need more pages than its first count announced; one that keeps its count and
        // keeps linking further is stopped, and so is one whose count grows without end (past twice the first, and 100)
        largest = Math.max(largest, page.count);
        if (per > 0) maxPages = Math.min(capPages, Math.ceil(Math.min(largest, 2 * (walk.announced ?? 0) + 100) / per) + 2);
      }
      next = typeof page.next === 'string' && page.next !== '' ? page.next : undefined;
    } else {
      walk.broken = 'the list is neither a JSON array nor a page with "results"';
      walk.brokenAt = ex;
      break;
    }
    spec.onPage?.(ex, items);
    for (const item of items) {
      if (spec.limit !== undefined && walk.items >= spec.limit) return walk;
      spec.onItem(item, ex, walk.items);
      walk.items++;
    }
    if (next) {
      // a URL reference, resolved against the page that gave it (RFC 3986): "?page=2" is a link too
      const link = resolveLink(next, ex.url, ctx.http.origin);
      if ('error' in link) {
        walk.broken = `the "next" link of page ${walk.pages} is not followed: ${link.error}`;
        walk.brokenAt = ex;
        walk.refusedLink = true;
        break;
      }
      next = link.url.href;
    }
    url = next;
  }
  return walk;
}

export type { CountContradiction };

/**
 * A paginated list's announced `count` against the rows its pages gave, with
 * the second walk that confirms a contradiction made only when there is one
 * to confirm; judged by src/checks/orders/paging.ts.
 */
export async function countContradiction(what: string, walk: ListWalk, rewalk: () => Promise<ListWalk>): Promise<CountContradiction | undefined> {
  return needsSecondWalk(walk) ? judgeCount(what, walk, await rewalk()) : undefined;
}

/** Most recently modified rows a second walk keeps (src/checks/orders/paging.ts shows them). */
const LATEST = 5;

/**
 * The order list walked again, to look again at what the first walk showed
 * (a count it contradicted, rows that came twice): the walk, and its most
 * recently modified rows, the most recent first (ANALYSIS.md rule 2: "compares
 * the rows with the orders' modification dates"), and whether it came sorted
 * by modification date, newest first (each page in that order, at most 1 row
 * in 100 out of it). Holds `LATEST` rows at most.
 */
export async function walkAgain(ctx: RunContext, spec: Omit<WalkSpec, 'onItem' | 'onPage'>): Promise<{ walk: ListWalk; latest: { ref: string; modified: string }[]; newestFirst: boolean }> {
  const latest: { ref: string; modified: string; at: number }[] = [];
  // rows compared with the row before them on the same page, and those more recently modified than it (out of
  // newest-first order); a page is one reading, while two pages are read at two moments (a row on a later page may be
  // an order modified in between, and rightly newer than the rows before it)
  let compared = 0;
  let inversions = 0;
  let previous = Number.POSITIVE_INFINITY;
  let page: Exchange | undefined;
  const walk = await walkList(ctx, {
    ...spec,
    onItem: (item, ex) => {
      if (ex !== page) {
        page = ex;
        previous = Number.POSITIVE_INFINITY;
      }
      const o = item as { order_reference?: unknown; modification_date?: unknown } | null;
      if (typeof o?.order_reference !== 'string' || typeof o.modification_date !== 'string') return;
      const at = Date.parse(o.modification_date);
      if (Number.isFinite(at)) {
        if (previous !== Number.POSITIVE_INFINITY) compared++;
        if (at > previous) inversions++;
        previous = at;
      }
      if (!Number.isFinite(at) || (latest.length >= LATEST && at <= (latest.at(-1)?.at ?? 0))) return;
      latest.push({ ref: o.order_reference, modified: o.modification_date, at });
      latest.sort((a, b) => b.at - a.at);
      latest.length = Math.min(latest.length, LATEST);
    },
  });
  return { walk, latest: latest.map(({ ref, modified }) => ({ ref, modified })), newestFirst: compared > 0 && inversions <= Math.floor(compared / 100) };
}

/**
 * Reference data and order requests: REASONS-TYPES, REQ-TYPES, REQ-FILTER.
 * A filter means what it says: every row returned matches it, and the rows of
 * every value of a filter, together, are the unfiltered list.
 */
import { wellFormed } from '../../harness/url.ts';
import type { RunContext } from '../context.ts';
import { countContradiction, walkList, type CountContradiction, type ListWalk } from '../list.ts';

const REQUESTS = '/api/v1/order_request/';

export async function fetchReasons(ctx: RunContext): Promise<string[]> {
  const ex = await ctx.http.request({ path: '/api/v1/terminate_reason/', operationId: 'listTerminateReasons' });
  // the reasons serve the write checks too: read them whatever is selected; judge them only when selected (unselected checks are muted)
  ctx.enabled('terminate_reasons_schema');
  if (!ctx.expectStatus('terminate_reasons_schema', ex, [200], 'termination reasons')) return [];
  ctx.schema('terminate_reasons_schema', ex, 'listTerminateReasons');
  const reasons = (ex.json() as { terminate_reasons?: unknown })?.terminate_reasons;
  return Array.isArray(reasons) ? reasons.filter((r): r is string => typeof r === 'string') : [];
}

export interface RequestRow {
  id: string;
  order_reference: string;
  action: string;
  reason: string;
}

/** All order requests (optionally filtered), validated against OrderRequest on the way; `walk` says how the pages went. */
export async function listRequests(ctx: RunContext, query: Record<string, string> = {}, validate = true): Promise<{ rows: RequestRow[]; broken?: string; walk: ListWalk }> {
  const rows: RequestRow[] = [];
  const schema = ctx.validators.component('OrderRequest');
  const rec = ctx.check('order_requests_schema');
  const walk = await walkList(ctx, {
    path: REQUESTS,
    query,
    operationId: 'listOrderRequests',
    schemaCheck: validate ? 'order_requests_schema' : undefined,
    onItem: (item, ex, i) => {
      if (validate) {
        for (const v of schema(item)) ctx.violation('order_requests_schema', ex, v, `/results/${i}`);
        rec.pass();
      }
      const r = item as Record<string, unknown>;
      rows.push({ id: String(r?.id), order_reference: String(r?.order_reference), action: String(r?.action), reason: String(r?.reason) });
    },
  });
  return walk.broken ? { rows, broken: walk.broken, walk } : { rows, walk };
}

/**
 * A walk of the order requests (with `query`) whose rows contradict its own
 * count, confirmed by a second walk, is recorded on order_list_paging
 * (ORD-LIST-PAGING): an error once confirmed, else a warning saying why.
 */
async function pagingContradiction(ctx: RunContext, query: Record<string, string>, walk: ListWalk): Promise<CountContradiction | undefined> {
  const q = new URLSearchParams(query).toString();
  const found = await countContradiction(`the order request list${q ? ` (?${q})` : ''}`, walk, async () => (await listRequests(ctx, query, false)).walk);
  if (found && ctx.enabled('order_list_paging')) {
    ctx.check('order_list_paging').fail(found.message, ctx.http.evidence(walk.first!, { pointer: '/count', value: walk.announced, expected: String(walk.announced), received: String(walk.items) }), found.confirmed ? 'error' : 'warning');
  }
  return found;
}

/** Whether a walk gave as many rows as its own count announces (or cannot tell). */
const complete = (w: ListWalk): boolean => !w.paginated || w.announced === undefined || w.announced === w.items;

export async function checkOrderRequests(ctx: RunContext): Promise<void> {
  ctx.enabled('order_requests_schema');
  if (!ctx.wants('order_requests_schema', 'order_requests_filter', 'order_list_paging')) return;
  const all = await listRequests(ctx);
  if (all.broken) {
    ctx.check('order_requests_schema').fail(`expected the order request list / received ${all.broken}`, { method: 'GET', url: ctx.http.origin + REQUESTS });
    return;
  }
  // the unfiltered list against its own count (ORD-LIST-PAGING): a paginator that loses rows is no filter's fault
  const contradiction = await pagingContradiction(ctx, {}, all.walk);
  if (!ctx.enabled('order_requests_filter')) return;
  const rec = ctx.check('order_requests_filter');
  if (all.rows.length === 0) {
    rec.skip('the target lists no order requests to filter');
    return;
  }
  const fields = ['order_reference', 'action'] as const;
  const valuesOf = Object.fromEntries(fields.map((field) => [field, [...new Set(all.rows.map((r) => r[field]))].slice(0, 20)])) as Record<(typeof fields)[number], string[]>;
  // every filtered walk at once (the harness keeps --concurrency in flight), judged afterwards in a fixed order
  const walks = new Map(await Promise.all(fields.flatMap((field) => valuesOf[field].map(async (value) => [`${field}=${value}`, await listRequests(ctx, { [field]: value }, false)] as const))));
  for (const field of fields) {
    const values = valuesOf[field];
    let union = 0;
    // the rows per value add up to the unfiltered list only if that list gave what its count announces
    const comparable = contradiction === undefined;
    for (const value of values) {
      const filtered = walks.get(`${field}=${value}`)!;
      // a filtered walk short of its own count is a paging finding too; its lost rows still count against the filter
      if (!complete(filtered.walk)) await pagingContradiction(ctx, { [field]: value }, filtered.walk);
      const wrong = filtered.rows.filter((r) => r[field] !== value);
      const url = `${ctx.http.origin}${REQUESTS}?${field}=${encodeURIComponent(wellFormed(value))}`;
      if (wrong.length > 0) {
        rec.fail(`?${field}=${value}: expected only rows with ${field} "${value}" / received ${wrong.length} other row(s), e.g. ${field} "${wrong[0]?.[field]}"`, { method: 'GET', url, pointer: `/${field}`, value: wrong[0]?.[field] });
      } else rec.pass();
      union += filtered.rows.length - wrong.length;
    }
    if (comparable && values.length === new Set(all.rows.map((r) => r[field])).size && union !== all.rows.length) {
      rec.fail(`filtering by every ${field} value: expected the ${all.rows.length} rows of the unfiltered list in all / received ${union}`, { method: 'GET', url: `${ctx.http.origin}${REQUESTS}?${field}=…`, expected: String(all.rows.length), received: String(union) });
    }
  }
}

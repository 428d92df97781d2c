/**
 * Reference data and order requests: REASONS-TYPES, REQ-TYPES, REQ-FILTER.
 * A filter means what it says: every row returned matches it, and the rows of
 * every value of a filter, together, are the unfiltered list.
 */
import { orderListPaging, needsSecondWalk } from '../../checks/orders/paging.ts';
import { terminateReasonsSchema } from '../../checks/requests/reasons.ts';
import { changedWhileRead, FILTER_FIELDS, filterValues, needsSecondLook, orderRequestsFilter, type FilterInput, type RequestRow } from '../../checks/requests/filter.ts';
import { orderRequestsSchema } from '../../checks/requests/schema.ts';
import type { RunContext } from '../context.ts';
import { walkList, type ListWalk } from '../list.ts';

export type { RequestRow };

export async function fetchReasons(ctx: RunContext): Promise<string[]> {
  const ex = await ctx.call('listTerminateReasons');
  // the reasons serve the write checks too: read them whatever is selected; judge them only when selected (unselected checks are muted)
  ctx.enabled('terminate_reasons_schema');
  ctx.judge(terminateReasonsSchema, { reasons: ex });
  if (ex.status !== 200) return [];
  const reasons = (ex.json() as { terminate_reasons?: unknown })?.terminate_reasons;
  return Array.isArray(reasons) ? reasons.filter((r): r is string => typeof r === 'string') : [];
}

/** All order requests (optionally filtered), each page judged against OrderRequest on the way when `validate`; `walk` says how the pages went. */
export async function listRequests(ctx: RunContext, query: Record<string, string> = {}, validate = true): Promise<{ rows: RequestRow[]; broken?: string; walk: ListWalk }> {
  const rows: RequestRow[] = [];
  let pages = 0;
  const walk = await walkList(ctx, {
    path: ctx.path('listOrderRequests'),
    query,
    operationId: 'listOrderRequests',
    onPage: (page) => {
      if (validate) ctx.judge(orderRequestsSchema, { page, first: ++pages === 1, offset: rows.length });
    },
    onItem: (item) => {
      const r = item as Record<string, unknown>;
      rows.push({ id: String(r?.id), order_reference: String(r?.order_reference), action: String(r?.action), reason: String(r?.reason) });
    },
  });
  if (validate) ctx.judge(orderRequestsSchema, { walk, url: ctx.http.origin + ctx.path('listOrderRequests') });
  return walk.broken ? { rows, broken: walk.broken, walk } : { rows, walk };
}

/**
 * A walk of the order requests (with `query`) whose rows contradict its own
 * count is walked again and judged on order_list_paging (ORD-LIST-PAGING):
 * an error once confirmed, else a warning saying why.
 */
async function judgeCount(ctx: RunContext, query: Record<string, string>, walk: ListWalk): Promise<void> {
  if (!needsSecondWalk(walk)) return;
  const q = new URLSearchParams(query).toString();
  const again = (await listRequests(ctx, query, false)).walk;
  if (ctx.enabled('order_list_paging')) ctx.judge(orderListPaging, { what: `the order request list${q ? ` (?${q})` : ''}`, walk, again, countOnly: true });
}

export async function checkOrderRequests(ctx: RunContext): Promise<void> {
  ctx.enabled('order_requests_schema');
  if (!ctx.wants('order_requests_schema', 'order_requests_filter', 'order_list_paging')) return;
  const all = await listRequests(ctx);
  if (all.broken) return;
  // the unfiltered list against its own count (ORD-LIST-PAGING): a paginator that loses rows is no filter's fault
  await judgeCount(ctx, {}, all.walk);
  if (!ctx.enabled('order_requests_filter')) return;
  const filtered: FilterInput['filtered'] = [];
  if (all.rows.length > 0) {
    // every filtered walk at once (the harness keeps --concurrency in flight), judged afterwards in a fixed order
    const wanted = FILTER_FIELDS.flatMap((field) => filterValues(all.rows, field).map((value) => ({ field, value })));
    const walks = await Promise.all(wanted.map(({ field, value }) => listRequests(ctx, { [field]: value }, false)));
    for (const [i, { field, value }] of wanted.entries()) {
      const got = walks[i]!;
      // a filtered walk short of its own count is a paging finding too; its lost rows still count against the filter
      await judgeCount(ctx, { [field]: value }, got.walk);
      filtered.push({ field, value, rows: got.rows });
    }
  }
  const input: FilterInput = { url: ctx.http.origin + ctx.path('listOrderRequests'), all: { rows: all.rows, walk: all.walk }, filtered };
  // the filtered rows differ from the unfiltered list read before them: read it again, so that rows created meanwhile are not taken for a contradiction
  // (a reading that changed while it was read, another user acting meanwhile, is made once more; the check judges the last)
  if (needsSecondLook(input)) {
    for (let look = 0; look < 2; look++) {
      const again = await listRequests(ctx, {}, false);
      input.again = { rows: again.rows, walk: again.walk };
      if (!changedWhileRead(again.walk)) break;
    }
  }
  ctx.judge(orderRequestsFilter, input);
}

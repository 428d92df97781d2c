/**
 * ORD-LIST-TYPES: every row of every page of the order list (GET
 * /api/v1/order/) matches OrderSummary, and the first page's envelope its
 * (inferred) page schema. Judged page by page as the walk goes, then once at
 * its end: a list that cannot be read at all is a finding too.
 */
import { defineCheck, type Judgement } from '../define.ts';
import { brokenBodyJudgement, pageJudgement, type ListPage, type WalkSummary } from '../lists.ts';
import { both } from '../response.ts';

/** A page of the walk, or the walk once it ended. */
export type OrderListInput = ListPage | { walk: WalkSummary };

export const orderListSchema = defineCheck<OrderListInput>(import.meta.url, 'order_list_schema', (input, env): Judgement => {
  if ('page' in input) return pageJudgement(env, input, 'listOrders', 'OrderSummary');
  const { walk } = input;
  if (!walk.broken) return { passed: 0, findings: [] };
  const body = brokenBodyJudgement(env, walk.brokenAt, 'listOrders');
  // a walk that broke on its first page read no list at all
  const unread: Judgement = walk.pages <= 1 && walk.brokenAt ? { passed: 0, findings: [{ message: `expected the order list / received ${walk.broken}`, exchange: walk.brokenAt }] } : { passed: 0, findings: [] };
  return both(body, unread);
});

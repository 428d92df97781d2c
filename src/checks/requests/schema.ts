/**
 * REQ-TYPES: every row of every page of the order requests (GET
 * /api/v1/order_request/, unfiltered) matches OrderRequest, and the first
 * page's envelope its (inferred) page schema. Judged page by page as the walk
 * goes, then once at its end: a list that cannot be walked is a finding.
 */
import { defineCheck, type Judgement } from '../define.ts';
import { brokenBodyJudgement, pageJudgement, type ListPage, type WalkSummary } from '../lists.ts';
import { both } from '../response.ts';

/** A page of the walk, or the walk once it ended (`url`: the list's, for the evidence of a walk that broke). */
export type OrderRequestsInput = ListPage | { walk: WalkSummary; url: string };

export const orderRequestsSchema = defineCheck<OrderRequestsInput>(import.meta.url, 'order_requests_schema', (input, env): Judgement => {
  if ('page' in input) return pageJudgement(env, input, 'listOrderRequests', 'OrderRequest');
  const { walk, url } = input;
  if (!walk.broken) return { passed: 0, findings: [] };
  return both(brokenBodyJudgement(env, walk.brokenAt, 'listOrderRequests'), { passed: 0, findings: [{ message: `expected the order request list / received ${walk.broken}`, evidence: { method: 'GET', url } }] });
});

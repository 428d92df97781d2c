/**
 * PO-STATUS: the run's product order is accepted (any 2xx) with its item in
 * the lifecycle's initial status, its item status then moves through phase 1
 * only as `x-lifecycle` allows (polling may miss a status: each one seen
 * must be reachable from the one before) to a final status within --wait-ms,
 * and, once created, names an order that reads in a live state. The product
 * order's shape is inferred: its schema findings are graded by the contract
 * (warnings), each once. Judged on the creation, the polls of
 * GET /product_order/{id}/ and the created order's detail, which the driver
 * (src/engine/phases/writes.ts) hands over.
 */
import type { Exchange } from '../../harness/http.ts';
import type { Lifecycle } from '../../contract/lifecycle.ts';
import { canMove } from '../../contract/lifecycle.ts';
import { plainExpectation } from '../../contract/plain.ts';
import { SUCCESS, schemaJudgement, statusJudgement } from '../response.ts';
import { defineCheck, type Finding, type JudgeEnv } from '../define.ts';
import { effect, stateOf } from './effects.ts';

export interface ProductOrderInput {
  /** where the body came from: the user's (--product-order-body), learnt from an existing order, or the documentation example */
  source: 'user' | 'learnt' | 'example';
  /** the offering the body asked for, for the message when the target refuses the kit's body */
  offering: string;
  /** the creation and its answer */
  created: Exchange;
  /** GET /product_order/{id}/, polled; polling stops at an answer that is not 200, at a move the lifecycle does not allow, at a final status, or at the deadline */
  polls: Exchange[];
  waitMs: number;
  /** the order the product order created, read once its item is final */
  order?: Exchange;
}

/** A 4xx (not 401, 403, 429) to a body the kit guessed: the check could not be exercised, the provider is not at fault. */
export function refusedKitBody(created: Exchange, source: ProductOrderInput['source']): boolean {
  const s = created.status;
  return s !== undefined && s >= 400 && s < 500 && ![401, 403, 429].includes(s) && source !== 'user';
}

/** GET /product_order/{id}/ is not documented: a first poll answered so means phase 1 cannot be followed. */
export function undocumentedPoll(ex: Exchange): boolean {
  return ex.status === 404 || ex.status === 405 || ex.status === 501;
}

/**
 * The item's phase-1 status: `status` as the contract names it, or — the
 * field name is inferred — another field of the item holding a phase-1
 * status value (`state`, say), with the name it was found under.
 */
function itemStatus(lifecycle: Lifecycle, item: Record<string, unknown> | undefined): { status: string | undefined; field: string | undefined } {
  if (!item) return { status: undefined, field: undefined };
  const vocabulary = lifecycle.item.states;
  if (typeof item.status === 'string') return { status: item.status, field: 'status' };
  for (const [k, v] of Object.entries(item)) if (typeof v === 'string' && vocabulary.includes(v)) return { status: v, field: k };
  return { status: undefined, field: undefined };
}

const firstItem = (ex: Exchange): Record<string, unknown> | undefined => (ex.json() as { product_order_item?: Record<string, unknown>[] } | undefined)?.product_order_item?.[0];

/** The product order's id, when its creation was acknowledged with one. */
export function productOrderId(created: Exchange): string | undefined {
  if (created.status === undefined || !SUCCESS.includes(created.status)) return undefined;
  const id = (created.json() as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** How phase 1 went, as the polls show it: the statuses seen, where it stopped, and the order reference last given. */
export interface PhaseOne {
  seen: string[];
  /** the polls read (up to the one that stopped it) */
  read: number;
  stop?: { kind: 'refused' | 'unreachable' | 'final'; at: Exchange; status?: string; prev?: string };
  orderRef: string | null | undefined;
}

/** Follows phase 1 through the polls; the driver reads it to know when to stop polling, the check to judge. */
export function phaseOne(lifecycle: Lifecycle, created: Exchange, polls: Exchange[]): PhaseOne {
  const item = lifecycle.item;
  const out: PhaseOne = { seen: [String(itemStatus(lifecycle, firstItem(created)).status)], read: 0, orderRef: undefined };
  // polling may miss a status: the new one must be reachable from the previous
  const reachable = (from: string, to: string, depth = 0): boolean => depth < 10 && (canMove(item, from, to) || (item.transitions.get(from) ?? []).some((n) => reachable(n, to, depth + 1)));
  for (const ex of polls) {
    out.read++;
    if (ex.status !== 200) return { ...out, stop: { kind: 'refused', at: ex } };
    const it = firstItem(ex);
    const status = String(itemStatus(lifecycle, it).status);
    const ref = it?.order_reference;
    out.orderRef = typeof ref === 'string' ? ref : ref === null ? null : undefined;
    const prev = out.seen[out.seen.length - 1] ?? item.initial;
    if (status !== prev) {
      if (!reachable(prev, status)) return { ...out, stop: { kind: 'unreachable', at: ex, status, prev } };
      out.seen.push(status);
    }
    if (item.terminal.has(status)) return { ...out, stop: { kind: 'final', at: ex } };
  }
  return out;
}

/** The product order's shape against the (inferred) contract, each violation once across the answers judged with it. */
function shapeJudge(env: JudgeEnv): (ex: Exchange, operationId: string) => Finding[] {
  const seen = new Set<string>();
  return (ex, operationId) => {
    const validate = env.validators.response(operationId, ex.status ?? 0);
    if (!validate || !ex.isJson()) return schemaJudgement(env, ex, operationId).findings;
    const findings: Finding[] = [];
    for (const v of validate(ex.json())) {
      const key = `${v.pointer.replace(/\/\d+/g, '/*')} ${v.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ message: `${v.pointer || '/'}: expected ${plainExpectation(v)} / received ${v.value === undefined ? 'nothing' : JSON.stringify(v.value)}`, exchange: ex, pointer: v.pointer, value: v.value, expected: plainExpectation(v), severity: v.severity });
    }
    return findings;
  };
}

export const productOrderStatus = defineCheck<ProductOrderInput>(import.meta.url, 'product_order_status', (input, env) => {
  const { created, source, offering, polls, waitMs } = input;
  if (refusedKitBody(created, source)) {
    // the target refused the kit's own guess of a valid body: not a provider failure, the check could not be exercised
    return {
      passed: 0,
      findings: [],
      skip: `the target refused the kit's product order (${created.status}) for offering ${offering}${source === 'learnt' ? ' (learnt from an existing order)' : ' (the documentation example: no existing order showed one)'}; give a body this target accepts with --product-order-body FILE`,
    };
  }
  const status = statusJudgement(created, SUCCESS, 'product order creation');
  if (status.findings.length > 0) return status;
  const item = env.lifecycle.item;
  const shape = shapeJudge(env);
  // findings in the order the answers were read: the creation's shape and item status, then each poll's shape, then where phase 1 stopped
  const findings: Finding[] = shape(created, 'createProductOrder');
  const first = itemStatus(env.lifecycle, firstItem(created));
  if (first.status !== item.initial) {
    findings.push({ message: `new product order: expected item status "${item.initial}" / received ${JSON.stringify(first.status ?? firstItem(created))}`, exchange: created, pointer: `/product_order_item/0/${first.field ?? 'status'}`, value: first.status });
  }
  const poId = productOrderId(created);
  if (poId === undefined) return { passed: 1, findings };
  // GET /product_order/{id}/ is not a documented endpoint: phase 1 cannot be followed (the driver finds the order through the list)
  if (polls[0] && undocumentedPoll(polls[0])) return { passed: 2, findings };
  const run = phaseOne(env.lifecycle, created, polls);
  for (const ex of polls.slice(0, run.read)) if (ex.status === 200) findings.push(...shape(ex, 'getProductOrder'));
  const last = polls[run.read - 1] ?? created;
  if (run.stop?.kind === 'refused') {
    findings.push(...statusJudgement(run.stop.at, [200], `product order ${poId}`).findings);
    return { passed: run.read, findings };
  }
  // the creation and every poll answered 200
  const passed = 1 + run.read;
  if (run.stop?.kind === 'unreachable') {
    const { prev = '', status: now = '' } = run.stop;
    // an answer that cannot become right: one finding, and the poll stops
    findings.push({
      message: `product order ${poId}: expected a phase-1 move from "${prev}" (to ${(item.transitions.get(prev) ?? []).join(' or ') || 'nothing: it is final'}) / received "${now}" (after ${run.read} poll${run.read === 1 ? '' : 's'})`,
      ...effect(last, [created]),
      pointer: '/product_order_item/0/status',
      value: now,
      received: [...run.seen, now].join(' → '),
    });
    return { passed, findings };
  }
  const final = run.seen[run.seen.length - 1] ?? '';
  if (!item.terminal.has(final)) {
    findings.push({ message: `product order ${poId}: expected a final status (${[...item.terminal].join(', ')}) within ${waitMs} ms / received "${final}" (${run.read} polls)`, ...effect(last, last === created ? [] : [created]), received: run.seen.join(' → ') });
    return { passed, findings };
  }
  if (final === 'created') {
    const ref = run.orderRef;
    if (typeof ref !== 'string' || ref === '') {
      findings.push({ message: `product order ${poId} is created: expected its order_reference / received ${JSON.stringify(ref)}`, ...effect(last, last === created ? [] : [created]), pointer: '/product_order_item/0/order_reference', value: ref });
      return { passed, findings };
    }
    const state = stateOf(input.order);
    if (state === undefined || !env.lifecycle.order.states.includes(state) || env.lifecycle.order.terminal.has(state)) {
      findings.push({ message: `order ${ref} created by product order ${poId}: expected it readable in a live order state / received ${JSON.stringify(state)}`, ...effect(input.order, [created]), pointer: '/state', value: state });
      return { passed, findings };
    }
  }
  return { passed: passed + 1, findings };
});

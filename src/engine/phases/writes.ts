/**
 * Writes, only with --allow-writes (always on against the bundled server):
 * PO-STATUS, ACT-TERMINATE, ACT-PRECONDITION, ACT-INVALID-BODY.
 *
 * Safety (ANALYSIS.md, "Writes on a target we did not write"): the run writes
 * only to orders it created itself (through the product order it sends) and to
 * orders the user named with --disposable-order. Every other existing order is
 * read, never written: the harness's write guard (src/engine/safety.ts)
 * refuses any other write, so a bug here cannot end a real customer's service.
 * A check that finds no such order in a fitting state is skipped with the
 * option that would enable it.
 *
 * Sequence on one created order, so a run spends one product order and one
 * termination: create it and follow phase 1 (`writes`), wait until it is
 * active, send the invalid bodies (refused, nothing changes); the fuzz phase
 * sends its invalid bodies to the same order; then (`final writes`) terminate
 * it, wait until it is terminated, and probe the precondition on it (a second
 * termination from a state the flowchart does not allow).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { canMove } from '../../spec/lifecycle.ts';
import { plainExpectation } from '../../spec/plain.ts';
import type { Exchange } from '../../harness/http.ts';
import type { Evidence } from '../../report/types.ts';
import { segment } from '../../harness/url.ts';
import type { RunContext } from '../context.ts';
import { orderPath } from './orders.ts';
import { listRequests } from './requests.ts';
import { walkList } from '../list.ts';

const PRODUCT_ORDER = '/api/v1/product_order/';
/** every 2xx: an action or a creation the target acknowledged, whatever success status it chose */
const SUCCESS = Array.from({ length: 100 }, (_, i) => 200 + i);

async function stateOf(ctx: RunContext, ref: string): Promise<{ state: string | undefined; ex: Exchange }> {
  const ex = await ctx.http.request({ path: orderPath(ref), operationId: 'getOrder' });
  const s = ex.status === 200 ? (ex.json() as { state?: unknown })?.state : undefined;
  return { state: typeof s === 'string' ? s : undefined, ex };
}

/** How many order requests an order has, and the first page's exchange (the evidence of the count). */
async function requestCount(ctx: RunContext, ref: string): Promise<{ count: number; ex: Exchange | undefined }> {
  const { rows, walk } = await listRequests(ctx, { order_reference: ref }, false);
  return { count: rows.length, ex: walk.first };
}

/**
 * Evidence of a write's effect: the read that shows it (`shown`), caused by
 * the writes before it, each a real exchange with its status and curl. A
 * read that did not happen (no exchange) leaves the writes as the evidence.
 */
function effectEvidence(ctx: RunContext, shown: Exchange | undefined, causes: Exchange[], extra: Partial<Evidence> = {}): Evidence {
  const causedBy = causes.map((c) => ctx.http.evidence(c));
  if (!shown) {
    const [first, ...rest] = causedBy;
    return { ...(first as Evidence), ...extra, ...(rest.length > 0 ? { causedBy: rest } : {}) };
  }
  return { ...ctx.http.evidence(shown, extra), ...(causedBy.length > 0 ? { causedBy } : {}) };
}

function example(ctx: RunContext, name: string): unknown {
  const ex = (ctx.spec.doc.components as { examples?: Record<string, { value?: unknown }> }).examples?.[name]?.value;
  return structuredClone(ex);
}

/** The external_id of the run's product order: names the run, so the order can be found on the target. */
export function externalIdOf(ctx: RunContext): string {
  return `conformance-${ctx.options.seed}`;
}

/** Where the option that would enable a write check is named, for skip reasons. */
const NAME_ONE = 'name one with --disposable-order REF';

/** Polls an order until `pred(state)` or the wait runs out; returns the last state read. */
async function waitForState(ctx: RunContext, ref: string, pred: (s: string) => boolean, settled: (s: string) => boolean = () => false): Promise<string | undefined> {
  const deadline = Date.now() + ctx.options.waitMs;
  let delay = 25;
  let state: string | undefined;
  for (;;) {
    state = (await stateOf(ctx, ref)).state;
    if (state !== undefined && (pred(state) || settled(state))) return state;
    if (Date.now() + delay > deadline || ctx.http.unavailable) return state;
    await sleep(delay);
    delay = Math.min(delay * 2, 1000);
  }
}

/** The disposable orders the user named, read once: reference and state (unreadable ones are reported and left out). */
async function readDisposable(ctx: RunContext): Promise<void> {
  for (const ref of ctx.options.disposableOrders) {
    const { state, ex } = await stateOf(ctx, ref);
    if (state === undefined) {
      ctx.http.note(`--disposable-order ${ref}: not readable (${ex.status ?? ex.error?.message}); it is not used`);
      ctx.writable.delete(ref);
    }
  }
}

/** A writable order (created by the run, or disposable) whose state satisfies `pred`, read now. */
async function writableIn(ctx: RunContext, pred: (s: string) => boolean, not: Set<string> = new Set()): Promise<{ ref: string; state: string } | undefined> {
  for (const ref of ctx.writable) {
    if (not.has(ref)) continue;
    const { state } = await stateOf(ctx, ref);
    if (state !== undefined && pred(state)) return { ref, state };
  }
  return undefined;
}

/**
 * PO-STATUS: creates one product order, follows its item status through
 * phase 1, and (when created) waits for its order to become active, so the
 * later write checks have an order of the run's own to act on.
 */
export async function checkProductOrder(ctx: RunContext): Promise<void> {
  await readDisposable(ctx);
  if (ctx.enabled('product_order_status')) return createProductOrder(ctx);
  // not selected, but the checks that act on an order of the run's own need one: create it, judging nothing
  if (ctx.options.allowWrites && !ctx.options.dryRun && wantsActive(ctx) && !ctx.http.unavailable) {
    await ctx.drive('product_order_status', () => createProductOrder(ctx));
  }
}

/**
 * The body of the run's product order (rule 3 of ANALYSIS.md: inputs learnt
 * from the target): the user's (--product-order-body), or the documentation
 * example with the offering and options of an existing order of this target.
 */
function productOrderBody(ctx: RunContext): { body: Record<string, unknown>; source: 'user' | 'learnt' | 'example' } {
  const external_id = externalIdOf(ctx);
  if (ctx.options.productOrderBody) return { body: { external_id, ...structuredClone(ctx.options.productOrderBody) }, source: 'user' };
  const body = example(ctx, 'ProductOrderCreate') as Record<string, unknown>;
  body.external_id = external_id;
  const learnt = ctx.learnt.offering;
  if (!learnt) return { body, source: 'example' };
  body.product_offering_id = learnt.product_offering_id;
  body.option_ids = learnt.option_ids;
  return { body, source: 'learnt' };
}

/**
 * The item's phase-1 status: `status` as the contract names it, or — the
 * field name is inferred — another field of the item holding a phase-1
 * status value (`state`, say), with the name it was found under.
 */
function itemStatus(ctx: RunContext, item: Record<string, unknown> | undefined): { status: string | undefined; field: string | undefined } {
  if (!item) return { status: undefined, field: undefined };
  const vocabulary = ctx.lifecycle.item.states;
  if (typeof item.status === 'string') return { status: item.status, field: 'status' };
  for (const [k, v] of Object.entries(item)) if (typeof v === 'string' && vocabulary.includes(v)) return { status: v, field: k };
  return { status: undefined, field: undefined };
}

async function createProductOrder(ctx: RunContext): Promise<void> {
  const rec = ctx.check('product_order_status');
  const item = ctx.lifecycle.item;
  const { body, source } = productOrderBody(ctx);
  const created = await ctx.http.request({ path: PRODUCT_ORDER, method: 'POST', json: body, operationId: 'createProductOrder' });
  if (created.status !== undefined && created.status >= 400 && created.status < 500 && ![401, 403, 429].includes(created.status) && source !== 'user') {
    // the target refused the kit's own guess of a valid body: not a provider failure, the check could not be exercised
    const offering = String(body.product_offering_id);
    rec.skip(`the target refused the kit's product order (${created.status}) for offering ${offering}${source === 'learnt' ? ' (learnt from an existing order)' : ' (the documentation example: no existing order showed one)'}; give a body this target accepts with --product-order-body FILE`);
    ctx.http.note(`product order not created: the target answered ${created.status} to the kit's body (offering ${offering}); the checks that need an order of the run's own are skipped`);
    return;
  }
  if (!ctx.expectStatus('product_order_status', created, SUCCESS, 'product order creation')) return;
  // the product order's shape is inferred: its schema findings are graded by the contract (warnings), once each
  const seenViolations = new Set<string>();
  const judgeShape = (ex: Exchange, operationId: string): void => {
    const validate = ctx.validators.response(operationId, ex.status ?? 0);
    if (!validate || !ex.isJson()) return void ctx.schema('product_order_status', ex, operationId);
    for (const v of validate(ex.json())) {
      const key = `${v.pointer.replace(/\/\d+/g, '/*')} ${v.message}`;
      if (seenViolations.has(key)) continue;
      seenViolations.add(key);
      rec.fail(`${v.pointer || '/'}: expected ${plainExpectation(v)} / received ${v.value === undefined ? 'nothing' : JSON.stringify(v.value)}`, ctx.http.evidence(ex, { pointer: v.pointer, value: v.value, expected: plainExpectation(v) }), v.severity);
    }
  };
  judgeShape(created, 'createProductOrder');
  const po = created.json() as { id?: unknown; product_order_item?: Record<string, unknown>[] };
  const first = itemStatus(ctx, po?.product_order_item?.[0]);
  if (first.status !== item.initial) {
    rec.fail(`new product order: expected item status "${item.initial}" / received ${JSON.stringify(first.status ?? po?.product_order_item?.[0])}`, ctx.http.evidence(created, { pointer: `/product_order_item/0/${first.field ?? 'status'}`, value: first.status }));
  }
  if (typeof po?.id !== 'string') return;
  const seen: string[] = [String(first.status)];
  let last: Exchange = created;
  const deadline = Date.now() + ctx.options.waitMs;
  let delay = 50;
  let orderRef: string | null | undefined;
  let polls = 0;
  while (Date.now() < deadline) {
    await sleep(delay);
    delay = Math.min(delay * 2, 2000);
    last = await ctx.http.request({ path: `${PRODUCT_ORDER}${segment(po.id)}/`, operationId: 'getProductOrder' });
    polls++;
    if (polls === 1 && (last.status === 404 || last.status === 405 || last.status === 501)) {
      // GET /product_order/{id}/ is not a documented endpoint: phase 1 cannot be followed; the order is found through the list
      ctx.http.note(`GET /api/v1/product_order/{id}/ answered ${last.status}: the endpoint is not documented, so phase 1 was not followed; the run's order was looked for in the order list by its external_id`);
      rec.pass();
      await findCreatedInList(ctx, String(body.external_id));
      return;
    }
    if (!ctx.expectStatus('product_order_status', last, [200], `product order ${po.id}`)) return;
    judgeShape(last, 'getProductOrder');
    const it = (last.json() as { product_order_item?: Record<string, unknown>[] })?.product_order_item?.[0];
    const status = String(itemStatus(ctx, it).status);
    const ref = it?.order_reference;
    orderRef = typeof ref === 'string' ? ref : ref === null ? null : undefined;
    if (typeof orderRef === 'string' && orderRef !== '') ctx.created(orderRef);
    if (status !== seen[seen.length - 1]) {
      const prev = seen[seen.length - 1] ?? item.initial;
      // polling may miss a status: the new one must be reachable from the previous
      const reachable = (from: string, to: string, depth = 0): boolean => depth < 10 && (canMove(item, from, to) || (item.transitions.get(from) ?? []).some((n) => reachable(n, to, depth + 1)));
      if (!reachable(prev, status)) {
        // an answer that cannot become right: one finding, and the poll stops
        rec.fail(`product order ${po.id}: expected a phase-1 move from "${prev}" (to ${(item.transitions.get(prev) ?? []).join(' or ') || 'nothing: it is final'}) / received "${status}" (after ${polls} poll${polls === 1 ? '' : 's'})`, effectEvidence(ctx, last, [created], { pointer: '/product_order_item/0/status', value: status, received: [...seen, status].join(' → ') }));
        return;
      }
      seen.push(status);
    }
    if (item.terminal.has(status)) break;
  }
  const final = seen[seen.length - 1] ?? '';
  if (!item.terminal.has(final)) {
    rec.fail(`product order ${po.id}: expected a final status (${[...item.terminal].join(', ')}) within ${ctx.options.waitMs} ms / received "${final}" (${polls} polls)`, effectEvidence(ctx, last, last === created ? [] : [created], { received: seen.join(' → ') }));
    return;
  }
  if (final === 'created') {
    if (typeof orderRef !== 'string' || orderRef === '') {
      rec.fail(`product order ${po.id} is created: expected its order_reference / received ${JSON.stringify(orderRef)}`, effectEvidence(ctx, last, last === created ? [] : [created], { pointer: '/product_order_item/0/order_reference', value: orderRef }));
      return;
    }
    const { state, ex } = await stateOf(ctx, orderRef);
    if (state === undefined || !ctx.lifecycle.order.states.includes(state) || ctx.lifecycle.order.terminal.has(state)) {
      rec.fail(`order ${orderRef} created by product order ${po.id}: expected it readable in a live order state / received ${JSON.stringify(state)}`, effectEvidence(ctx, ex, [created], { pointer: '/state', value: state }));
      return;
    }
  }
  rec.pass();
}

/**
 * Without GET /product_order/{id}/, the run's order is found in the order
 * list: an order not listed before the run whose detail carries the run's
 * external_id. Bounded: a few walks of at most 50 pages, within --wait-ms.
 */
async function findCreatedInList(ctx: RunContext, externalId: string): Promise<void> {
  const before = new Set(ctx.orders.map((o) => o.ref));
  const checked = new Set<string>();
  const deadline = Date.now() + ctx.options.waitMs;
  let delay = 100;
  while (Date.now() < deadline && !ctx.http.unavailable) {
    const fresh: string[] = [];
    await walkList(ctx, {
      path: '/api/v1/order/',
      maxPages: 50,
      onItem: (row) => {
        const ref = (row as { order_reference?: unknown })?.order_reference;
        if (typeof ref === 'string' && !before.has(ref) && !checked.has(ref)) fresh.push(ref);
      },
    });
    for (const ref of fresh) {
      checked.add(ref);
      const ex = await ctx.http.request({ path: orderPath(ref), operationId: 'getOrder' });
      if ((ex.json() as { external_id?: unknown } | undefined)?.external_id === externalId) {
        ctx.created(ref);
        return;
      }
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
  ctx.http.note(`the run's product order (external_id ${externalId}) did not appear in the order list within ${ctx.options.waitMs} ms`);
}

/** The checks that act on an active order of the run's own; whether any is selected. */
export function wantsActive(ctx: RunContext): boolean {
  return ctx.wants('action_invalid_body', 'terminate_active', 'action_precondition', 'fuzz_invalid_body', 'export_fresh');
}

/** Waits (up to --wait-ms) for an order of the run's own to be active; the later write checks use it. */
export async function awaitActiveOrder(ctx: RunContext): Promise<void> {
  const terminate = ctx.lifecycle.actions.get('terminate');
  if (!terminate || !ctx.options.allowWrites || !wantsActive(ctx)) return;
  const from = (s: string): boolean => terminate.from.includes(s);
  for (const ref of ctx.writable) {
    const state = await waitForState(ctx, ref, from, (s) => ctx.lifecycle.order.terminal.has(s));
    if (state !== undefined && from(state)) return;
  }
}

/** ACT-INVALID-BODY: invalid termination bodies to an active order of the run's own; refused, nothing changes. */
export async function checkInvalidBodies(ctx: RunContext, reasons: string[]): Promise<void> {
  const terminate = ctx.lifecycle.actions.get('terminate');
  if (!terminate || !ctx.enabled('action_invalid_body')) return;
  const rec = ctx.check('action_invalid_body');
  const o = await writableIn(ctx, (s) => terminate.from.includes(s));
  if (!o) {
    rec.skip(`no order of the run's own, nor a disposable one, is in state ${terminate.from.join('/')} (${whyNoOrder(ctx)}); ${NAME_ONE}`);
    return;
  }
  const reason = reasons[0];
  const before = (await requestCount(ctx, o.ref)).count;
  const sent: Exchange[] = [];
  const bodies: [string, { json?: unknown; body?: string; headers?: Record<string, string> }][] = [
    ['a reason not in the list', { json: { reason: `Not a listed reason ${ctx.options.seed}`, message: '' } }],
    ['no reason', { json: { message: 'no reason given' } }],
    ['a reason of the wrong type', { json: { reason: 42 } }],
    ['an empty object', { json: {} }],
    ['malformed JSON', { body: '{"reason": ', headers: { 'content-type': 'application/json' } }],
    ['a JSON array', { json: [reason ?? 'x'] }],
  ];
  for (const [what, b] of bodies) {
    const ex = await ctx.http.request({ path: orderPath(o.ref, 'terminate/'), method: 'POST', operationId: 'requestOrderAction', ...b });
    sent.push(ex);
    if (ex.status !== undefined && ex.status >= 400 && ex.status < 500) rec.pass();
    else rec.fail(`termination of ${o.ref} with ${what}: expected a 4xx / received ${ex.status ?? ex.error?.message}`, ctx.http.evidence(ex, { expected: '4xx', received: String(ex.status) }));
  }
  const [after, now] = await Promise.all([requestCount(ctx, o.ref), stateOf(ctx, o.ref)]);
  // the writes that may have caused a change: those the target did not refuse (all of them when none stands out)
  const accepted = sent.filter((x) => x.status === undefined || x.status < 400 || x.status >= 500);
  const causes = accepted.length > 0 ? accepted : sent;
  if (now.state !== o.state) rec.fail(`after refused terminations of ${o.ref}: expected state "${o.state}" unchanged / received "${now.state}"`, effectEvidence(ctx, now.ex, causes, { pointer: '/state', value: now.state, expected: o.state, received: String(now.state) }));
  if (after.count !== before) rec.fail(`after refused terminations of ${o.ref}: expected ${before} order request(s) unchanged / received ${after.count}`, effectEvidence(ctx, after.ex, causes, { expected: String(before), received: String(after.count) }));
}

/** Why no writable order fits, for skip reasons. */
function whyNoOrder(ctx: RunContext): string {
  if (ctx.writable.size === 0) return ctx.createdRefs.size === 0 ? 'the run created no order' : 'none is readable';
  return `orders it may write to: ${[...ctx.writable].join(', ')}`;
}

/**
 * ACT-TERMINATE, then ACT-PRECONDITION: terminates an active order of the
 * run's own (or a disposable one) with a listed reason, checks the effects,
 * waits until it has left the termination's transit state, and asks for a
 * second termination, which the flowchart does not allow.
 */
export async function checkTermination(ctx: RunContext, reasons: string[]): Promise<void> {
  const terminate = ctx.lifecycle.actions.get('terminate');
  if (!terminate) return;
  const reason = reasons[0];
  const after = [terminate.via, terminate.to].filter((s): s is string => !!s);
  // the termination runs for terminate_active, and (judging nothing) for the checks that need a terminated order
  const judged = ctx.enabled('terminate_active');
  const terminateOne = async (): Promise<void> => {
    const rec = ctx.check('terminate_active');
    const o = await writableIn(ctx, (s) => terminate.from.includes(s));
    if (!o || !reason) {
      rec.skip(!reason ? 'no termination reason is listed' : `no order of the run's own, nor a disposable one, is in state ${terminate.from.join('/')} (${whyNoOrder(ctx)}); ${NAME_ONE}`);
    } else {
      ctx.touched.add(o.ref);
      const message = `conformance run ${ctx.options.seed}`;
      const ex = await ctx.http.request({ path: orderPath(o.ref, 'terminate/'), method: 'POST', json: { reason, message }, operationId: 'requestOrderAction' });
      // any 2xx acknowledges the termination (204 No Content included); its effects are then verified
      if (ctx.expectStatus('terminate_active', ex, SUCCESS, `termination of active order ${o.ref} with reason "${reason}"`)) {
        if (ex.bytes > 0) ctx.schema('terminate_active', ex, 'requestOrderAction');
        ctx.terminated = o.ref;
        const requests = await listRequests(ctx, { order_reference: o.ref }, false);
        if (!requests.rows.some((r) => r.reason === reason && r.order_reference === o.ref)) {
          rec.fail(`termination of ${o.ref}: expected an order request with reason "${reason}" / received ${requests.rows.length} request(s) without it`, effectEvidence(ctx, requests.walk.first, [ex], { expected: `an order request with reason "${reason}"`, received: `${requests.rows.length} request(s) without it` }));
        }
        const [now, history] = await Promise.all([
          stateOf(ctx, o.ref),
          ctx.http.request({ path: orderPath(o.ref, 'historic/'), operationId: 'getOrderHistory' }),
        ]);
        if (!now.state || !after.includes(now.state)) {
          rec.fail(`after terminating ${o.ref}: expected state ${after.join(' or ')} / received ${JSON.stringify(now.state)}`, effectEvidence(ctx, now.ex, [ex], { pointer: '/state', value: now.state, expected: after.join(' or '), received: String(now.state) }));
        }
        const entries = ((history.json() as { results?: { state?: string }[] } | undefined)?.results ?? []).map((e) => String(e?.state));
        if (!entries.some((s) => after.includes(s))) {
          rec.fail(`after terminating ${o.ref}: expected ${after.join(' or ')} in the history / received ${entries.slice(-3).join(' → ')}`, effectEvidence(ctx, history, [ex], { pointer: '/results', expected: `${after.join(' or ')} in the history`, received: entries.slice(-3).join(' → ') }));
        }
        rec.pass();
      }
    }
  };
  if (judged) await terminateOne();
  else if (ctx.wants('export_fresh', 'action_precondition')) await ctx.drive('terminate_active', terminateOne);
  if (ctx.enabled('action_precondition')) await checkPrecondition(ctx, reason);
}

/**
 * ACT-PRECONDITION on a writable order whose state the termination is not
 * allowed from. A state that cannot move on its own (a terminal one) is
 * preferred; the termination's own transit state is never probed (a repeated
 * request there may reasonably be answered either way). "Nothing changed" is
 * judged as no termination effect: the state did not move into the
 * termination's states, and no order request was added.
 */
async function checkPrecondition(ctx: RunContext, reason: string | undefined): Promise<void> {
  const terminate = ctx.lifecycle.actions.get('terminate');
  const rec = ctx.check('action_precondition');
  if (!terminate || !reason) {
    rec.skip('no termination reason is listed');
    return;
  }
  const terminal = ctx.lifecycle.order.terminal;
  const probeable = (s: string): boolean => !terminate.from.includes(s) && s !== terminate.via;
  // the order the run just terminated settles in a terminal state: wait for it
  if (ctx.terminated) await waitForState(ctx, ctx.terminated, (s) => terminal.has(s));
  const o = (await writableIn(ctx, (s) => terminal.has(s))) ?? (await writableIn(ctx, probeable));
  if (!o) {
    rec.skip(`no order of the run's own, nor a disposable one, is in a state the termination is not allowed from (${whyNoOrder(ctx)}); ${NAME_ONE}`);
    return;
  }
  const before = (await requestCount(ctx, o.ref)).count;
  const ex = await ctx.http.request({ path: orderPath(o.ref, 'terminate/'), method: 'POST', json: { reason, message: 'conformance: must be refused' }, operationId: 'requestOrderAction' });
  if (ex.status !== undefined && ex.status >= 400 && ex.status < 500) rec.pass();
  else rec.fail(`termination of ${o.ref} in state "${o.state}" (allowed only from ${terminate.from.join('/')}): expected a 4xx / received ${ex.status ?? ex.error?.message}`, ctx.http.evidence(ex, { expected: '4xx', received: String(ex.status) }));
  const [afterCount, now] = await Promise.all([requestCount(ctx, o.ref), stateOf(ctx, o.ref)]);
  const effect = [terminate.via, terminate.to].filter((s): s is string => !!s && s !== o.state);
  if (now.state === undefined || (now.state !== o.state && (effect.includes(now.state) || terminal.has(o.state)))) {
    rec.fail(`after a refused termination of ${o.ref}: expected state "${o.state}" unchanged / received "${now.state}"`, effectEvidence(ctx, now.ex, [ex], { pointer: '/state', value: now.state, expected: o.state, received: String(now.state) }));
  }
  if (afterCount.count !== before) rec.fail(`after a refused termination of ${o.ref}: expected ${before} order request(s) / received ${afterCount.count}`, effectEvidence(ctx, afterCount.ex, [ex], { expected: String(before), received: String(afterCount.count) }));
}

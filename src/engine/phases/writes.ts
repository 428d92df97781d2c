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
import type { Exchange } from '../../harness/http.ts';
import type { RunContext } from '../context.ts';
import { orderPath } from './orders.ts';
import { listRequests } from './requests.ts';

const PRODUCT_ORDER = '/api/v1/product_order/';

async function stateOf(ctx: RunContext, ref: string): Promise<{ state: string | undefined; ex: Exchange }> {
  const ex = await ctx.http.request({ path: orderPath(ref), operationId: 'getOrder' });
  const s = ex.status === 200 ? (ex.json() as { state?: unknown })?.state : undefined;
  return { state: typeof s === 'string' ? s : undefined, ex };
}

async function requestCount(ctx: RunContext, ref: string): Promise<number> {
  return (await listRequests(ctx, { order_reference: ref }, false)).rows.length;
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

async function createProductOrder(ctx: RunContext): Promise<void> {
  const rec = ctx.check('product_order_status');
  const item = ctx.lifecycle.item;
  const body = example(ctx, 'ProductOrderCreate') as Record<string, unknown>;
  body.external_id = externalIdOf(ctx);
  const created = await ctx.http.request({ path: PRODUCT_ORDER, method: 'POST', json: body, operationId: 'createProductOrder' });
  if (!ctx.expectStatus('product_order_status', created, [200, 201, 202], 'product order creation')) return;
  ctx.schema('product_order_status', created, 'createProductOrder');
  const po = created.json() as { id?: unknown; product_order_item?: { status?: unknown }[] };
  const first = po?.product_order_item?.[0]?.status;
  if (first !== item.initial) {
    rec.fail(`new product order: expected item status "${item.initial}" / received ${JSON.stringify(first)}`, ctx.http.evidence(created, { pointer: '/product_order_item/0/status', value: first }));
  }
  if (typeof po?.id !== 'string') return;
  const seen: string[] = [String(first)];
  let last: Exchange = created;
  const deadline = Date.now() + ctx.options.waitMs;
  let delay = 50;
  let orderRef: string | null | undefined;
  while (Date.now() < deadline) {
    await sleep(delay);
    delay = Math.min(delay * 2, 2000);
    last = await ctx.http.request({ path: `${PRODUCT_ORDER}${encodeURIComponent(po.id)}/`, operationId: 'getProductOrder' });
    if (!ctx.expectStatus('product_order_status', last, [200], `product order ${po.id}`)) return;
    ctx.schema('product_order_status', last, 'getProductOrder');
    const it = (last.json() as { product_order_item?: { status?: unknown; order_reference?: string | null }[] })?.product_order_item?.[0];
    const status = String(it?.status);
    orderRef = it?.order_reference;
    if (typeof orderRef === 'string' && orderRef !== '') ctx.created(orderRef);
    if (status !== seen[seen.length - 1]) {
      const prev = seen[seen.length - 1] ?? item.initial;
      // polling may miss a status: the new one must be reachable from the previous
      const reachable = (from: string, to: string, depth = 0): boolean => depth < 10 && (canMove(item, from, to) || (item.transitions.get(from) ?? []).some((n) => reachable(n, to, depth + 1)));
      if (!reachable(prev, status)) {
        rec.fail(`product order ${po.id}: expected a phase-1 move from "${prev}" (to ${(item.transitions.get(prev) ?? []).join(' or ') || 'nothing: it is final'}) / received "${status}"`, ctx.http.evidence(last, { pointer: '/product_order_item/0/status', value: status, received: [...seen, status].join(' → ') }));
        return;
      }
      seen.push(status);
    }
    if (item.terminal.has(status)) break;
  }
  const final = seen[seen.length - 1] ?? '';
  if (!item.terminal.has(final)) {
    rec.fail(`product order ${po.id}: expected a final status (${[...item.terminal].join(', ')}) within ${ctx.options.waitMs} ms / received "${final}"`, ctx.http.evidence(last, { received: seen.join(' → ') }));
    return;
  }
  if (final === 'created') {
    if (typeof orderRef !== 'string' || orderRef === '') {
      rec.fail(`product order ${po.id} is created: expected its order_reference / received ${JSON.stringify(orderRef)}`, ctx.http.evidence(last, { pointer: '/product_order_item/0/order_reference', value: orderRef }));
      return;
    }
    const { state, ex } = await stateOf(ctx, orderRef);
    if (state === undefined || !ctx.lifecycle.order.states.includes(state) || ctx.lifecycle.order.terminal.has(state)) {
      rec.fail(`order ${orderRef} created by product order ${po.id}: expected it readable in a live order state / received ${JSON.stringify(state)}`, ctx.http.evidence(ex));
      return;
    }
  }
  rec.pass();
}

/** The checks that act on an active order of the run's own; whether any is selected. */
export function wantsActive(ctx: RunContext): boolean {
  return ['action_invalid_body', 'terminate_active', 'fuzz_invalid_body'].some((c) => ctx.options.checks === undefined || ctx.options.checks.includes(c));
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
  const before = await requestCount(ctx, o.ref);
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
    if (ex.status !== undefined && ex.status >= 400 && ex.status < 500) rec.pass();
    else rec.fail(`termination of ${o.ref} with ${what}: expected a 4xx / received ${ex.status ?? ex.error?.message}`, ctx.http.evidence(ex, { expected: '4xx', received: String(ex.status) }));
  }
  const [after, now] = await Promise.all([requestCount(ctx, o.ref), stateOf(ctx, o.ref)]);
  if (now.state !== o.state) rec.fail(`after refused terminations of ${o.ref}: expected state "${o.state}" unchanged / received "${now.state}"`, ctx.http.evidence(now.ex, { pointer: '/state', value: now.state, expected: o.state, received: String(now.state) }));
  if (after !== before) rec.fail(`after refused terminations of ${o.ref}: expected ${before} order request(s) unchanged / received ${after}`, { method: 'GET', url: `${ctx.http.origin}/api/v1/order_request/?order_reference=${encodeURIComponent(o.ref)}`, expected: String(before), received: String(after) });
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
  if (ctx.enabled('terminate_active')) {
    const rec = ctx.check('terminate_active');
    const o = await writableIn(ctx, (s) => terminate.from.includes(s));
    if (!o || !reason) {
      rec.skip(!reason ? 'no termination reason is listed' : `no order of the run's own, nor a disposable one, is in state ${terminate.from.join('/')} (${whyNoOrder(ctx)}); ${NAME_ONE}`);
    } else {
      ctx.touched.add(o.ref);
      const message = `conformance run ${ctx.options.seed}`;
      const ex = await ctx.http.request({ path: orderPath(o.ref, 'terminate/'), method: 'POST', json: { reason, message }, operationId: 'requestOrderAction' });
      if (ctx.expectStatus('terminate_active', ex, [200, 201, 202], `termination of active order ${o.ref} with reason "${reason}"`)) {
        ctx.schema('terminate_active', ex, 'requestOrderAction');
        ctx.terminated = o.ref;
        const requests = await listRequests(ctx, { order_reference: o.ref }, false);
        if (!requests.rows.some((r) => r.reason === reason && r.order_reference === o.ref)) {
          rec.fail(`termination of ${o.ref}: expected an order request with reason "${reason}" / received ${requests.rows.length} request(s) without it`, { method: 'GET', url: `${ctx.http.origin}/api/v1/order_request/?order_reference=${encodeURIComponent(o.ref)}` });
        }
        const [now, history] = await Promise.all([
          stateOf(ctx, o.ref),
          ctx.http.request({ path: orderPath(o.ref, 'historic/'), operationId: 'getOrderHistory' }),
        ]);
        if (!now.state || !after.includes(now.state)) {
          rec.fail(`after terminating ${o.ref}: expected state ${after.join(' or ')} / received ${JSON.stringify(now.state)}`, ctx.http.evidence(now.ex, { pointer: '/state', value: now.state, expected: after.join(' or '), received: String(now.state) }));
        }
        const entries = ((history.json() as { results?: { state?: string }[] } | undefined)?.results ?? []).map((e) => String(e?.state));
        if (!entries.some((s) => after.includes(s))) {
          rec.fail(`after terminating ${o.ref}: expected ${after.join(' or ')} in the history / received ${entries.slice(-3).join(' → ')}`, ctx.http.evidence(history));
        }
        rec.pass();
      }
    }
  }
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
  const before = await requestCount(ctx, o.ref);
  const ex = await ctx.http.request({ path: orderPath(o.ref, 'terminate/'), method: 'POST', json: { reason, message: 'conformance: must be refused' }, operationId: 'requestOrderAction' });
  if (ex.status !== undefined && ex.status >= 400 && ex.status < 500) rec.pass();
  else rec.fail(`termination of ${o.ref} in state "${o.state}" (allowed only from ${terminate.from.join('/')}): expected a 4xx / received ${ex.status ?? ex.error?.message}`, ctx.http.evidence(ex, { expected: '4xx', received: String(ex.status) }));
  const [afterCount, now] = await Promise.all([requestCount(ctx, o.ref), stateOf(ctx, o.ref)]);
  const effect = [terminate.via, terminate.to].filter((s): s is string => !!s && s !== o.state);
  if (now.state === undefined || (now.state !== o.state && (effect.includes(now.state) || terminal.has(o.state)))) {
    rec.fail(`after a refused termination of ${o.ref}: expected state "${o.state}" unchanged / received "${now.state}"`, ctx.http.evidence(now.ex, { pointer: '/state', value: now.state, expected: o.state, received: String(now.state) }));
  }
  if (afterCount !== before) rec.fail(`after a refused termination of ${o.ref}: expected ${before} order request(s) / received ${afterCount}`, { method: 'GET', url: `${ctx.http.origin}/api/v1/order_request/?order_reference=${encodeURIComponent(o.ref)}`, expected: String(before), received: String(afterCount) });
}

/**
 * Writes, only with --allow-writes (always on against the bundled server):
 * PO-STATUS, ACT-TERMINATE, ACT-PRECONDITION, ACT-INVALID-BODY. This driver
 * writes and reads the effects; the modules of src/checks/writes/ judge them.
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
import { SUCCESS } from '../../checks/response.ts';
import type { RequestCount } from '../../checks/writes/effects.ts';
import { actionInvalidBody } from '../../checks/writes/invalid-body.ts';
import { actionPrecondition } from '../../checks/writes/precondition.ts';
import { phaseOne, productOrderId, productOrderStatus, refusedKitBody, undocumentedPoll, type ProductOrderInput } from '../../checks/writes/product-order.ts';
import { refusedKitTermination, terminateActive, type TerminateInput } from '../../checks/writes/terminate.ts';
import type { Exchange } from '../../harness/http.ts';
import type { RunContext } from '../context.ts';
import { listRequests } from './requests.ts';
import { walkList } from '../list.ts';

async function stateOf(ctx: RunContext, ref: string): Promise<{ state: string | undefined; ex: Exchange }> {
  const ex = await ctx.call('getOrder', { order_reference: ref });
  const s = ex.status === 200 ? (ex.json() as { state?: unknown })?.state : undefined;
  if (typeof s === 'string') ctx.lastSeen.set(ref, s);
  return { state: typeof s === 'string' ? s : undefined, ex };
}

/** How many order requests an order has, and the first page's exchange (the evidence of the count). */
async function requestCount(ctx: RunContext, ref: string): Promise<RequestCount> {
  const { rows, walk } = await listRequests(ctx, { order_reference: ref }, false);
  return walk.first ? { count: rows.length, exchange: walk.first } : { count: rows.length };
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
  const deadline = ctx.clock.now() + ctx.options.waitMs;
  let delay = 25;
  let state: string | undefined;
  for (;;) {
    state = (await stateOf(ctx, ref)).state;
    if (state !== undefined && (pred(state) || settled(state))) return state;
    if (ctx.clock.now() + delay > deadline || ctx.http.unavailable) return state;
    await ctx.clock.sleep(delay);
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

async function createProductOrder(ctx: RunContext): Promise<void> {
  const { body, source } = productOrderBody(ctx);
  const offering = String(body.product_offering_id);
  const created = await ctx.call('createProductOrder', {}, { json: body });
  const input: ProductOrderInput = { source, offering, created, polls: [], waitMs: ctx.options.waitMs };
  const poId = productOrderId(created);
  if (created.status !== undefined && created.status >= 200 && created.status < 300) ctx.productOrderAccepted = true;
  if (refusedKitBody(created, source)) {
    ctx.http.note(`product order not created: the target answered ${created.status} to the kit's body (offering ${offering}); the checks that need an order of the run's own are skipped`);
  } else if (poId !== undefined) {
    const undocumented = await followProductOrder(ctx, poId, input);
    if (undocumented) {
      ctx.http.note(`GET /api/v1/product_order/{id}/ answered ${undocumented}: the endpoint is not documented, so phase 1 was not followed; the run's order was looked for in the order list by its external_id`);
      ctx.judge(productOrderStatus, input);
      await findCreatedInList(ctx, String(body.external_id));
      return;
    }
  }
  ctx.judge(productOrderStatus, input);
}

/**
 * Polls the product order through phase 1 (until an answer is not 200, a
 * move the lifecycle does not allow, a final status or the deadline),
 * recording the order it created as the run's own, and reads that order once
 * its item is created. Judges nothing; returns the status of a first poll
 * that shows the endpoint missing.
 */
async function followProductOrder(ctx: RunContext, poId: string, input: ProductOrderInput): Promise<number | undefined> {
  const deadline = ctx.clock.now() + ctx.options.waitMs;
  let delay = 50;
  let run = phaseOne(ctx.lifecycle, input.created, input.polls);
  while (ctx.clock.now() < deadline) {
    await ctx.clock.sleep(delay);
    delay = Math.min(delay * 2, 2000);
    const poll = await ctx.call('getProductOrder', { product_order_id: poId });
    input.polls.push(poll);
    if (input.polls.length === 1 && undocumentedPoll(poll)) return poll.status;
    run = phaseOne(ctx.lifecycle, input.created, input.polls);
    if (poll.status === 200 && typeof run.orderRef === 'string' && run.orderRef !== '') ctx.created(run.orderRef);
    if (run.stop) break;
  }
  const final = run.seen[run.seen.length - 1];
  if (run.stop?.kind === 'final' && final === 'created' && typeof run.orderRef === 'string' && run.orderRef !== '') input.order = (await stateOf(ctx, run.orderRef)).ex;
  return undefined;
}

/**
 * Without GET /product_order/{id}/, the run's order is found in the order
 * list: an order not listed before the run whose detail carries the run's
 * external_id. Bounded: a few walks of at most 50 pages, within --wait-ms.
 */
async function findCreatedInList(ctx: RunContext, externalId: string): Promise<void> {
  const before = new Set(ctx.orders.map((o) => o.ref));
  const checked = new Set<string>();
  const deadline = ctx.clock.now() + ctx.options.waitMs;
  let delay = 100;
  while (ctx.clock.now() < deadline && !ctx.http.unavailable) {
    const fresh: string[] = [];
    await walkList(ctx, {
      path: ctx.path('listOrders'),
      maxPages: 50,
      onItem: (row) => {
        const ref = (row as { order_reference?: unknown })?.order_reference;
        if (typeof ref === 'string' && !before.has(ref) && !checked.has(ref)) fresh.push(ref);
      },
    });
    for (const ref of fresh) {
      checked.add(ref);
      const ex = await ctx.call('getOrder', { order_reference: ref });
      if ((ex.json() as { external_id?: unknown } | undefined)?.external_id === externalId) {
        ctx.created(ref);
        return;
      }
    }
    await ctx.clock.sleep(delay);
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
    rec.skip(`no order of the run's own, nor a disposable one, is in state ${terminate.from.join('/')} (${whyNoOrder(ctx, true)}); ${NAME_ONE}`);
    return;
  }
  const reason = reasons[0];
  const before = await requestCount(ctx, o.ref);
  const sent: { what: string; exchange: Exchange }[] = [];
  const bodies: [string, { json?: unknown; body?: string; headers?: Record<string, string> }][] = [
    ['a reason not in the list', { json: { reason: `Not a listed reason ${ctx.options.seed}`, message: '' } }],
    ['no reason', { json: { message: 'no reason given' } }],
    ['a reason of the wrong type', { json: { reason: 42 } }],
    ['an empty object', { json: {} }],
    ['malformed JSON', { body: '{"reason": ', headers: { 'content-type': 'application/json' } }],
    ['a JSON array', { json: [reason ?? 'x'] }],
  ];
  for (const [what, b] of bodies) {
    sent.push({ what, exchange: await ctx.call('requestOrderAction', { order_reference: o.ref, action: terminate.name }, b) });
  }
  const [after, now] = await Promise.all([requestCount(ctx, o.ref), stateOf(ctx, o.ref)]);
  ctx.judge(actionInvalidBody, { ref: o.ref, state: o.state, sent, before, after, now: now.ex });
}

/** Why no order the run may write to is in the state a check needs; `waited`: that state is where the run's own order is on its way to (active). */
function whyNoOrder(ctx: RunContext, waited = false): string {
  const wait = `within --wait-ms ${ctx.options.waitMs}: a longer --wait-ms may let it`;
  if (ctx.writable.size === 0) {
    if (ctx.createdRefs.size > 0) return 'none is readable';
    return waited && ctx.productOrderAccepted ? `the target accepted the run's product order, but it had created no order ${wait}` : 'the run created no order';
  }
  const seen = ctx.lastSeen;
  const orders = [...ctx.writable].map((ref) => (seen.has(ref) ? `${ref}, last seen ${seen.get(ref)}` : ref));
  // the run's own order still on its way (not terminal): its lifecycle is slower than the wait
  const underway =
    waited &&
    [...ctx.createdRefs].some((ref) => {
      const s = seen.get(ref);
      return s !== undefined && !ctx.lifecycle.order.terminal.has(s);
    });
  return `orders it may write to: ${orders.join('; ')}${underway ? `; the run's own order had not got there ${wait}` : ''}`;
}

/**
 * The body of a termination (rule 3 of ANALYSIS.md): the user's
 * (--terminate-body), sent as it is, or the kit's guess from the order
 * request's fields, `{reason, message}` with a listed reason (undefined when
 * none is listed). The reason the effects are looked for with is the guess's,
 * or the first value of the user's body that is a listed reason.
 */
export function terminationBody(ctx: RunContext, reasons: string[], message: string): { body: Record<string, unknown>; source: 'user' | 'guess'; reason?: string } | undefined {
  const user = ctx.options.terminateBody;
  if (user) {
    const reason = Object.values(user).find((v): v is string => typeof v === 'string' && reasons.includes(v));
    return { body: structuredClone(user), source: 'user', ...(reason === undefined ? {} : { reason }) };
  }
  const reason = reasons[0];
  return reason === undefined ? undefined : { body: { reason, message }, source: 'guess', reason };
}

/**
 * ACT-TERMINATE, then ACT-PRECONDITION: terminates an active order of the
 * run's own (or a disposable one) with a listed reason, checks the effects,
 * waits until it has left the termination's transit state, and asks for a
 * second termination, which the flowchart does not allow. When the target
 * refuses the kit's guessed body (400 or 422), no order was terminated: the
 * second termination would be refused for its body whatever the order's
 * state, so ACT-PRECONDITION is skipped too, and EXP-FRESH finds no change.
 */
export async function checkTermination(ctx: RunContext, reasons: string[]): Promise<void> {
  const terminate = ctx.lifecycle.actions.get('terminate');
  if (!terminate) return;
  // the termination runs for terminate_active, and (judging nothing) for the checks that need a terminated order
  const judged = ctx.enabled('terminate_active');
  let refusedGuess: Exchange | undefined;
  const terminateOne = async (): Promise<void> => {
    const rec = ctx.check('terminate_active');
    const o = await writableIn(ctx, (s) => terminate.from.includes(s));
    const sending = terminationBody(ctx, reasons, `conformance run ${ctx.options.seed}`);
    if (!o || !sending) {
      rec.skip(!sending ? 'no termination reason is listed (give a termination body with --terminate-body FILE)' : `no order of the run's own, nor a disposable one, is in state ${terminate.from.join('/')} (${whyNoOrder(ctx, true)}); ${NAME_ONE}`);
    } else {
      ctx.touched.add(o.ref);
      const attempt = await ctx.call('requestOrderAction', { order_reference: o.ref, action: terminate.name }, { json: sending.body });
      const input: TerminateInput = { ref: o.ref, source: sending.source, attempt, ...(sending.reason === undefined ? {} : { reason: sending.reason }) };
      // any 2xx acknowledges the termination (204 No Content included); its effects are then read
      if (attempt.status !== undefined && SUCCESS.includes(attempt.status)) {
        ctx.terminated = o.ref;
        const requests = await listRequests(ctx, { order_reference: o.ref }, false);
        input.requests = { rows: requests.rows, exchange: requests.walk.first };
        const [now, history] = await Promise.all([stateOf(ctx, o.ref), ctx.call('getOrderHistory', { order_reference: o.ref })]);
        input.now = now.ex;
        input.history = history;
      } else if (refusedKitTermination(attempt, sending.source)) {
        refusedGuess = attempt;
        ctx.http.note(`termination of ${o.ref} not made: the target answered ${attempt.status} to the kit's guessed body; the checks that need a terminated order are skipped (give a body with --terminate-body FILE)`);
      }
      ctx.judge(terminateActive, input);
    }
  };
  if (judged) await terminateOne();
  else if (ctx.wants('export_fresh', 'action_precondition')) await ctx.drive('terminate_active', terminateOne);
  if (ctx.enabled('action_precondition')) await checkPrecondition(ctx, reasons, refusedGuess);
}

/**
 * ACT-PRECONDITION on a writable order whose state the termination is not
 * allowed from. A state that cannot move on its own (a terminal one) is
 * preferred; the termination's own transit state is never probed (a repeated
 * request there may reasonably be answered either way). "Nothing changed" is
 * judged as no termination effect: the state did not move into the
 * termination's states, and no order request was added.
 */
async function checkPrecondition(ctx: RunContext, reasons: string[], refusedGuess: Exchange | undefined): Promise<void> {
  const terminate = ctx.lifecycle.actions.get('terminate');
  const rec = ctx.check('action_precondition');
  const sending = terminationBody(ctx, reasons, 'conformance: must be refused');
  if (!terminate || !sending) {
    rec.skip('no termination reason is listed (give a termination body with --terminate-body FILE)');
    return;
  }
  if (refusedGuess) {
    // the body was refused whatever the order's state: a refusal here would not show the precondition
    rec.skip(`the target refused the kit's guessed termination body (${refusedGuess.status}, see terminate_active), so a refusal would not show the precondition; give a body this target accepts with --terminate-body FILE`);
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
  const attempt = await ctx.call('requestOrderAction', { order_reference: o.ref, action: terminate.name }, { json: sending.body });
  const [after, now] = await Promise.all([requestCount(ctx, o.ref), stateOf(ctx, o.ref)]);
  ctx.judge(actionPrecondition, { ref: o.ref, state: o.state, attempt, before, after, now: now.ex });
}

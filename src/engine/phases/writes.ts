/**
 * Writes, only with --allow-writes (always on against the bundled server):
 * PO-STATUS, ACT-TERMINATE, ACT-PRECONDITION, ACT-INVALID-BODY. A refused
 * request must change nothing: the order's state and its requests are read
 * again afterwards.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { canMove } from '../../spec/lifecycle.ts';
import type { Exchange } from '../../harness/http.ts';
import { segment } from '../../harness/url.ts';
import type { OrderFact, RunContext } from '../context.ts';
import { orderPath } from './orders.ts';
import { listRequests } from './requests.ts';

async function stateOf(ctx: RunContext, ref: string): Promise<string | undefined> {
  const ex = await ctx.http.request({ path: orderPath(ref), operationId: 'getOrder' });
  const s = ex.status === 200 ? (ex.json() as { state?: unknown })?.state : undefined;
  return typeof s === 'string' ? s : undefined;
}

async function requestCount(ctx: RunContext, ref: string): Promise<number> {
  return (await listRequests(ctx, { order_reference: ref }, false)).rows.length;
}

function example(ctx: RunContext, name: string): unknown {
  const ex = (ctx.spec.doc.components as { examples?: Record<string, { value?: unknown }> }).examples?.[name]?.value;
  return structuredClone(ex);
}

function pickOrder(ctx: RunContext, pred: (o: OrderFact) => boolean, not: Set<string>): OrderFact | undefined {
  return ctx.orders.find((o) => pred(o) && !ctx.touched.has(o.ref) && !not.has(o.ref));
}

export async function checkProductOrder(ctx: RunContext): Promise<void> {
  if (!ctx.enabled('product_order_status')) return;
  const rec = ctx.check('product_order_status');
  const item = ctx.lifecycle.item;
  const body = example(ctx, 'ProductOrderCreate') as Record<string, unknown>;
  body.external_id = `conformance-${ctx.options.seed}`;
  const created = await ctx.http.request({ path: '/api/v1/product_order/', method: 'POST', json: body, operationId: 'createProductOrder' });
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
    last = await ctx.http.request({ path: `/api/v1/product_order/${segment(po.id)}/`, operationId: 'getProductOrder' });
    if (!ctx.expectStatus('product_order_status', last, [200], `product order ${po.id}`)) return;
    ctx.schema('product_order_status', last, 'getProductOrder');
    const it = (last.json() as { product_order_item?: { status?: unknown; order_reference?: string | null }[] })?.product_order_item?.[0];
    const status = String(it?.status);
    orderRef = it?.order_reference;
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
    ctx.touched.add(orderRef);
    const state = await stateOf(ctx, orderRef);
    if (state === undefined || !ctx.lifecycle.order.states.includes(state) || ctx.lifecycle.order.terminal.has(state)) {
      rec.fail(`order ${orderRef} created by product order ${po.id}: expected it readable in a live order state / received ${JSON.stringify(state)}`, { method: 'GET', url: ctx.http.origin + orderPath(orderRef) });
      return;
    }
  }
  rec.pass();
}

export async function checkActions(ctx: RunContext, reasons: string[]): Promise<void> {
  const terminate = ctx.lifecycle.actions.get('terminate');
  if (!terminate) return;
  const reserved = new Set<string>();
  const reason = reasons[0];
  // invalid bodies, on an active order that must stay untouched
  if (ctx.enabled('action_invalid_body')) {
    const rec = ctx.check('action_invalid_body');
    const o = pickOrder(ctx, (x) => terminate.from.includes(x.state), reserved);
    if (!o) rec.skip(`no order in state ${terminate.from.join('/')} to send invalid bodies to`);
    else {
      reserved.add(o.ref);
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
      const [after, state] = await Promise.all([requestCount(ctx, o.ref), stateOf(ctx, o.ref)]);
      if (state !== o.state) rec.fail(`after refused terminations of ${o.ref}: expected state "${o.state}" unchanged / received "${state}"`, { method: 'GET', url: ctx.http.origin + orderPath(o.ref), expected: o.state, received: String(state) });
      if (after !== before) rec.fail(`after refused terminations of ${o.ref}: expected ${before} order request(s) unchanged / received ${after}`, { method: 'GET', url: `${ctx.http.origin}/api/v1/order_request/?order_reference=${encodeURIComponent(o.ref)}`, expected: String(before), received: String(after) });
      if (state !== o.state || after !== before) ctx.touched.add(o.ref);
    }
  }
  // precondition: a termination from a state the flowchart does not allow
  if (ctx.enabled('action_precondition')) {
    const rec = ctx.check('action_precondition');
    const o = pickOrder(ctx, (x) => !terminate.from.includes(x.state) && x.state !== terminate.via, reserved);
    if (!o || !reason) rec.skip(!reason ? 'no termination reason is listed' : `every order is in state ${terminate.from.join('/')}`);
    else {
      reserved.add(o.ref);
      const before = await requestCount(ctx, o.ref);
      const ex = await ctx.http.request({ path: orderPath(o.ref, 'terminate/'), method: 'POST', json: { reason, message: 'conformance: must be refused' }, operationId: 'requestOrderAction' });
      if (ex.status !== undefined && ex.status >= 400 && ex.status < 500) rec.pass();
      else rec.fail(`termination of ${o.ref} in state "${o.state}" (allowed only from ${terminate.from.join('/')}): expected a 4xx / received ${ex.status ?? ex.error?.message}`, ctx.http.evidence(ex, { expected: '4xx', received: String(ex.status) }));
      const [after, state] = await Promise.all([requestCount(ctx, o.ref), stateOf(ctx, o.ref)]);
      if (state !== o.state) rec.fail(`after a refused termination of ${o.ref}: expected state "${o.state}" unchanged / received "${state}"`, { method: 'GET', url: ctx.http.origin + orderPath(o.ref), expected: o.state, received: String(state) });
      if (after !== before) rec.fail(`after a refused termination of ${o.ref}: expected ${before} order request(s) / received ${after}`, { method: 'GET', url: `${ctx.http.origin}/api/v1/order_request/?order_reference=${encodeURIComponent(o.ref)}`, expected: String(before), received: String(after) });
      if (state !== o.state || after !== before) ctx.touched.add(o.ref);
    }
  }
  // a valid termination of an active order
  if (ctx.enabled('terminate_active')) {
    const rec = ctx.check('terminate_active');
    const o = pickOrder(ctx, (x) => terminate.from.includes(x.state), reserved);
    if (!o || !reason) {
      rec.skip(!reason ? 'no termination reason is listed' : `no other order in state ${terminate.from.join('/')} to terminate`);
      return;
    }
    ctx.touched.add(o.ref);
    const message = `conformance run ${ctx.options.seed}`;
    const ex = await ctx.http.request({ path: orderPath(o.ref, 'terminate/'), method: 'POST', json: { reason, message }, operationId: 'requestOrderAction' });
    if (!ctx.expectStatus('terminate_active', ex, [200, 201, 202], `termination of active order ${o.ref} with reason "${reason}"`)) return;
    ctx.schema('terminate_active', ex, 'requestOrderAction');
    const requests = await listRequests(ctx, { order_reference: o.ref }, false);
    if (!requests.rows.some((r) => r.reason === reason && r.order_reference === o.ref)) {
      rec.fail(`termination of ${o.ref}: expected an order request with reason "${reason}" / received ${requests.rows.length} request(s) without it`, { method: 'GET', url: `${ctx.http.origin}/api/v1/order_request/?order_reference=${encodeURIComponent(o.ref)}` });
    }
    const after = [terminate.via, terminate.to].filter((s): s is string => !!s);
    const [state, history] = await Promise.all([
      stateOf(ctx, o.ref),
      ctx.http.request({ path: orderPath(o.ref, 'historic/'), operationId: 'getOrderHistory' }),
    ]);
    if (!state || !after.includes(state)) {
      rec.fail(`after terminating ${o.ref}: expected state ${after.join(' or ')} / received ${JSON.stringify(state)}`, { method: 'GET', url: ctx.http.origin + orderPath(o.ref), expected: after.join(' or '), received: String(state) });
    }
    const entries = ((history.json() as { results?: { state?: string }[] } | undefined)?.results ?? []).map((e) => String(e?.state));
    if (!entries.some((s) => after.includes(s))) {
      rec.fail(`after terminating ${o.ref}: expected ${after.join(' or ')} in the history / received ${entries.slice(-3).join(' → ')}`, ctx.http.evidence(history));
    }
    rec.pass();
  }
}

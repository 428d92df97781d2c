/**
 * Orders: the list (every page), then for a sample of orders (up to
 * `--max-orders`, every state present covered first) the detail, the history
 * and the documents, with every listed file downloaded.
 * Requirements: ORD-LIST-TYPES, ORD-LIST-PAGING, ORD-STATE-ENUM,
 * ORD-DETAIL-TYPES, ORD-CONSISTENT, HIST-*, DOC-LIST, DOC-DOWNLOAD.
 */
import type { Exchange } from '../../harness/http.ts';
import { segment } from '../../harness/url.ts';
import { historyEntries as entriesOf, historyOrder, historySteps, historyTimestamps, historyVocabulary } from '../../checks/lifecycle/history.ts';
import { canMove, orderStateOfHistory } from '../../spec/lifecycle.ts';
import type { OrderFact, RunContext } from '../context.ts';
import { countContradiction, walkList } from '../list.ts';

const ORDERS = '/api/v1/order/';

export function orderPath(ref: string, suffix = ''): string {
  return `${ORDERS}${segment(ref)}/${suffix}`;
}

/** Known document bytes (sha256 → where), so that a traversal answer can be recognised. */
export type KnownFiles = Map<string, string>;

export async function crawlOrderList(ctx: RunContext): Promise<void> {
  const list = ctx.check('order_list_schema');
  const paging = ctx.check('order_list_paging');
  const stateEnum = ctx.check('order_state_enum');
  const states = ctx.lifecycle.order.states;
  const validate = ctx.validators.component('OrderSummary');
  const refs = new Set<string>();
  const orders: OrderFact[] = [];
  let duplicates = 0;
  const walk = await walkList(ctx, {
    path: ORDERS,
    operationId: 'listOrders',
    schemaCheck: 'order_list_schema',
    onItem: (item, ex, i) => {
      for (const v of validate(item)) ctx.violation('order_list_schema', ex, v, `/results/${i}`);
      list.pass();
      const o = item as { order_reference?: unknown; state?: unknown };
      const ref = typeof o?.order_reference === 'string' ? o.order_reference : undefined;
      const raw = typeof o?.state === 'string' ? o.state : String(o?.state);
      // the spec's own string when it is one: a million orders share eight strings
      const known = states.indexOf(raw);
      const state = known >= 0 ? (states[known] as string) : raw;
      if (known < 0) {
        stateEnum.fail(`order ${ref ?? i}: expected a state among ${states.join(', ')} / received ${ctx.http.show(o?.state)}`, () => ctx.http.evidence(ex, { pointer: `/state`, value: o?.state }));
      } else stateEnum.pass();
      if (ref === undefined) return;
      if (refs.has(ref)) {
        duplicates++;
        if (duplicates <= 5) paging.fail(`order ${ref} appears twice in the list: expected each order once / received it again`, ctx.http.evidence(ex, { value: ref }));
        return;
      }
      refs.add(ref);
      orders.push({ ref, state });
      ctx.observed.states.set(state, (ctx.observed.states.get(state) ?? 0) + 1);
    },
  });
  const contradiction = await countContradiction('the order list', walk, () => walkList(ctx, { path: ORDERS, operationId: 'listOrders', onItem: () => undefined }));
  if (walk.broken) {
    const ev = walk.brokenAt ? ctx.http.evidence(walk.brokenAt) : { method: 'GET', url: ctx.http.origin + ORDERS };
    // a page's own link that cannot be followed leaves the list unwalkable: an error in every profile
    paging.fail(`the list walk broke: ${walk.broken}`, ev, walk.refusedLink ? 'error' : undefined);
    if (walk.pages <= 1 && walk.brokenAt) list.fail(`expected the order list / received ${walk.broken}`, ev);
  } else if (contradiction) {
    // a server that contradicts its own count is an error in every profile, once confirmed
    paging.fail(contradiction.message, ctx.http.evidence(walk.first!, { pointer: '/count', value: walk.announced, expected: String(walk.announced), received: String(walk.items) }), contradiction.confirmed ? 'error' : 'warning');
  } else paging.pass(walk.pages);
  ctx.orders = orders;
  ctx.log(`  list: ${orders.length} orders in ${walk.pages} page(s)`);
}

/** Picks up to `max` orders, one of each state first, then evenly spread. */
export function sampleOrders(orders: OrderFact[], max: number): OrderFact[] {
  if (orders.length <= max) return orders;
  const picked = new Map<string, OrderFact>();
  for (const o of orders) if (![...picked.values()].some((p) => p.state === o.state)) picked.set(o.ref, o);
  const stride = orders.length / Math.max(1, max - picked.size);
  for (let i = 0; picked.size < max && i < orders.length; i += stride) {
    const o = orders[Math.floor(i)];
    if (o) picked.set(o.ref, o);
  }
  return [...picked.values()].slice(0, max);
}

function recordPath(ctx: RunContext, entries: { state: string }[]): void {
  let prev: string | undefined;
  const seenSteps = new Set<string>();
  for (const e of entries) {
    const mapped = ctx.lifecycle.orderStateOf.get(e.state);
    if (ctx.lifecycle.steps.includes(e.state)) seenSteps.add(e.state);
    if (mapped === undefined || mapped === prev) continue;
    if (prev !== undefined) {
      const key = `${prev}>${mapped}`;
      const t = ctx.observed.transitions.get(key) ?? { from: prev, to: mapped, count: 0, legal: canMove(ctx.lifecycle.order, prev, mapped) };
      t.count++;
      ctx.observed.transitions.set(key, t);
    }
    prev = mapped;
  }
  for (const s of seenSteps) ctx.observed.productionSteps.set(s, (ctx.observed.productionSteps.get(s) ?? 0) + 1);
}

/**
 * Inputs learnt from the target (ANALYSIS.md, "Judging a target we did not
 * write", rule 3): the product offering and options of an existing order are
 * what the run's own product order asks for, rather than the documentation
 * example's offering, which this provider's catalogue may not hold.
 */
function learnOffering(ctx: RunContext, detail: unknown): void {
  if (ctx.learnt.offering) return;
  const d = detail as { product_offering_id?: unknown; option_ids?: unknown } | undefined;
  if (typeof d?.product_offering_id !== 'string' || d.product_offering_id === '') return;
  const options = Array.isArray(d.option_ids) ? d.option_ids.filter((o): o is string => typeof o === 'string') : [];
  ctx.learnt.offering = { product_offering_id: d.product_offering_id, option_ids: options };
}

async function examineOrder(ctx: RunContext, order: OrderFact, known: KnownFiles): Promise<void> {
  const [detail, history, docs] = await Promise.all([
    ctx.http.request({ path: orderPath(order.ref), operationId: 'getOrder' }),
    ctx.http.request({ path: orderPath(order.ref, 'historic/'), operationId: 'getOrderHistory' }),
    ctx.http.request({ path: orderPath(order.ref, 'documents/'), operationId: 'listOrderDocuments' }),
  ]);
  let detailState: string | undefined;
  // the detail's state as it reads, valid or not: a list and a detail that disagree are judged even when one is misspelt
  let shownState: string | undefined;
  if (ctx.expectStatus('order_detail_schema', detail, [200], `order ${order.ref} from the list`)) {
    ctx.schema('order_detail_schema', detail, 'getOrder');
    learnOffering(ctx, detail.json());
    const s = (detail.json() as { state?: unknown } | undefined)?.state;
    if (typeof s === 'string') shownState = s;
    if (typeof s === 'string' && ctx.lifecycle.order.states.includes(s)) {
      ctx.check('order_state_enum').pass();
      detailState = s;
    } else {
      ctx.check('order_state_enum').fail(`order ${order.ref} detail: expected one of the 8 order states / received ${ctx.http.show(s)}`, ctx.http.evidence(detail, { pointer: '/state', value: s }));
    }
  }
  let historyState: string | undefined;
  let historyEntries: { state: string; change_date?: string }[] | undefined;
  if (ctx.expectStatus('history_schema', history, [200], `history of order ${order.ref}`)) {
    ctx.schema('history_schema', history, 'getOrderHistory');
    historyEntries = entriesOf(history);
    if (historyEntries) {
      for (const check of [historyOrder, historyVocabulary, historyTimestamps, historySteps]) ctx.judge(check, { ref: order.ref, history });
      historyState = orderStateOfHistory(ctx.lifecycle, historyEntries);
      recordPath(ctx, historyEntries);
    }
  }
  if (ctx.expectStatus('documents_schema', docs, [200], `documents of order ${order.ref}`)) {
    if (ctx.schema('documents_schema', docs, 'listOrderDocuments')) await downloadAll(ctx, order.ref, docs, known);
  }
  // consistency: list, detail, last history entry
  if (!ctx.touched.has(order.ref) && detailState === undefined) {
    ctx.check('state_consistency').skip(shownState === undefined ? `the detail of ${order.ref} gave no state to compare (${detail.status ?? detail.error?.message})` : `the detail of ${order.ref} says "${shownState}", not an order state, so the states could not be compared`);
    if (shownState !== undefined && shownState !== order.state) ctx.check('state_consistency').fail(`order ${order.ref}: expected one state everywhere / received: the list says "${order.state}" but the detail says "${shownState}"`, ctx.http.evidence(detail, { pointer: '/state', value: shownState }));
  }
  if (!ctx.touched.has(order.ref) && detailState !== undefined) {
    const cons = ctx.check('state_consistency');
    const disagree: string[] = [];
    if (order.state !== detailState) disagree.push(`the list says "${order.state}" but the detail says "${detailState}"`);
    if (historyState !== undefined && historyState !== detailState) {
      disagree.push(`the last history entry "${historyEntries?.[historyEntries.length - 1]?.state}" stands for "${historyState}" but the detail says "${detailState}"`);
    }
    if (historyEntries && historyEntries.length === 0) disagree.push('the history is empty');
    if (disagree.length > 0) cons.fail(`order ${order.ref}: expected one state everywhere / received: ${disagree.join('; ')}`, ctx.http.evidence(detail, { pointer: '/state', value: detailState }));
    else cons.pass();
  }
}

async function downloadAll(ctx: RunContext, ref: string, docs: Exchange, known: KnownFiles): Promise<void> {
  const groups = docs.json() as { type: string; values: string[] }[];
  const rec = ctx.check('document_download');
  for (const g of groups) {
    for (const name of g.values ?? []) {
      const ex = await ctx.http.request({ path: orderPath(ref, `${segment(name)}/download/`), operationId: 'downloadOrderDocument', keepBytes: 64 * 1024 });
      if (ex.status !== 200) {
        rec.fail(`listed file ${name} of order ${ref}: expected 200 / received ${ex.status ?? ex.error?.message}`, ctx.http.evidence(ex, { expected: '200', received: String(ex.status) }));
        continue;
      }
      if (ex.bytes === 0) {
        rec.fail(`listed file ${name} of order ${ref}: expected a non-empty body / received 0 bytes`, ctx.http.evidence(ex));
        continue;
      }
      const ct = ex.contentType();
      if (/\.pdf$/i.test(name) && ex.body.subarray(0, 5).toString('latin1') !== '%PDF-') {
        rec.fail(`listed file ${name} of order ${ref}: expected a PDF (starting %PDF-) / received bytes starting ${JSON.stringify(ctx.http.redactor.cut(ex.body.subarray(0, 16 + ctx.http.redactor.reach).toString('latin1'), 16))}`, ctx.http.evidence(ex));
        continue;
      }
      if (ct === 'text/html' || ct === 'application/json') {
        rec.fail(`listed file ${name} of order ${ref}: expected the file's bytes / received ${ct} (an error page?)`, ctx.http.evidence(ex));
        continue;
      }
      known.set(ex.digest(), `${ref}/${name}`);
      rec.pass();
    }
  }
}

/** Examines the sampled orders, `concurrency` at a time. */
export async function examineOrders(ctx: RunContext, sample: OrderFact[], known: KnownFiles): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, ctx.options.concurrency) }, async () => {
    while (next < sample.length && !ctx.http.unavailable) {
      const o = sample[next++];
      if (o) await examineOrder(ctx, o, known);
      ctx.progress.done++;
    }
  });
  await Promise.all(workers);
}

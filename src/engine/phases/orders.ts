/**
 * Orders: the list (every page), then for a sample of orders (up to
 * `--max-orders`, every state present covered first) the detail, the history
 * and the documents, with every listed file downloaded. The driver sends and
 * hands the answers to the check modules (src/checks/orders, lifecycle,
 * documents), which judge them: ORD-LIST-TYPES, ORD-LIST-PAGING,
 * ORD-STATE-ENUM, ORD-DETAIL-TYPES, ORD-CONSISTENT, HIST-*, DOC-LIST,
 * DOC-DOWNLOAD.
 */
import type { Exchange } from '../../harness/http.ts';
import { mostInFlight } from '../options.ts';
import { historyEntries as entriesOf, historyOrder, historySteps, historyTimestamps, historyVocabulary } from '../../checks/lifecycle/history.ts';
import { historySchema } from '../../checks/lifecycle/history-schema.ts';
import { documentDownload } from '../../checks/documents/download.ts';
import { documentsSchema, documentsUsable } from '../../checks/documents/list.ts';
import { type ConsistencyInput, secondLook, stateConsistency } from '../../checks/orders/consistency.ts';
import { orderDetailSchema } from '../../checks/orders/detail.ts';
import { orderListSchema } from '../../checks/orders/list.ts';
import { needsSecondWalk, orderListPaging } from '../../checks/orders/paging.ts';
import { orderStateEnum } from '../../checks/orders/state-enum.ts';
import { pageRows } from '../../checks/lists.ts';
import { canMove } from '../../contract/lifecycle.ts';
import type { OrderFact, RunContext } from '../context.ts';
import { walkAgain, walkList } from '../list.ts';
import { examines, inGlobalShard } from '../shard.ts';
import type { DocRef } from './access.ts';

/** Known document bytes (sha256 → where), so that a traversal answer can be recognised. */
export type KnownFiles = Map<string, string>;

/**
 * What the later phases take from the examined orders, chosen by the orders'
 * place in the sample, never by which answer came first: the two documents
 * of the probes (the first file downloaded of the two earliest orders that
 * have one) and the product offering of the earliest order that has one,
 * among the orders of the global shard (every order without --shard). Shard
 * G and the merged judge of its shards thus choose the same ones.
 */
export interface Picks {
  /** at most two, by place in the sample */
  docs: { at: number; doc: DocRef }[];
  offering?: { at: number; value: { product_offering_id: string; option_ids: string[] } };
}

export const noPicks = (): Picks => ({ docs: [] });

function pickDoc(picks: Picks, at: number, doc: DocRef): void {
  if (picks.docs.some((d) => d.doc.ref === doc.ref)) return;
  picks.docs.push({ at, doc });
  picks.docs.sort((a, b) => a.at - b.at);
  picks.docs.length = Math.min(picks.docs.length, 2);
}

export async function crawlOrderList(ctx: RunContext): Promise<void> {
  const states = ctx.lifecycle.order.states;
  const refs = new Set<string>();
  const orders: OrderFact[] = [];
  const repeated: { ref: string; page: Exchange; modified?: string }[] = [];
  const listPages: { url: string; first: number }[] = [];
  let pages = 0;
  let offset = 0;
  const walk = await walkList(ctx, {
    path: ctx.path('listOrders'),
    operationId: 'listOrders',
    // each page judged as it comes: a walk of a million rows holds one page at a time
    onPage: (page, rows) => {
      const at = { page, first: ++pages === 1, offset };
      listPages.push({ url: page.url, first: orders.length });
      ctx.judge(orderListSchema, at);
      ctx.judge(orderStateEnum, at);
      offset += rows.length;
    },
    onItem: (item, ex) => {
      const o = item as { order_reference?: unknown; state?: unknown; modification_date?: unknown };
      const ref = typeof o?.order_reference === 'string' ? o.order_reference : undefined;
      const raw = typeof o?.state === 'string' ? o.state : String(o?.state);
      // the spec's own string when it is one: a million orders share eight strings
      const known = states.indexOf(raw);
      const state = known >= 0 ? (states[known] as string) : raw;
      if (ref === undefined) return;
      if (refs.has(ref)) {
        repeated.push({ ref, page: ex, ...(typeof o.modification_date === 'string' ? { modified: o.modification_date } : {}) });
        return;
      }
      refs.add(ref);
      orders.push({ ref, state });
      ctx.observed.states.set(state, (ctx.observed.states.get(state) ?? 0) + 1);
    },
  });
  // rows that came twice, or a count the rows contradict: the list walked again before it is judged
  const again = needsSecondWalk(walk) || repeated.length > 0 ? await walkAgain(ctx, { path: ctx.path('listOrders'), operationId: 'listOrders' }) : undefined;
  ctx.judge(orderListSchema, { walk });
  ctx.judge(orderListPaging, { what: 'the order list', walk, repeated, ...(again ? { again: again.walk, latest: again.latest, newestFirst: again.newestFirst } : {}) });
  ctx.orders = orders;
  ctx.listPages = listPages;
  ctx.log(`  list: ${orders.length} orders in ${walk.pages} page(s)`);
}

/** Picks up to `max` orders (0: every one), one of each state first, then evenly spread. */
export function sampleOrders(orders: OrderFact[], max: number): OrderFact[] {
  if (max === 0 || orders.length <= max) return orders;
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
function learnOffering(picks: Picks, at: number, detail: unknown): void {
  if (picks.offering && picks.offering.at < at) return;
  const d = detail as { product_offering_id?: unknown; option_ids?: unknown } | undefined;
  if (typeof d?.product_offering_id !== 'string' || d.product_offering_id === '') return;
  const options = Array.isArray(d.option_ids) ? d.option_ids.filter((o): o is string => typeof o === 'string') : [];
  picks.offering = { at, value: { product_offering_id: d.product_offering_id, option_ids: options } };
}

async function examineOrder(ctx: RunContext, order: OrderFact, at: number, known: KnownFiles, picks: Picks): Promise<void> {
  const [detail, history, documents] = await Promise.all([ctx.call('getOrder', { order_reference: order.ref }), ctx.call('getOrderHistory', { order_reference: order.ref }), ctx.call('listOrderDocuments', { order_reference: order.ref })]);
  ctx.judge(orderDetailSchema, { ref: order.ref, detail });
  ctx.judge(orderStateEnum, { ref: order.ref, detail });
  const global = inGlobalShard(ctx.options, order.ref);
  if (detail.status === 200 && global) learnOffering(picks, at, detail.json());
  ctx.judge(historySchema, { ref: order.ref, history });
  const entries = history.status === 200 ? entriesOf(history) : undefined;
  if (entries) {
    for (const check of [historyOrder, historyVocabulary, historyTimestamps, historySteps]) ctx.judge(check, { ref: order.ref, history });
    recordPath(ctx, entries);
  }
  if (documentsUsable(ctx.judge(documentsSchema, { ref: order.ref, documents }))) {
    const first = await downloadAll(ctx, order.ref, documents, known);
    if (first && global) pickDoc(picks, at, { ref: order.ref, name: first });
  }
  // consistency (list, detail, last history entry) is not judged on an order the run changed
  if (!ctx.touched.has(order.ref)) {
    const input: ConsistencyInput = { ref: order.ref, listState: order.state, detail, history };
    const look = secondLook(input, ctx.env);
    if (look) {
      // states that a move during the run may explain: the side that lags is read again, after the others (ANALYSIS.md rule 2),
      // a second later (a list served from a replica may trail its detail by a moment)
      await ctx.clock.sleep(SECOND_LOOK_MS);
      const [list, again] = await Promise.all([look.list ? readRowAgain(ctx, order) : undefined, look.detail ? ctx.call('getOrder', { order_reference: order.ref }, { purpose: 'second-look' }) : undefined]);
      input.again = { ...(list ? { list } : {}), ...(again ? { detail: again } : {}) };
    }
    ctx.judge(stateConsistency, input);
  }
}

/** How long state_consistency's second look waits before it reads the lagging side again. */
const SECOND_LOOK_MS = 1000;

/** The order's list page read again, and the state its row gives now (undefined: the row is no longer on it). */
async function readRowAgain(ctx: RunContext, order: OrderFact): Promise<{ page: Exchange; state: string | undefined } | undefined> {
  const at = ctx.orders.indexOf(order);
  let page: { url: string } | undefined;
  for (const p of ctx.listPages) if (p.first <= at) page = p;
  if (at < 0 || !page) return undefined;
  const ex = await ctx.http.request({ path: page.url, operationId: 'listOrders', purpose: 'second-look' });
  const rows = ex.status === 200 && ex.isJson() ? pageRows(ex) : [];
  const row = rows.find((r) => (r as { order_reference?: unknown } | null)?.order_reference === order.ref) as { state?: unknown } | undefined;
  return { page: ex, state: typeof row?.state === 'string' ? row.state : undefined };
}

/** Downloads every listed file (one after another); returns the name of the first that downloaded as a file. */
async function downloadAll(ctx: RunContext, ref: string, documents: Exchange, known: KnownFiles): Promise<string | undefined> {
  const groups = documents.json() as { type: string; values: string[] }[];
  let first: string | undefined;
  for (const g of groups) {
    for (const name of g.values ?? []) {
      const download = await ctx.call('downloadOrderDocument', { order_reference: ref, filename: name }, { keepBytes: 64 * 1024 });
      // the bytes of a file that downloads as one are what the traversal and isolation probes recognise
      if (ctx.judge(documentDownload, { ref, name, download }).passed > 0) {
        known.set(download.digest(), `${ref}/${name}`);
        first ??= name;
      }
    }
  }
  return first;
}

/** The sampled orders this run examines (with --shard, those of its shard), with their place in the sample. */
export function ordersToExamine(ctx: RunContext, sample: OrderFact[]): { order: OrderFact; at: number }[] {
  const mine: { order: OrderFact; at: number }[] = [];
  for (const [at, order] of sample.entries()) if (examines(ctx.options.shard, order.ref)) mine.push({ order, at });
  return mine;
}

/** Examines the sampled orders of this run's shard, `concurrency` at a time. */
export async function examineOrders(ctx: RunContext, sample: OrderFact[], known: KnownFiles, picks: Picks = noPicks()): Promise<void> {
  const mine = ordersToExamine(ctx, sample);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, mostInFlight(ctx.options)) }, async () => {
    while (next < mine.length && !ctx.http.unavailable) {
      const o = mine[next++];
      if (o) await examineOrder(ctx, o.order, o.at, known, picks);
      ctx.progress.done++;
    }
  });
  await Promise.all(workers);
  if (picks.offering) ctx.learnt.offering ??= picks.offering.value;
}

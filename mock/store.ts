/**
 * The state of the reference server: the seeded orders (generated on demand,
 * never all at once), what provider states and clients changed on top of them,
 * order requests, product orders, export tasks and the export rate limit.
 *
 * Seeded orders are numbered 0..N-1. Index i belongs to customer B when
 * i mod 4 = 3, else to customer A; within its customer it has a rank, and
 * rank ↔ index is arithmetic, so a page of 100,000 orders costs a page.
 * Seeded order requests are laid out the same way: the requests of a rank
 * depend only on its scenario, so the n-th request of a filtered list is found
 * by arithmetic over scenario cycles.
 *
 * Time only moves through `now()`: nothing runs in the background; a moving
 * order's state is computed from the clock when it is read.
 */
import type { components } from '../generated/openapi.ts';
import type { ActionRule } from '../src/contract/lifecycle.ts';
import type { Model } from './model.ts';
import { documentationHistory, documentedHistoryValues, fixedFields, seededOrder, seededRef, skippedStepsHistory, viewOf, type CustomerId, type HistoryEvent, type OrderRecord, type OrderView, type ProductOrderCreate } from './orders.ts';
import { PRODUCTS, REJECT_REASONS, type ProductEntry } from './catalogue.ts';
import { hash32, rngFrom, uuidFrom, type Rng } from './random.ts';
import { compactDay, instantFormats, type InstantFormats } from './time.ts';
import { firstUserOf, type User } from './users.ts';
import { DEFAULT_BEHAVIOUR, type Behaviour } from './variants.ts';

type Schemas = components['schemas'];
export type OrderRequest = Schemas['OrderRequest'];
export type ProductOrder = Schemas['ProductOrder'];

export interface StoreOptions {
  seed: number;
  orders: number;
  stepMs: number;
  exportMs: number;
  exportWindowS: number;
  now: () => number;
  /** the provider variant (mock/variants.ts); default: the reference server's own choices */
  behaviour?: Readonly<Behaviour>;
  /** most product orders (with the orders they create), order requests and export tasks kept each; the oldest are pruned (default 10,000) */
  maxCreated?: number;
}

interface RequestRow extends OrderRequest {
  customer: CustomerId;
}

type Outcome = 'created' | 'rejected_creation' | 'technical_error' | 'production_ko';

interface ProductOrderRecord {
  id: string;
  externalId: string | undefined;
  at: number;
  customer: CustomerId;
  outcome: Outcome;
  orderRef: string | null;
}

export interface ExportTask {
  id: string;
  user: string;
  customer: CustomerId;
  started: number;
  stopped: number;
}

const CACHE_SIZE = 4096;

/** Shifts a position of a list with holes to its raw position; `holes` sorted ascending. */
function skipHoles(pos: number, holes: readonly number[]): number {
  let p = pos;
  for (const h of holes) {
    if (h <= p) p++;
    else break;
  }
  return p;
}

function insertSorted(list: number[], v: number): void {
  if (list.includes(v)) return;
  list.push(v);
  list.sort((a, b) => a - b);
}

/** Per-scenario request counts for one action filter. */
interface Layout {
  q: number[];
  prefix: number[];
  total: number;
}

export class Store {
  readonly model: Model;
  readonly opts: StoreOptions;
  private readonly cache = new Map<number, OrderRecord>();
  private readonly layouts = new Map<string, Layout>();
  private records = new Map<string, OrderRecord>();
  private extras: Record<CustomerId, OrderRecord[]> = { A: [], B: [] };
  private removedRanks: Record<CustomerId, number[]> = { A: [], B: [] };
  private replacedRanks: Record<CustomerId, number[]> = { A: [], B: [] };
  private requests: RequestRow[] = [];
  private productOrders = new Map<string, ProductOrderRecord>();
  private exports = new Map<string, ExportTask>();
  private lastExport = new Map<string, number>();
  private created = 0;
  /** what writes created and the bound pruned away, by kind */
  private pruned = { productOrders: 0, requests: 0, exports: 0 };
  private rng: Rng;
  readonly behaviour: Readonly<Behaviour>;
  /** how instants are written */
  readonly fmt: InstantFormats;
  /** the offering catalogue */
  readonly products: readonly ProductEntry[];
  /** the variant's rewriting of what an order's history shows (undefined: none) */
  private readonly reshape: ((rec: OrderRecord, history: OrderView['history']) => OrderView['history']) | undefined;
  private readonly reshaped = new WeakMap<OrderView, OrderView>();

  constructor(model: Model, opts: StoreOptions) {
    this.model = model;
    this.opts = opts;
    this.rng = rngFrom(hash32(opts.seed, 0x5eed));
    const b = opts.behaviour ?? DEFAULT_BEHAVIOUR;
    this.behaviour = b;
    this.fmt = instantFormats(b.timestampZone, b.timestampFraction);
    this.products = b.withoutOfferings.length === 0 ? PRODUCTS : PRODUCTS.filter((p) => !b.withoutOfferings.includes(p.id));
    const steps: ((rec: OrderRecord, h: OrderView['history']) => OrderView['history'])[] = [];
    if (b.skipSteps) steps.push((rec, h) => skippedStepsHistory(model, rec.ref, h));
    if (b.history === 'documentation') {
      const values = documentedHistoryValues(model, model.historyExample);
      steps.push((_rec, h) => documentationHistory(model, values, h));
    }
    this.reshape = steps.length === 0 ? undefined : (rec, h) => steps.reduce((acc, f) => f(rec, acc), h);
  }

  now(): number {
    return this.opts.now();
  }

  /** Back to the seed: forgets every change, task, product order and rate-limit window. */
  reset(): void {
    this.records = new Map();
    this.extras = { A: [], B: [] };
    this.removedRanks = { A: [], B: [] };
    this.replacedRanks = { A: [], B: [] };
    this.requests = [];
    this.productOrders = new Map();
    this.exports = new Map();
    this.lastExport = new Map();
    this.created = 0;
    this.pruned = { productOrders: 0, requests: 0, exports: 0 };
    this.rng = rngFrom(hash32(this.opts.seed, 0x5eed));
  }

  uuid(): string {
    return uuidFrom(this.rng);
  }

  // ------------------------------------------------------------ seeded layout

  seededCount(c: CustomerId): number {
    const b = Math.floor(this.opts.orders / 4);
    return c === 'B' ? b : this.opts.orders - b;
  }

  private indexOf(c: CustomerId, rank: number): number {
    return c === 'B' ? 4 * rank + 3 : 4 * Math.floor(rank / 3) + (rank % 3);
  }

  private customerRankOf(index: number): { c: CustomerId; rank: number } {
    return index % 4 === 3 ? { c: 'B', rank: (index - 3) / 4 } : { c: 'A', rank: 3 * Math.floor(index / 4) + (index % 4) };
  }

  /** The seeded index a reference names, if it names one of the seed (removed or not). */
  seededIndexOf(ref: string): number | undefined {
    const m = /^CMD_X_(\d{8,10})$/.exec(ref);
    if (!m) return undefined;
    const index = Number(m[1]) - 1;
    return index >= 0 && index < this.opts.orders && seededRef(index) === ref ? index : undefined;
  }

  /** The pure seeded order (cached), ignoring anything changed on top of it. */
  seeded(index: number): OrderRecord {
    const hit = this.cache.get(index);
    if (hit) return hit;
    const { c, rank } = this.customerRankOf(index);
    const rec = seededOrder(this.model, this.opts.seed, index, c, rank, firstUserOf(c).email, this.products);
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as number);
    this.cache.set(index, rec);
    return rec;
  }

  // ------------------------------------------------------------------ orders

  /** The order as the customer sees it now, or undefined (unknown, another customer's, still in phase 1). */
  find(c: CustomerId, ref: string): OrderRecord | undefined {
    let rec = this.records.get(ref);
    if (!rec) {
      const index = this.seededIndexOf(ref);
      if (index === undefined) return undefined;
      const { c: owner, rank } = this.customerRankOf(index);
      if (this.removedRanks[owner].includes(rank)) return undefined;
      rec = this.seeded(index);
    }
    if (rec.customer !== c || rec.visibleFrom > this.now()) return undefined;
    return rec;
  }

  view(rec: OrderRecord): OrderView {
    const v = viewOf(this.model, rec, this.now());
    if (this.reshape === undefined) return v;
    let out = this.reshaped.get(v);
    if (out === undefined) {
      out = { ...v, history: this.reshape(rec, v.history) };
      this.reshaped.set(v, out);
    }
    return out;
  }

  /** The order of a reference whatever its customer (undefined: unknown, removed or still in phase 1). */
  findAny(ref: string): OrderRecord | undefined {
    return this.find('A', ref) ?? this.find('B', ref);
  }

  private visibleExtras(c: CustomerId): OrderRecord[] {
    const now = this.now();
    return this.extras[c].filter((r) => r.visibleFrom <= now);
  }

  countOrders(c: CustomerId): number {
    return this.seededCount(c) - this.removedRanks[c].length + this.visibleExtras(c).length;
  }

  /** Orders `offset`..`offset+limit-1` of the customer's list. */
  pageOrders(c: CustomerId, offset: number, limit: number): OrderRecord[] {
    const out: OrderRecord[] = [];
    const holes = this.removedRanks[c];
    const seeded = this.seededCount(c) - holes.length;
    let pos = offset;
    if (pos < seeded) {
      let rank = skipHoles(pos, holes);
      let h = holes.findIndex((x) => x >= rank);
      if (h < 0) h = holes.length;
      while (pos < seeded && out.length < limit) {
        while (h < holes.length && holes[h] === rank) {
          rank++;
          h++;
        }
        const index = this.indexOf(c, rank);
        out.push(this.records.get(seededRef(index)) ?? this.seeded(index));
        rank++;
        pos++;
      }
    }
    if (out.length < limit) {
      const extras = this.visibleExtras(c);
      for (let i = pos - seeded; i < extras.length && out.length < limit; i++) out.push(extras[i] as OrderRecord);
    }
    return out;
  }

  /** Every order of the customer, in list order, a chunk at a time (the export). */
  *allOrders(c: CustomerId, chunk = 500): Generator<OrderRecord[]> {
    const count = this.countOrders(c);
    for (let offset = 0; offset < count; offset += chunk) {
      const page = this.pageOrders(c, offset, chunk);
      if (page.length === 0) return;
      yield page;
    }
  }

  /** Puts an order in place (provider states): a seeded reference of the same customer is replaced in place. */
  putOrder(rec: OrderRecord): void {
    this.removeOrder(rec.ref);
    const index = this.seededIndexOf(rec.ref);
    if (index !== undefined) {
      const { c, rank } = this.customerRankOf(index);
      if (c === rec.customer) {
        this.removedRanks[c] = this.removedRanks[c].filter((r) => r !== rank);
        this.records.set(rec.ref, rec);
        return;
      }
    }
    this.records.set(rec.ref, rec);
    this.extras[rec.customer].push(rec);
  }

  /** Makes an order unknown (provider states), with its requests. */
  removeOrder(ref: string): void {
    const rec = this.records.get(ref);
    if (rec) {
      this.records.delete(ref);
      this.extras[rec.customer] = this.extras[rec.customer].filter((r) => r !== rec);
    }
    const index = this.seededIndexOf(ref);
    if (index !== undefined) {
      const { c, rank } = this.customerRankOf(index);
      insertSorted(this.removedRanks[c], rank);
      insertSorted(this.replacedRanks[c], rank);
    }
    this.requests = this.requests.filter((r) => r.order_reference !== ref);
  }

  /** A record this store may change: seeded records are copied on first change. */
  private owned(rec: OrderRecord): OrderRecord {
    if (this.records.get(rec.ref) === rec) return rec;
    const copy: OrderRecord = { ...rec, events: [...rec.events] };
    this.records.set(rec.ref, copy);
    return copy;
  }

  // ----------------------------------------------------------------- actions

  /**
   * Applies an accepted action at `now()`: events not yet due are dropped (a
   * cancelled production stops), then the order passes through the action's
   * `via` state (if any) and reaches its `to` state one step later.
   */
  applyAction(rec0: OrderRecord, action: ActionRule, body: { reason: string; message?: string; request_effective_date?: string | null }, user: User): OrderRequest {
    const now = this.now();
    const rec = this.owned(rec0);
    rec.events = rec.events.filter((e) => e.due <= now);
    const event = (state: string, due: number, reason: string): HistoryEvent => ({ state, at: due, due, reason });
    if (action.via) {
      rec.events.push(event(action.via, now, body.reason));
      rec.events.push(event(action.to, now + this.opts.stepMs, ''));
    } else {
      rec.events.push(event(action.to, now, body.reason));
    }
    const row: RequestRow = {
      id: this.uuid(),
      creation_date: this.fmt.instantMs(now),
      modification_date: this.fmt.instantMs(now),
      order_reference: rec.ref,
      action: action.label,
      request_effective_date: body.request_effective_date ?? null,
      message: body.message ?? '',
      reason: body.reason,
      customer: user.customer,
    };
    this.requests.push(row);
    this.prune();
    return publicRow(row);
  }

  /** Records the requests of a staged order's history (provider states). */
  addStagedRequests(rec: OrderRecord): OrderRequest[] {
    const rows = rec.events.flatMap((e) => (e.request ? [this.requestRow(rec.ref, rec.customer, e, this.uuid())] : []));
    this.requests.push(...rows);
    return rows.map(publicRow);
  }

  private requestRow(ref: string, customer: CustomerId, e: HistoryEvent, id: string): RequestRow {
    const r = e.request as NonNullable<HistoryEvent['request']>;
    return {
      id,
      creation_date: this.fmt.instantMs(e.at),
      modification_date: this.fmt.instantMs(e.at),
      order_reference: ref,
      action: r.action.label,
      request_effective_date: r.effectiveDate,
      message: r.message,
      reason: r.reason,
      customer,
    };
  }

  // ---------------------------------------------------------- order requests

  private seededRequests(index: number): RequestRow[] {
    const rec = this.seeded(index);
    let k = 0;
    return rec.events.flatMap((e) => (e.request ? [this.requestRow(rec.ref, rec.customer, e, uuidFrom(rngFrom(hash32(this.opts.seed, index, 0x7e9, k++))))] : []));
  }

  private layout(label: string | undefined): Layout {
    const key = label ?? '\u0000all';
    const hit = this.layouts.get(key);
    if (hit) return hit;
    const q = this.model.scenarios.map((s) => s.actions.filter((a) => label === undefined || a.label === label).length);
    const prefix: number[] = [];
    let total = 0;
    for (const n of q) {
      prefix.push(total);
      total += n;
    }
    const l = { q, prefix, total };
    if (this.layouts.size < 64) this.layouts.set(key, l);
    return l;
  }

  /**
   * The customer's order requests, optionally filtered by order reference and
   * by action label (exact matches): `count` and the rows `offset`..`offset+limit-1`.
   */
  pageRequests(c: CustomerId, filter: { orderReference?: string; action?: string }, offset: number, limit: number): { count: number; rows: OrderRequest[] } {
    const matches = (r: RequestRow): boolean => r.customer === c && (filter.action === undefined || r.action === filter.action) && (filter.orderReference === undefined || r.order_reference === filter.orderReference);
    const dynamic = this.requests.filter(matches);
    if (filter.orderReference !== undefined) {
      const rec = this.find(c, filter.orderReference);
      if (!rec) return { count: 0, rows: [] };
      const seeded = rec.index !== undefined ? this.seededRequests(rec.index).filter(matches) : [];
      const all = [...seeded, ...dynamic];
      return { count: all.length, rows: all.slice(offset, offset + limit).map(publicRow) };
    }
    const S = this.model.scenarios.length;
    const l = this.layout(filter.action);
    const n = this.seededCount(c);
    const rawCount = l.total === 0 ? 0 : Math.floor(n / S) * l.total + (l.prefix[n % S] ?? 0);
    const holes: number[] = [];
    for (const rank of this.replacedRanks[c]) {
      const p = rank % S;
      const base = Math.floor(rank / S) * l.total + (l.prefix[p] ?? 0);
      for (let k = 0; k < (l.q[p] ?? 0); k++) holes.push(base + k);
    }
    const seededVisible = rawCount - holes.length;
    const rows: OrderRequest[] = [];
    for (let pos = offset; pos < seededVisible && rows.length < limit; pos++) {
      const raw = skipHoles(pos, holes);
      const cycle = Math.floor(raw / l.total);
      const off = raw % l.total;
      let p = 0;
      while (p < S - 1 && off >= (l.prefix[p] ?? 0) + (l.q[p] ?? 0)) p++;
      const k = off - (l.prefix[p] ?? 0);
      const own = this.seededRequests(this.indexOf(c, cycle * S + p)).filter(matches);
      const row = own[k];
      if (row) rows.push(publicRow(row));
    }
    for (let i = Math.max(0, offset - seededVisible); i < dynamic.length && rows.length < limit; i++) rows.push(publicRow(dynamic[i] as RequestRow));
    return { count: seededVisible + dynamic.length, rows };
  }

  // ---------------------------------------------------------- product orders

  /**
   * Starts phase 1. The outcome is chosen by `external_id` (see mock/index.ts):
   * `reject…` → rejected_creation, `error…` → technical_error, `ko…` → created
   * but production fails (`rejected`), anything else → created, then produced.
   */
  createProductOrder(user: User, body: ProductOrderCreate): ProductOrder {
    const now = this.now();
    const n = this.opts.orders + ++this.created;
    const ext = (body.external_id ?? '').toLowerCase();
    const outcome: Outcome = ext.startsWith('reject') ? 'rejected_creation' : ext.startsWith('error') ? 'technical_error' : ext.startsWith('ko') ? 'production_ko' : 'created';
    const id = `PO_DC173_${compactDay(now)}_${String(n).padStart(6, '0')}`;
    let orderRef: string | null = null;
    if (outcome === 'created' || outcome === 'production_ko') {
      let k = n;
      while (this.records.has(`CMD_X_${String(k).padStart(8, '0')}`)) k++;
      orderRef = `CMD_X_${String(k).padStart(8, '0')}`;
      this.records.set(orderRef, this.productionRecord(user, body, id, orderRef, now, outcome, n));
      this.extras[user.customer].push(this.records.get(orderRef) as OrderRecord);
    }
    this.productOrders.set(id, { id, externalId: body.external_id, at: now, customer: user.customer, outcome, orderRef });
    this.prune();
    return this.productOrder(user.customer, id) as ProductOrder;
  }

  /** The order a successful phase 1 creates: it appears `confirmed` at the end of phase 1, then moves one step at a time. */
  private productionRecord(user: User, body: ProductOrderCreate, id: string, ref: string, t0: number, outcome: Outcome, n: number): OrderRecord {
    const { lc, names } = this.model;
    const s = this.opts.stepMs;
    const visibleFrom = t0 + 2 * s;
    const events: HistoryEvent[] = [];
    const at = (state: string, due: number, reason = ''): void => {
      events.push({ state, at: due, due, reason });
    };
    at(names.itemInitial, t0);
    at(names.itemCreated, visibleFrom);
    at(names.productionOpened, visibleFrom + s);
    const steps = outcome === 'production_ko' ? lc.steps.slice(0, 3) : lc.steps;
    steps.forEach((step, i) => {
      at(step, visibleFrom + (2 + i) * s);
    });
    const end = visibleFrom + (2 + steps.length) * s;
    if (outcome === 'production_ko') at(names.rejected, end, REJECT_REASONS[0] as string);
    else at(names.active, end);
    const fixed = fixedFields(
      this.model,
      {
        ref,
        id,
        customer: user.customer,
        createdBy: user.email,
        key: hash32(this.opts.seed, 0xb0d1, n),
        rank: n,
        orderDay: t0,
        familyIndex: n,
        body,
        products: this.products,
      },
      [],
    );
    return { ref, id, customer: user.customer, index: undefined, visibleFrom, events, ...fixed };
  }

  /** A product order as its customer sees it now. */
  productOrder(c: CustomerId, id: string): ProductOrder | undefined {
    const po = this.productOrders.get(id);
    if (!po || po.customer !== c) return undefined;
    const { names } = this.model;
    const elapsed = Math.floor((this.now() - po.at) / Math.max(1, this.opts.stepMs));
    let status: string;
    if (elapsed < 1) status = names.itemInitial;
    else if (po.outcome === 'technical_error') status = names.itemError;
    else if (elapsed < 2) status = names.itemWorking;
    else status = po.outcome === 'rejected_creation' ? names.itemRejected : names.itemCreated;
    const out: ProductOrder = {
      id: po.id,
      creation_date: this.fmt.instant(po.at),
      product_order_item: [
        {
          id: `POI_${po.id.slice(3)}_1`,
          status: status as ProductOrder['product_order_item'][number]['status'],
          order_reference: status === names.itemCreated ? po.orderRef : null,
        },
      ],
    };
    if (po.externalId !== undefined) out.external_id = po.externalId;
    return out;
  }

  // ------------------------------------------------------------------ bound

  /** What writes created and the store holds now, and how many of each the bound pruned (oldest first). */
  counts(): { productOrders: number; createdOrders: number; requests: number; exports: number; pruned: { productOrders: number; requests: number; exports: number } } {
    const createdOrders = this.extras.A.length + this.extras.B.length;
    return { productOrders: this.productOrders.size, createdOrders, requests: this.requests.length, exports: this.exports.size, pruned: { ...this.pruned } };
  }

  private get maxCreated(): number {
    return this.opts.maxCreated ?? 10_000;
  }

  /** Forgets the oldest product orders (and the orders they created), requests and tasks past the bound. */
  private prune(): void {
    for (const [id, po] of this.productOrders) {
      if (this.productOrders.size <= this.maxCreated) break;
      this.productOrders.delete(id);
      this.pruned.productOrders++;
      const rec = po.orderRef ? this.records.get(po.orderRef) : undefined;
      if (rec && rec.index === undefined) {
        this.records.delete(rec.ref);
        const list = this.extras[rec.customer];
        const at = list.indexOf(rec);
        if (at >= 0) list.splice(at, 1);
      }
    }
    if (this.requests.length > this.maxCreated) {
      const excess = this.requests.length - this.maxCreated;
      this.requests.splice(0, excess);
      this.pruned.requests += excess;
    }
    for (const id of this.exports.keys()) {
      if (this.exports.size <= this.maxCreated) break;
      this.exports.delete(id);
      this.pruned.exports++;
    }
  }

  // ------------------------------------------------------------------ export

  /** Starts an export for the user, or says how many whole seconds are left in the window. */
  startExport(user: User): { task: ExportTask } | { retryAfterS: number } {
    const now = this.now();
    const windowMs = this.opts.exportWindowS * 1000;
    const last = this.lastExport.get(user.key);
    if (last !== undefined && now < last + windowMs) {
      return { retryAfterS: Math.max(1, Math.ceil((last + windowMs - now) / 1000)) };
    }
    this.lastExport.set(user.key, now);
    const task: ExportTask = { id: this.uuid(), user: user.key, customer: user.customer, started: now, stopped: now + this.opts.exportMs };
    this.exports.set(task.id, task);
    this.prune();
    return { task };
  }

  exportTask(user: User, id: string): ExportTask | undefined {
    const t = this.exports.get(id);
    return t && t.user === user.key ? t : undefined;
  }

  /** Whether a task of this id exists, whoever started it. */
  exportTaskExists(id: string): boolean {
    return this.exports.has(id);
  }

  /** Whether a product order of this id exists, whatever its customer. */
  productOrderExists(id: string): boolean {
    return this.productOrders.has(id);
  }

  exportDone(t: ExportTask): boolean {
    return this.now() >= t.stopped;
  }

  /** Provider states: sets (or clears) the user's last export instant. */
  setLastExport(user: User, at: number | undefined): void {
    if (at === undefined) this.lastExport.delete(user.key);
    else this.lastExport.set(user.key, at);
  }

  /** Provider states: registers a task. */
  addExportTask(task: ExportTask): void {
    this.exports.set(task.id, task);
  }
}

function publicRow(r: RequestRow): OrderRequest {
  return {
    id: r.id,
    creation_date: r.creation_date,
    modification_date: r.modification_date,
    order_reference: r.order_reference,
    action: r.action,
    request_effective_date: r.request_effective_date,
    message: r.message,
    reason: r.reason,
  };
}

/**
 * Orders of the reference server: their records, how a record is built
 * (seeded, set up by a provider state, or created through a product order),
 * and how it reads at a given instant.
 *
 * A record holds what never changes (the fixed fields, built lazily for the
 * detail) and its history as events. An event has `at` (when it happened,
 * shown as `change_date`) and `due` (from when it is visible): seeded events
 * are always visible (`due` = -Infinity), events of moving orders become
 * visible as the injected clock passes them. Everything the API shows that
 * moves (state, dates, documents) is computed from the visible events, so the
 * list, the detail, the history and the export always agree.
 */
import type { components } from '../generated/openapi.ts';
import type { ActionRule } from '../src/contract/lifecycle.ts';
import { BILLING_SITES, CANCEL_REASONS, CHANGE_REASONS, END_CUSTOMERS, FIRST_NAMES, LAST_NAMES, MANAGERS, OPTIONS, PRODUCTS, REJECT_REASONS, SITES, STEP_DOCUMENTS, TECHNICAL_ZONES, TOPOLOGIES, type OptionEntry, type ProductEntry, type SiteEntry } from './catalogue.ts';
import type { Model, Scenario } from './model.ts';
import { hash32, int, pick, rngFrom, type Rng } from './random.ts';
import { DAY, DOCUMENTED_FORMATS, HOUR, MINUTE, day, dayPlusMonths, type InstantFormats } from './time.ts';

type Schemas = components['schemas'];
export type OrderSummary = Schemas['OrderSummary'];
export type OrderDetail = Schemas['OrderDetail'];
export type ContactInformation = Schemas['ContactInformation'];
export type ProductOrderCreate = Schemas['ProductOrderCreate'];
export type HistoryEntry = Schemas['HistoryEntry'];
export type DocumentGroup = Schemas['DocumentGroup'];
export type CustomerId = 'A' | 'B';

/** The request that put an order into a state (seeded and provider-state orders). */
export interface RequestSeed {
  action: ActionRule;
  reason: string;
  message: string;
  effectiveDate: string | null;
}

export interface HistoryEvent {
  /** a history value (`x-lifecycle.history`) */
  state: string;
  /** when it happened (ms) */
  at: number;
  /** from when it is visible (ms); -Infinity for static orders */
  due: number;
  reason: string;
  request?: RequestSeed;
}

type Dynamic = 'state' | 'cancellation_date' | 'cancellation_reason' | 'completion_date' | 'commitment_end_date';
export type FixedDetail = Omit<OrderDetail, Dynamic>;
export type FixedSummary = Omit<OrderSummary, 'modification_date' | Dynamic>;

export interface OrderRecord {
  ref: string;
  id: string;
  customer: CustomerId;
  /** the seeded index, for an order of the seed that no provider state replaced */
  index: number | undefined;
  /** the order is unknown before this instant (orders still in phase 1) */
  visibleFrom: number;
  events: HistoryEvent[];
  summary: FixedSummary;
  detail: () => FixedDetail;
  /** documents besides the BDC and the step reports */
  extraDocuments: { type: string; name: string }[];
}

/** An order as it reads at one instant. */
export interface OrderView {
  state: string;
  history: { state: string; at: number; reason: string }[];
  modifiedAt: number;
  completedAt: number | undefined;
  cancelled: { at: number; reason: string } | undefined;
}

// ------------------------------------------------------------------- views

/** Views of histories that cannot move (every event always visible), by events array. */
const staticViews = new WeakMap<HistoryEvent[], OrderView>();
const staticSummaries = new WeakMap<OrderView, OrderSummary>();
const staticDetails = new WeakMap<OrderView, OrderDetail>();

export function viewOf(model: Model, rec: OrderRecord, now: number): OrderView {
  const hit = staticViews.get(rec.events);
  if (hit) return hit;
  const history: OrderView['history'] = [];
  let last = Number.NEGATIVE_INFINITY;
  let completedAt: number | undefined;
  let cancelled: OrderView['cancelled'];
  const cancelledState = model.lc.actions.get('cancel')?.to;
  for (const e of rec.events) {
    if (e.due > now) break;
    const at = Math.max(e.at, last);
    last = at;
    history.push({ state: e.state, at, reason: e.reason });
    const mapped = model.lc.orderStateOf.get(e.state);
    if (mapped === model.names.active && completedAt === undefined) completedAt = at;
    if (mapped === cancelledState) cancelled = { at, reason: e.reason };
  }
  const lastEntry = history[history.length - 1];
  const state = (lastEntry && model.lc.orderStateOf.get(lastEntry.state)) || model.names.initial;
  const view = { state, history, modifiedAt: lastEntry ? lastEntry.at : 0, completedAt, cancelled };
  if (rec.visibleFrom === Number.NEGATIVE_INFINITY && rec.events.every((e) => e.due === Number.NEGATIVE_INFINITY)) staticViews.set(rec.events, view);
  return view;
}

export function summaryOf(model: Model, rec: OrderRecord, v: OrderView, fmt: InstantFormats = DOCUMENTED_FORMATS): OrderSummary {
  const hit = staticSummaries.get(v);
  if (hit) return hit;
  const values: Record<string, unknown> = {
    ...rec.summary,
    modification_date: fmt.instant(v.modifiedAt),
    cancellation_date: v.cancelled ? day(v.cancelled.at) : null,
    cancellation_reason: v.cancelled ? v.cancelled.reason : '',
    completion_date: v.completedAt !== undefined ? day(v.completedAt) : null,
    state: v.state,
  };
  const out: Record<string, unknown> = {};
  for (const k of model.summaryFields) out[k] = values[k];
  if (staticViews.get(rec.events) === v) staticSummaries.set(v, out as OrderSummary);
  return out as OrderSummary;
}

export function detailOf(rec: OrderRecord, v: OrderView): OrderDetail {
  const hit = staticDetails.get(v);
  if (hit) return hit;
  const d = rec.detail();
  const out: OrderDetail = {
    ...d,
    cancellation_date: v.cancelled ? day(v.cancelled.at) : null,
    cancellation_reason: v.cancelled ? v.cancelled.reason : '',
    completion_date: v.completedAt !== undefined ? day(v.completedAt) : null,
    commitment_end_date: v.completedAt !== undefined ? dayPlusMonths(v.completedAt, d.minimum_commitment_duration) : null,
    state: v.state as OrderDetail['state'],
  };
  if (staticViews.get(rec.events) === v) staticDetails.set(v, out);
  return out;
}

export function historyOf(v: OrderView, fmt: InstantFormats = DOCUMENTED_FORMATS): { results: HistoryEntry[] } {
  return {
    results: v.history.map((h) => ({ change_reason: h.reason, change_date: fmt.history(h.at), state: h.state as HistoryEntry['state'] })),
  };
}

// ------------------------------------------------- history variants (mock/variants.ts)

type ViewEntry = OrderView['history'][number];

/**
 * The values the documentation's /historic/ example writes for each order
 * state (production steps aside), in its order: read from the example in
 * openapi.yaml, e.g. confirmed → [acknowledged, held_adv_validation].
 */
export function documentedHistoryValues(model: Model, example: readonly { state: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { state } of example) {
    const s = model.lc.orderStateOf.get(state);
    if (s === undefined || model.lc.steps.includes(state)) continue;
    const list = out.get(s) ?? [];
    if (!list.includes(state)) list.push(state);
    out.set(s, list);
  }
  return out;
}

/**
 * A history as the documentation's example writes it: each run of non-step
 * entries standing for one order state is written with the example's values
 * for that state (dated as the run's entries were), and the last production
 * step before `active` is dated 2 s after it, as in the example.
 */
export function documentationHistory(model: Model, values: ReadonlyMap<string, string[]>, history: readonly ViewEntry[]): ViewEntry[] {
  const out: ViewEntry[] = [];
  const { lc, names } = model;
  for (let i = 0; i < history.length; ) {
    const e = history[i] as ViewEntry;
    const s = lc.orderStateOf.get(e.state);
    const doc = s === undefined ? undefined : values.get(s);
    if (s === undefined || doc === undefined || lc.steps.includes(e.state)) {
      out.push(e);
      i++;
      continue;
    }
    let j = i;
    while (j < history.length && lc.orderStateOf.get((history[j] as ViewEntry).state) === s && !lc.steps.includes((history[j] as ViewEntry).state)) j++;
    const run = history.slice(i, j);
    doc.forEach((state, k) => {
      const src = run[Math.min(k, run.length - 1)] as ViewEntry;
      out.push({ state, at: src.at, reason: k === doc.length - 1 ? (run[run.length - 1] as ViewEntry).reason : src.reason });
    });
    i = j;
  }
  const active = out.findIndex((e) => e.state === names.active);
  const before = out[active - 1];
  if (active > 0 && before && lc.steps.includes(before.state)) out[active - 1] = { ...before, at: (out[active] as ViewEntry).at + 2000 };
  return out;
}

/**
 * A history whose production skipped some steps: by the order's reference,
 * one order in three reports every step, the others miss one to three of
 * them (never the first or the last).
 */
export function skippedStepsHistory(model: Model, ref: string, history: readonly ViewEntry[]): ViewEntry[] {
  let h = 0;
  for (let i = 0; i < ref.length; i++) h = hash32(h, ref.charCodeAt(i));
  if (h % 3 === 0) return history as ViewEntry[];
  const steps = model.lc.steps;
  const skipped = new Set<string>();
  const n = 1 + (h % 3);
  for (let k = 0; k < n; k++) skipped.add(steps[1 + ((h >>> (4 * k)) % (steps.length - 2))] as string);
  return history.filter((e) => !skipped.has(e.state));
}

/** The documents of an order: its BDC, the reports of the steps reached, and its extra files. */
export function documentsOf(rec: OrderRecord, v: OrderView): { type: string; name: string }[] {
  const docs = [{ type: 'BDC', name: `${rec.ref}_1.pdf` }];
  const reached = new Set(v.history.map((h) => h.state));
  for (const d of STEP_DOCUMENTS) if (reached.has(d.step)) docs.push({ type: d.type, name: `${rec.ref}_${d.suffix}` });
  return [...docs, ...rec.extraDocuments];
}

export function documentGroups(docs: { type: string; name: string }[]): DocumentGroup[] {
  const groups = new Map<string, string[]>();
  for (const d of docs) groups.set(d.type, [...(groups.get(d.type) ?? []), d.name]);
  return [...groups].map(([type, values]) => ({ type, values }));
}

// ---------------------------------------------------------------- histories

function reasonsFor(model: Model, action: ActionRule): readonly string[] {
  if (action.name === 'terminate') return model.reasons;
  if (action.name === 'cancel') return CANCEL_REASONS;
  return CHANGE_REASONS;
}

export function requestSeed(model: Model, action: ActionRule, rng: Rng, variant: number): RequestSeed {
  return {
    action,
    reason: pick(rng, reasonsFor(model, action)),
    message: variant % 2 === 0 ? '' : 'Merci de confirmer la date par courriel.',
    effectiveDate: null,
  };
}

/**
 * Walks a scenario (a path through the order machine) into history events,
 * choosing among the history values that stand for each state by `variant`, so
 * that orders of the same scenario use different values. Production reports
 * every step when it ends in an active service, some steps otherwise.
 */
export function scenarioHistory(model: Model, scenario: Scenario, variant: number, rank: number, rng: Rng, start: number): HistoryEvent[] {
  const { lc, names, valuesOf } = model;
  const events: HistoryEvent[] = [];
  let t = start;
  const push = (state: string, reason = '', request?: RequestSeed, gapMinutes = int(rng, 30, 72 * 60)): void => {
    const e: HistoryEvent = { state, at: t, due: Number.NEGATIVE_INFINITY, reason };
    if (request) e.request = request;
    events.push(e);
    t += gapMinutes * MINUTE + int(rng, 0, 59) * 1000;
  };
  scenario.path.forEach((s, j) => {
    const next = scenario.path[j + 1];
    const action = scenario.actionAt[j];
    const request = action ? requestSeed(model, action, rng, variant) : undefined;
    const values = valuesOf.get(s) ?? [s];
    if (j === 0) {
      const v = values[variant % values.length] as string;
      if (v !== names.itemInitial) push(names.itemInitial, '', undefined, int(rng, 0, 90));
      push(v);
    } else if (s === names.production) {
      const heads = values.filter((v) => !lc.steps.includes(v));
      push(heads[variant % heads.length] ?? s, '', request);
      const all = lc.steps.length;
      const n = next === undefined ? (variant * 4 + rank) % (all + 1) : lc.order.terminal.has(next) ? 1 + ((variant * 3 + rank) % (all - 1)) : all;
      for (const step of lc.steps.slice(0, n)) push(step, '', undefined, int(rng, 60, 5 * 24 * 60));
    } else {
      const v = values[variant % values.length] as string;
      const reason = request ? request.reason : s === names.rejected ? pick(rng, REJECT_REASONS) : '';
      push(v, reason, request);
    }
  });
  return events;
}

/** The shortest scenario ending in `state` (provider states). */
export function scenarioEndingIn(model: Model, state: string): Scenario | undefined {
  return model.scenarios.find((s) => s.path[s.path.length - 1] === state);
}

// ------------------------------------------------------------ fixed fields

export interface FixedInput {
  ref: string;
  id: string;
  customer: CustomerId;
  createdBy: string;
  /** key of the random streams of this order */
  key: number;
  /** drives which optional fields are present (deterministic coverage) */
  rank: number;
  orderDay: number;
  familyIndex: number;
  /** a product order's body, when the order comes from one */
  body?: ProductOrderCreate;
  /** the offering catalogue (default: every product of mock/catalogue.ts) */
  products?: readonly ProductEntry[];
}

function productFor(model: Model, rng: Rng, familyIndex: number, offeringId?: string, products: readonly ProductEntry[] = PRODUCTS): ProductEntry {
  const known = offeringId ? products.find((p) => p.id === offeringId) : undefined;
  if (known) return known;
  const family = model.offerFamilies[familyIndex % model.offerFamilies.length] as string;
  const base = pick(
    rng,
    products.filter((p) => p.family === family),
  );
  return offeringId ? { ...base, id: offeringId } : base;
}

function optionsFor(rng: Rng, ids?: string[]): OptionEntry[] {
  if (ids) {
    return ids.map((id) => OPTIONS.find((o) => o.option_id === id) ?? { name: `Option ${id}`, label: `Option ${id}`, type: 'SERVI', option_id: id, price: 0, recurring: true });
  }
  return OPTIONS.filter(() => rng() < 0.4);
}

function address(site: SiteEntry): string {
  return `${site.street_number} ${site.street_name} ${site.postcode} ${site.city}`;
}

function contactFor(rng: Rng, site: SiteEntry, customerName: string, full: boolean): ContactInformation {
  const first = pick(rng, FIRST_NAMES);
  const last = pick(rng, LAST_NAMES);
  const c: ContactInformation = {
    end_customer_name: customerName,
    siret: rng() < 0.5 ? '' : String(int(rng, 100000000, 999999999)) + String(int(rng, 10000, 99999)),
    contact1_email_address: `${first.toLowerCase()}.${last.toLowerCase()}@example.com`,
    contact1_firstname: first,
    contact1_lastname: last,
    contact1_phone_number: `6${int(rng, 10000000, 99999999)}`,
    city: site.city,
    postcode: site.postcode,
    street_name: site.street_name,
    street_number: site.street_number,
    insee_code: site.insee_code,
    latitude: site.latitude,
    longitude: site.longitude,
  };
  if (full) {
    const first2 = pick(rng, FIRST_NAMES);
    Object.assign(c, {
      contact2_email_address: `${first2.toLowerCase()}@example.com`,
      contact2_firstname: first2,
      contact2_lastname: pick(rng, LAST_NAMES),
      contact2_phone_number: `7${int(rng, 10000000, 99999999)}`,
      street_number_extension: rng() < 0.5 ? '' : 'BIS',
      building_name: rng() < 0.5 ? '' : 'Bâtiment A',
      level_number: String(int(rng, 0, 5)),
    });
  }
  return c;
}

function maybeManager(rng: Rng, present: boolean): OrderDetail['manager_regional'] {
  return present ? { ...pick(rng, MANAGERS) } : null;
}

/** Builds the fixed part of an order: its summary now, its detail on first use. */
export function fixedFields(model: Model, input: FixedInput, history: HistoryEvent[]): Pick<OrderRecord, 'summary' | 'detail' | 'extraDocuments'> {
  const { ref, id, rank, body } = input;
  const rs = rngFrom(hash32(input.key, 2));
  const product = productFor(model, rs, input.familyIndex, body?.product_offering_id, input.products);
  const site = pick(rs, SITES);
  const site2 = rank % 5 === 1 ? pick(rs, SITES) : undefined;
  const bodyContact = body?.related_contact_information[0];
  const customerName = bodyContact ? bodyContact.end_customer_name : pick(rs, END_CUSTOMERS);
  const customerName2 = site2 ? pick(rs, END_CUSTOMERS) : '';
  const lead = int(rs, 1, 12);
  const projectId = rank % 4 === 0 ? `PRJ_${String(int(rs, 1000, 9999))}` : '';
  const siteClient = bodyContact ? `${bodyContact.street_number} ${bodyContact.street_name} ${bodyContact.postcode} ${bodyContact.city}`.trim() : address(site);
  const summary: FixedSummary = {
    order_reference: ref,
    id,
    order_date: day(input.orderDay),
    delivery_lead_time: String(lead),
    project_id: projectId,
    offer_family: product.family as OrderSummary['offer_family'],
    offer_technology: product.offer_technology,
    commitment: product.months,
    site_client: siteClient,
    site_client_2: site2 ? address(site2) : '',
    end_customer_name: customerName,
    end_customer_name_2: customerName2,
    created_by: input.createdBy,
  };
  const wasActive = history.some((e) => model.lc.orderStateOf.get(e.state) === model.names.active);
  let memo: FixedDetail | undefined;
  const detail = (): FixedDetail => {
    if (memo) return memo;
    const rd = rngFrom(hash32(input.key, 3));
    const options = optionsFor(rd, body?.option_ids);
    const contacts = body ? body.related_contact_information : [contactFor(rd, site, customerName, rank % 2 === 0)];
    if (!body && site2) contacts.push(contactFor(rd, site2, customerName2, false));
    const securing = int(rd, 1, 2);
    const monthly = product.price + options.reduce((s, o) => s + (o.recurring ? o.price : 0), 0);
    const d: FixedDetail = {
      id,
      order_reference: ref,
      external_id: body?.external_id ?? (rank % 3 === 0 ? `EXT-${String(int(rd, 10000, 99999))}` : ''),
      order_date: summary.order_date,
      note: body?.note ?? (rank % 4 === 1 ? 'Accès par le parking souterrain.' : ''),
      technical_note: rank % 6 === 2 ? 'Baie au sous-sol, local technique B.' : '',
      product_offering_id: product.id,
      product_offering_qualification_item_id: rank % 3 === 1 ? `POQI_${String(int(rd, 100000, 999999))}` : '',
      project_id: projectId,
      quote_item_id: rank % 4 === 2 ? `QI_${String(int(rd, 100000, 999999))}` : '',
      delivery_mode: rank % 2 === 0 ? 'N/A' : 'Livraison standard',
      enni: product.family === model.offerFamilies[0] ? '' : `ENNI_${String(int(rd, 100, 999))}`,
      enni2: rank % 7 === 3 ? `ENNI_${String(int(rd, 100, 999))}` : '',
      delivery_lead_time: summary.delivery_lead_time,
      delivery_lead_time_label: `T0 + ${lead} week${lead > 1 ? 's' : ''}`,
      vlan_reference: rank % 2 === 1 ? null : int(rd, 100, 4000),
      customer_order_name: rank % 3 === 2 ? `Commande ${customerName}` : '',
      securing,
      securing_label: securing === 1 ? 'Non sécurisé' : 'Sécurisé',
      service_reference: `FR${String(int(rd, 0, 999999)).padStart(6, '0')}`,
      minimum_commitment_duration: product.months,
      notice_period: 3,
      estimated_delivery_date: day(input.orderDay + lead * 7 * DAY),
      billing_site_ref: BILLING_SITES[rank % BILLING_SITES.length]?.ref ?? '',
      billing_site_name: BILLING_SITES[rank % BILLING_SITES.length]?.name ?? '',
      termination_error: wasActive && rank % 4 === 2 ? [{ code: 'invalid_date', property_path: 'request_effective_date', value: day(input.orderDay + 30 * DAY) }] : [],
      option_ids: options.map((o) => o.option_id),
      product: {
        id: product.id,
        name: product.name,
        description: product.name,
        bandwidth_guarantee: product.bandwidth_guarantee,
        commitment: `${product.months}MOIS`,
        tarif_zone: product.tarif_zone,
        offer_family: product.family as OrderSummary['offer_family'],
        offer_technology: product.offer_technology,
        far: product.far,
        fas: product.fas,
        fad: product.fad,
        price: product.price,
        recurring: true,
        options: options.map((o) => ({ ...o })),
      },
      related_contact_information: contacts,
      technical_zone: pick(rd, TECHNICAL_ZONES),
      service_topology: pick(rd, TOPOLOGIES),
      building_ref: rank % 3 === 0 ? `IMB/${site.insee_code}/X/${String(int(rd, 1000, 9999))}` : '',
      manager_regional: maybeManager(rd, rank % 5 !== 4),
      manager_n1_regional: maybeManager(rd, rank % 3 === 0),
      manager_national: maybeManager(rd, rank % 4 === 0),
      manager_n1_national: maybeManager(rd, rank % 6 === 0),
      strands_number: int(rd, 1, 4),
      fon_security: rank % 2 === 1,
      technology: product.family === model.offerFamilies[0] ? 'FON' : 'FIBAC',
      total_amount_monthly: monthly,
      total_amount_annual: monthly * 12,
    };
    if (rank % 3 === 0) {
      d.billing_period = rank % 2 === 0 ? 'MENSUEL' : 'TRIMESTRIEL';
      d.bandwidth = product.bandwidth;
    }
    if (rank % 3 === 1) {
      d.product.bandwidth = product.bandwidth;
      d.product.bandwidth_max = product.bandwidth_max;
    }
    memo = d;
    return d;
  };
  const extraDocuments: OrderRecord['extraDocuments'] = [];
  if (rank % 3 === 2) extraDocuments.push({ type: 'BDC', name: `${ref}_2.pdf` });
  if (rank % 4 === 1) extraDocuments.push({ type: 'ANNEXE', name: `${ref}_sites.csv` });
  return { summary, detail, extraDocuments };
}

// ----------------------------------------------------------- seeded orders

/** The base date of a seed's data: fixed, derived from the seed, in the past. */
export function baseDate(seed: number): number {
  return Date.UTC(2024, 0, 1) + ((seed >>> 0) % 97) * DAY;
}

export function seededRef(index: number): string {
  return `CMD_X_${String(index + 1).padStart(8, '0')}`;
}

/**
 * One order of the seed, a pure function of (seed, index, its customer and
 * rank): scenario `rank mod S`, variant `floor(rank / S)`, so the first S·4
 * orders of a customer cover every scenario with every variant.
 */
export function seededOrder(model: Model, seed: number, index: number, customer: CustomerId, rank: number, createdBy: string, products?: readonly ProductEntry[]): OrderRecord {
  const key = hash32(seed, index);
  const rt = rngFrom(hash32(key, 1));
  const scenarios = model.scenarios;
  const scenario = scenarios[rank % scenarios.length] as Scenario;
  const variant = Math.floor(rank / scenarios.length);
  const start = baseDate(seed) + int(rt, 0, 364) * DAY + int(rt, 7 * 60, 18 * 60) * MINUTE + int(rt, 0, 59) * 1000;
  const events = scenarioHistory(model, scenario, variant, rank, rt, start);
  const ref = seededRef(index);
  const id = `PO_DC173_${day(start).replace(/-/g, '')}_${String(index + 1).padStart(6, '0')}`;
  const fixed = fixedFields(model, { ref, id, customer, createdBy, key, rank, orderDay: start, familyIndex: rank + variant, ...(products ? { products } : {}) }, events);
  return { ref, id, customer, index, visibleFrom: Number.NEGATIVE_INFINITY, events, ...fixed };
}

/** An order put in place by a provider state: static, with a legal history ending in `scenario`'s last state. */
export function stagedOrder(model: Model, seed: number, ref: string, customer: CustomerId, scenario: Scenario, createdBy: string, products?: readonly ProductEntry[]): OrderRecord {
  let h = 0;
  for (let i = 0; i < ref.length; i++) h = hash32(h, ref.charCodeAt(i));
  const key = hash32(seed, h, 0x57a9e);
  const rt = rngFrom(hash32(key, 1));
  const start = baseDate(seed) + 400 * DAY + int(rt, 0, 23) * HOUR;
  const events = scenarioHistory(model, scenario, 0, 0, rt, start);
  const id = `PO_DC173_${day(start).replace(/-/g, '')}_${String(h % 1000000).padStart(6, '0')}`;
  const fixed = fixedFields(model, { ref, id, customer, createdBy, key, rank: 0, orderDay: start, familyIndex: 0, ...(products ? { products } : {}) }, events);
  return { ref, id, customer, index: undefined, visibleFrom: Number.NEGATIVE_INFINITY, events, ...fixed };
}

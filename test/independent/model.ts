/**
 * The data and the lifecycle of an independent Order Tracking API provider,
 * written from `order-tracking-api-doc.txt` only (not from mock/): customers,
 * users, a small offer catalogue, seeded orders with their history and
 * documents, product orders (phase 1), order requests and export tasks.
 *
 * Time is an injected clock (`now`). Nothing runs in the background: every
 * scheduled move (a lifecycle step, an export finishing) is an event with a
 * due time, applied in due order by `advance()`, which the server calls at the
 * start of each request. So the server holds no timer and a short `stepMs`
 * makes a whole lifecycle pass in a fraction of a second.
 */
import { randomUUID } from 'node:crypto';

// ---------------------------------------------------------------- vocabulary (from the documentation)

export const ORDER_STATES = ['confirmed', 'in_progress', 'active', 'terminate_in_progress', 'terminated', 'change_in_progress', 'rejected', 'cancelled'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const ITEM_STATUSES = ['acknowledged', 'in_progress', 'created', 'rejected_creation', 'technical_error'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const PRODUCTION_STEPS = [
  'production_manager_assigned',
  'optical_route_received',
  'technical_visit_planned',
  'technical_visit_completed',
  'technical_visit_report_published',
  'connexion_planned',
  'connexion_completed',
  'service_configured',
  'service_controlled',
  'delivery_report_published',
  'intervention_report_published',
] as const;

/** the documentation's example list of reasons, verbatim */
export const TERMINATE_REASONS = ["Cessation d'activité", "Changement d'Operateur d'Infrastructure", 'Déménagement sans reprise de lien COVAGE', 'Déménagement avec reprise de lien COVAGE', 'Autres motifs, précisez en commentaire'];
/** "précisez en commentaire": this reason needs a message */
export const REASON_NEEDING_MESSAGE = 'Autres motifs, précisez en commentaire';

/**
 * Actions of `POST /api/v1/order/{order_reference}/{action}/`. The documentation
 * names `terminate` and shows the order request's action as the French label
 * "Résiliation"; the other two are the flowchart's "Change request" and
 * "Cancellation request" under names of our choosing.
 */
export const ACTIONS = {
  terminate: { label: 'Résiliation', from: ['active'] as OrderState[] },
  modify: { label: 'Modification', from: ['active'] as OrderState[] },
  cancel: { label: 'Annulation', from: ['in_progress'] as OrderState[] },
} as const;
export type ActionName = keyof typeof ACTIONS;

// ---------------------------------------------------------------- people

export interface User {
  email: string;
  customer: string;
}

export const TOKENS = {
  /** the user under test */
  main: 'indep-alice-7f3a9c',
  /** a colleague: same customer */
  colleague: 'indep-bruno-2c81d4',
  /** a user of another customer */
  otherCustomer: 'indep-chloe-93be07',
} as const;

export const USERS: Record<string, User> = {
  [TOKENS.main]: { email: 'alice.martin@fibreco.example', customer: 'FIBRECO' },
  [TOKENS.colleague]: { email: 'bruno.leroy@fibreco.example', customer: 'FIBRECO' },
  [TOKENS.otherCustomer]: { email: 'chloe.petit@netwave.example', customer: 'NETWAVE' },
};

// ---------------------------------------------------------------- catalogue

export interface OptionDef {
  name: string;
  label: string;
  type: string;
  option_id: string;
  price: number;
  recurring: boolean;
}

export interface Offering {
  id: string;
  name: string;
  bandwidth: string;
  bandwidth_guarantee: number;
  bandwidth_max: number;
  commitment: number;
  tarif_zone: string;
  offer_family: 'BPE' | 'BPEA';
  offer_technology: string;
  technology: string;
  far: number;
  fas: number;
  fad: number;
  price: number;
  options: OptionDef[];
}

const OPT = {
  gtr4: { name: 'GTR 4H HO', label: 'GTR 4H HO', type: 'SERVI', option_id: '194', price: 0, recurring: true },
  gtr4hno: { name: 'GTR 4H HNO', label: 'GTR 4H HNO', type: 'SERVI', option_id: '195', price: 35, recurring: true },
  local: { name: 'Livraison locale', label: 'Livraison locale', type: 'SERVI', option_id: '2220', price: 0, recurring: true },
  backup: { name: 'Secours 4G', label: 'Secours 4G', type: 'EQUIP', option_id: '1615', price: 25, recurring: true },
  router: { name: 'Routeur managé', label: 'Routeur managé', type: 'EQUIP', option_id: '1620', price: 40, recurring: true },
} satisfies Record<string, OptionDef>;

export const CATALOGUE: Offering[] = [
  { id: '2301', name: 'BPE 100M zone dense 12 mois', bandwidth: '100M', bandwidth_guarantee: 100, bandwidth_max: 100, commitment: 12, tarif_zone: 'DENSE', offer_family: 'BPE', offer_technology: 'FIBDE', technology: 'FON', far: 540, fas: 360, fad: 0, price: 145, options: [OPT.gtr4, OPT.local, OPT.backup] },
  { id: '2302', name: 'BPE 1G zone dense 36 mois', bandwidth: '1G', bandwidth_guarantee: 1000, bandwidth_max: 1000, commitment: 36, tarif_zone: 'DENSE', offer_family: 'BPE', offer_technology: 'FIBDE', technology: 'FON', far: 900, fas: 500, fad: 0, price: 390, options: [OPT.gtr4, OPT.gtr4hno, OPT.router] },
  { id: '2410', name: 'BPEA 500M mutualisé 24 mois', bandwidth: '500M', bandwidth_guarantee: 250, bandwidth_max: 500, commitment: 24, tarif_zone: 'MOINSDENSE', offer_family: 'BPEA', offer_technology: 'FIBMUT', technology: 'GPON', far: 300, fas: 150, fad: 50, price: 210, options: [OPT.local, OPT.router] },
];

// ---------------------------------------------------------------- records

export interface HistoryEntry {
  change_reason: string;
  change_date: string;
  state: string;
}

export interface Contact {
  end_customer_name: string;
  siret: string;
  contact1_email_address: string;
  contact1_firstname: string;
  contact1_lastname: string;
  contact1_phone_number: string;
  contact2_email_address: string;
  contact2_firstname: string;
  contact2_lastname: string;
  contact2_phone_number: string;
  city: string;
  postcode: string;
  street_name: string;
  street_number: string;
  street_number_extension: string;
  insee_code: string;
  building_name: string;
  level_number: string;
  latitude: number;
  longitude: number;
}

export interface Manager {
  name: string;
  email: string;
  phone: string;
}

export interface Order {
  customer: string;
  id: string;
  order_reference: string;
  external_id: string;
  order_date: string;
  modification_date: string;
  cancellation_date: string | null;
  cancellation_reason: string;
  completion_date: string | null;
  note: string;
  technical_note: string;
  offering: Offering;
  option_ids: string[];
  project_id: string;
  quote_item_id: string;
  delivery_lead_time: string;
  vlan_reference: number | null;
  customer_order_name: string;
  securing: number;
  service_reference: string;
  commitment_end_date: string | null;
  notice_period: number;
  estimated_delivery_date: string;
  state: OrderState;
  termination_error: { code: string; property_path: string; value: string }[];
  contact: Contact;
  manager_regional: Manager | null;
  manager_national: Manager | null;
  created_by: string;
  history: HistoryEntry[];
  /** documents by type, file names */
  documents: { type: string; values: string[] }[];
  /** production steps done so far */
  stepsDone: number;
}

export interface ProductOrderItem {
  id: string;
  product_offering_id: string;
  option_ids: string[];
  status: ItemStatus;
  status_change_reason: string;
  order_reference: string | null;
}

export interface ProductOrder {
  customer: string;
  id: string;
  external_id: string;
  customer_order_name: string;
  note: string;
  creation_date: string;
  modification_date: string;
  created_by: string;
  product_order_item: ProductOrderItem[];
  contact: Contact;
}

export interface OrderRequest {
  customer: string;
  id: string;
  creation_date: string;
  modification_date: string;
  order_reference: string;
  action: string;
  request_effective_date: string | null;
  message: string;
  reason: string;
}

export interface ExportTask {
  user: string;
  task_id: string;
  started: string | null;
  stopped: string | null;
  success: boolean | null;
  csv: string | null;
}

// ---------------------------------------------------------------- helpers

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const instant = (ms: number): string => new Date(ms).toISOString();
const DAY_MS = 86_400_000;

const STREETS = ['RUE DE LA REPUBLIQUE', 'AVENUE JEAN JAURES', 'BOULEVARD VOLTAIRE', 'RUE DU GENERAL LECLERC', 'CHEMIN DES VIGNES', 'PLACE DE LA GARE'];
const CITIES: [string, string, string, number, number][] = [
  ['ROUEN', '76000', '76540', 49.4431, 1.0993],
  ['MONT ST AIGNAN', '76130', '76451', 49.4742, 1.0908],
  ['LE HAVRE', '76600', '76351', 49.4944, 0.1079],
  ['CAEN', '14000', '14118', 49.1829, -0.3707],
  ['AMIENS', '80000', '80021', 49.8941, 2.2958],
];
const COMPANIES = ['boulangerie martin', 'garage dupuis', 'cabinet leroux', 'pharmacie centrale', 'hotel du port', 'imprimerie moderne', 'clinique saint louis', 'lycee pasteur'];
const FIRST = ['julie', 'marc', 'sophie', 'karim', 'lea', 'thomas'];
const LAST = ['bernard', 'dubois', 'moreau', 'laurent', 'simon', 'michel'];

export function pdfBytes(title: string): Buffer {
  return Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% ${title}\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** the 18 fields of `GET /api/v1/order/` in the documentation's order; also the CSV export's columns */
export const LIST_FIELDS = [
  'modification_date',
  'order_reference',
  'id',
  'order_date',
  'cancellation_date',
  'cancellation_reason',
  'completion_date',
  'delivery_lead_time',
  'state',
  'project_id',
  'offer_family',
  'offer_technology',
  'commitment',
  'site_client',
  'site_client_2',
  'end_customer_name',
  'end_customer_name_2',
  'created_by',
] as const;

export function siteOf(c: Contact): string {
  return [c.street_number, c.street_number_extension, c.street_name, c.postcode, c.city].filter((x) => x !== '').join(' ');
}

// ---------------------------------------------------------------- the store

export interface ModelOptions {
  seed?: number;
  /** seeded orders of the main customer (the other customer gets a third as many) */
  orders?: number;
  /** one lifecycle step (phase 1 status, production step, termination) */
  stepMs?: number;
  /** how long an export task takes */
  exportMs?: number;
  /** the export rate limit window per user; the documentation: 5 minutes */
  exportWindowMs?: number;
  /** seeded in_progress / change / termination orders move on the clock too (a live staging) */
  moveSeeded?: boolean;
  now?: () => number;
  /** other reasonable choices where the documentation is silent (see CHOICES) */
  choices?: Partial<Choices>;
}

/**
 * Choices the documentation leaves open, each reasonable; the defaults are
 * this server's. Each alternative is a provider the kit must pass as well.
 */
export interface Choices {
  /** `next`/`previous` as absolute URLs (default) or as paths relative to the host; `cursor`: `{next, previous, results}` with an opaque `?cursor=`, no count */
  links: 'absolute' | 'relative' | 'cursor';
  /** the order list's order: newest order date first (default), or most recently modified first */
  sort: 'ordered' | 'modified';
  /** history names: the documentation example's (default), the state table's (`confirmed`, `in_progress`, the steps, `active`…), or both phases (`acknowledged`, `in_progress`, `created`, then the state table's) */
  historyVocabulary: 'example' | 'states' | 'phases';
  /** an order whose delivery report is due lists its type with no file yet: `{"type": "PVL", "values": []}` */
  emptyDocumentTypes: boolean;
  /** document downloads as fastify sends a Buffer by default (`application/octet-stream`) */
  octetStreamDocuments: boolean;
  /** CSV header names: the list's field names (default), the documentation's English descriptions, or French labels */
  csvHeaders: 'fields' | 'descriptions' | 'french';
  /** a UTF-8 byte-order mark before the CSV (spreadsheet-friendly) */
  csvBom: boolean;
  /** Retry-After in seconds (default) or as an HTTP-date */
  retryAfter: 'seconds' | 'date';
  /** an export task is queued (started: null) for the first half of its run */
  queuedExport: boolean;
  /** document file names as people write them ("Bon de commande CMD_….pdf"), spaces and accents included */
  humanFileNames: boolean;
  /** list items carry fields beyond the documented 18 (external_id, customer_order_name) */
  extraListFields: boolean;
  /** the action body's field for the reason: `reason` (as the order request shows it) or `terminate_reason` (as the reasons list is named) */
  reasonField: 'reason' | 'terminate_reason';
  /** the status of an action the order's state does not allow */
  refusalStatus: 409 | 422 | 400;
  /** fastify's `ignoreTrailingSlash`: `/api/v1/order` answers as `/api/v1/order/` */
  ignoreTrailingSlash: boolean;
}

export const DEFAULT_CHOICES: Choices = {
  links: 'absolute',
  csvHeaders: 'fields',
  csvBom: false,
  retryAfter: 'seconds',
  queuedExport: false,
  humanFileNames: false,
  extraListFields: false,
  sort: 'ordered',
  historyVocabulary: 'example',
  emptyDocumentTypes: false,
  octetStreamDocuments: false,
  reasonField: 'reason',
  refusalStatus: 409,
  ignoreTrailingSlash: false,
};

/** the documentation's descriptions of the list's fields (the CSV's headers under csvHeaders: 'descriptions') */
const DESCRIPTIONS: Record<(typeof LIST_FIELDS)[number], string> = {
  modification_date: 'Order modification date',
  order_reference: 'Order reference',
  id: 'Order identifier',
  order_date: 'Order creation date',
  cancellation_date: 'Order cancellation date',
  cancellation_reason: 'Cancellation reason',
  completion_date: 'Order completion date',
  delivery_lead_time: 'Delivery lead time (in weeks)',
  state: "Order's state",
  project_id: 'Identifier of the project associated with the order',
  offer_family: 'Offer family (BPE/BPEA)',
  offer_technology: 'Technology associated with the order',
  commitment: 'Commitment duration',
  site_client: 'Postal address of the customer site',
  site_client_2: 'Postal address of the secondary customer site',
  end_customer_name: 'End customer name',
  end_customer_name_2: 'Secondary End Customer Name',
  created_by: 'User who created the draft order',
};

const FRENCH: Record<(typeof LIST_FIELDS)[number], string> = {
  modification_date: 'Date de modification',
  order_reference: 'Référence commande',
  id: 'Identifiant',
  order_date: 'Date de commande',
  cancellation_date: "Date d'annulation",
  cancellation_reason: "Motif d'annulation",
  completion_date: 'Date de mise en service',
  delivery_lead_time: 'Délai de livraison (semaines)',
  state: 'Statut',
  project_id: 'Projet',
  offer_family: "Famille d'offre",
  offer_technology: 'Technologie',
  commitment: 'Engagement',
  site_client: 'Adresse site client',
  site_client_2: 'Adresse site client 2',
  end_customer_name: 'Client final',
  end_customer_name_2: 'Client final 2',
  created_by: 'Créé par',
};

export function csvHeader(choice: Choices['csvHeaders']): string[] {
  return LIST_FIELDS.map((f) => (choice === 'descriptions' ? DESCRIPTIONS[f] : choice === 'french' ? FRENCH[f] : f));
}

interface Event {
  at: number;
  seq: number;
  run: (at: number) => void;
}

export class Model {
  readonly orders = new Map<string, Order>();
  readonly productOrders = new Map<string, ProductOrder>();
  readonly orderRequests: OrderRequest[] = [];
  readonly tasks = new Map<string, ExportTask>();
  /** last accepted export start per user (email) */
  readonly lastExport = new Map<string, number>();
  readonly files = new Map<string, Buffer>();
  readonly now: () => number;
  readonly stepMs: number;
  readonly exportMs: number;
  readonly exportWindowMs: number;
  readonly choices: Choices;
  private events: Event[] = [];
  private seq = 0;
  private poSeq = 0;
  private refSeq = 0;
  private rand: () => number;

  constructor(opts: ModelOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.stepMs = opts.stepMs ?? 30;
    this.exportMs = opts.exportMs ?? 150;
    this.exportWindowMs = opts.exportWindowMs ?? 5 * 60_000;
    this.choices = { ...DEFAULT_CHOICES, ...(opts.choices ?? {}) };
    this.rand = rng(opts.seed ?? 1);
    const n = opts.orders ?? 42;
    this.seed('FIBRECO', n, USERS[TOKENS.main]?.email ?? '', USERS[TOKENS.colleague]?.email ?? '', opts.moveSeeded ?? false);
    this.seed('NETWAVE', Math.max(4, Math.round(n / 3)), USERS[TOKENS.otherCustomer]?.email ?? '', USERS[TOKENS.otherCustomer]?.email ?? '', opts.moveSeeded ?? false);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)] as T;
  }

  private schedule(at: number, run: (at: number) => void): void {
    this.events.push({ at, seq: this.seq++, run });
  }

  /** applies every event due by now, in due order (an event may schedule more) */
  advance(): void {
    const now = this.now();
    for (;;) {
      let next: Event | undefined;
      for (const e of this.events) if (e.at <= now && (!next || e.at < next.at || (e.at === next.at && e.seq < next.seq))) next = e;
      if (!next) return;
      this.events.splice(this.events.indexOf(next), 1);
      next.run(next.at);
    }
  }

  private contact(): Contact {
    const [city, postcode, insee, lat, lon] = this.pick(CITIES);
    const first = this.pick(FIRST);
    const last = this.pick(LAST);
    return {
      end_customer_name: this.pick(COMPANIES),
      siret: this.rand() < 0.5 ? '' : String(Math.floor(10_000_000_000_000 + this.rand() * 89_999_999_999_999)),
      contact1_email_address: `${first}.${last}@example.org`,
      contact1_firstname: first,
      contact1_lastname: last,
      contact1_phone_number: `6${String(Math.floor(this.rand() * 1e8)).padStart(8, '0')}`,
      contact2_email_address: '',
      contact2_firstname: '',
      contact2_lastname: '',
      contact2_phone_number: '',
      city,
      postcode,
      street_name: `${1 + Math.floor(this.rand() * 80)} ${this.pick(STREETS)}`,
      street_number: '',
      street_number_extension: '',
      insee_code: insee,
      building_name: this.rand() < 0.3 ? 'BATIMENT A' : '',
      level_number: '',
      latitude: Number((lat + (this.rand() - 0.5) / 50).toFixed(6)),
      longitude: Number((lon + (this.rand() - 0.5) / 50).toFixed(6)),
    };
  }

  private newOrder(customer: string, createdBy: string, offering: Offering, optionIds: string[], contact: Contact, at: number, extra: Partial<Order> = {}): Order {
    const ref = `CMD_${customer.slice(0, 2)}_${String(10_000 + ++this.refSeq).padStart(8, '0')}`;
    const po = extra.id ?? `PO_${customer.slice(0, 3)}_${day(at).replace(/-/g, '')}_${String(++this.poSeq).padStart(6, '0')}`;
    const lead = 1 + Math.floor(this.rand() * 8);
    const o: Order = {
      customer,
      id: po,
      order_reference: ref,
      external_id: '',
      order_date: day(at),
      modification_date: instant(at),
      cancellation_date: null,
      cancellation_reason: '',
      completion_date: null,
      note: '',
      technical_note: '',
      offering,
      option_ids: optionIds,
      project_id: this.rand() < 0.3 ? `PRJ-${Math.floor(this.rand() * 900 + 100)}` : '',
      quote_item_id: '',
      delivery_lead_time: String(lead),
      vlan_reference: this.rand() < 0.5 ? null : 100 + Math.floor(this.rand() * 3000),
      customer_order_name: '',
      securing: 1,
      service_reference: `FR${String(Math.floor(this.rand() * 1e6)).padStart(6, '0')}`,
      commitment_end_date: null,
      notice_period: 3,
      estimated_delivery_date: day(at + lead * 7 * DAY_MS),
      state: 'confirmed',
      termination_error: [],
      contact,
      manager_regional: { name: 'Gregory DUPONT', email: 'gregory.d@fibre-operator.example', phone: '612345678' },
      manager_national: this.rand() < 0.5 ? null : { name: 'Nadia BENALI', email: 'nadia.b@fibre-operator.example', phone: '698765432' },
      created_by: createdBy,
      history: [],
      documents: [],
      stepsDone: 0,
      ...extra,
    };
    this.orders.set(ref, o);
    this.addDocument(o, 'BDC', this.choices.humanFileNames ? `Bon de commande ${ref}.pdf` : `${ref}_1.pdf`);
    return o;
  }

  addDocument(o: Order, type: string, name: string): void {
    let group = o.documents.find((d) => d.type === type);
    if (!group) {
      group = { type, values: [] };
      o.documents.push(group);
    }
    if (!group.values.includes(name)) group.values.push(name);
    this.files.set(`${o.order_reference}/${name}`, pdfBytes(`${type} ${o.order_reference} ${name}`));
  }

  private record(o: Order, state: string, at: number, reason = ''): void {
    const v = this.choices.historyVocabulary;
    const names = v === 'example' ? [state] : state === 'acknowledged' ? (v === 'phases' ? ['acknowledged', 'in_progress', 'created'] : []) : state === 'held_adv_validation' ? ['confirmed'] : state === 'production_in_progress' ? ['in_progress'] : [state];
    for (const name of names) o.history.push({ change_reason: reason, change_date: instant(at), state: name });
    o.modification_date = instant(at);
  }

  // ------------------------------------------------------------ the lifecycle, one move at a time

  /** confirmed → in_progress (history: production_in_progress) */
  private startProduction(o: Order, at: number): void {
    o.state = 'in_progress';
    this.record(o, 'production_in_progress', at);
  }

  /** one production step; after the last one the service is active */
  private productionStep(o: Order, at: number): void {
    const step = PRODUCTION_STEPS[o.stepsDone];
    if (step === undefined) return;
    o.stepsDone++;
    this.record(o, step, at);
    if (step === 'connexion_completed' && this.choices.emptyDocumentTypes) o.documents.push({ type: 'PVL', values: [] });
    if (step === 'technical_visit_report_published') this.addDocument(o, 'CRVT', this.choices.humanFileNames ? `Compte rendu de visite technique ${o.order_reference}.pdf` : `${o.order_reference}_CRVT.pdf`);
    if (step === 'delivery_report_published') this.addDocument(o, 'PVL', this.choices.humanFileNames ? `Procès-verbal de livraison ${o.order_reference}.pdf` : `${o.order_reference}_PVL.pdf`);
  }

  private activate(o: Order, at: number): void {
    o.state = 'active';
    o.completion_date = day(at);
    o.commitment_end_date = day(at + o.offering.commitment * 30 * DAY_MS);
    this.record(o, 'active', at);
  }

  /** schedules the rest of production (from the current step) and activation */
  private scheduleProduction(o: Order, from: number): void {
    let t = from;
    if (o.state === 'confirmed') {
      t += this.stepMs;
      this.schedule(t, (at) => {
        if (o.state === 'confirmed') this.startProduction(o, at);
      });
    }
    for (let i = o.stepsDone; i < PRODUCTION_STEPS.length; i++) {
      t += this.stepMs;
      this.schedule(t, (at) => {
        if (o.state === 'in_progress') this.productionStep(o, at);
      });
    }
    t += this.stepMs;
    this.schedule(t, (at) => {
      if (o.state === 'in_progress') this.activate(o, at);
    });
  }

  // ------------------------------------------------------------ seed

  private seed(customer: string, n: number, user: string, colleague: string, move: boolean): void {
    // every state is represented; the rest spread with a bias to active
    const plan: OrderState[] = [...ORDER_STATES];
    const common: OrderState[] = ['active', 'active', 'active', 'in_progress', 'in_progress', 'confirmed', 'terminated', 'cancelled', 'rejected', 'change_in_progress', 'terminate_in_progress'];
    while (plan.length < n) plan.push(this.pick(common));
    const base = Date.UTC(2025, 0, 6, 8, 0, 0);
    for (const [i, target] of plan.entries()) {
      let t = base + i * 3 * DAY_MS + Math.floor(this.rand() * 8 * 3_600_000);
      const offering = this.pick(CATALOGUE);
      const options = offering.options.filter(() => this.rand() < 0.5).map((x) => x.option_id);
      const o = this.newOrder(customer, this.rand() < 0.7 ? user : colleague, offering, options, this.contact(), t);
      o.customer_order_name = this.rand() < 0.4 ? `Site ${o.contact.city.toLowerCase()} ${i + 1}` : '';
      o.note = this.rand() < 0.2 ? 'Accès par le parking, badge à demander à l’accueil' : '';
      const tick = (): number => {
        t += Math.floor(3_600_000 + this.rand() * 2 * DAY_MS);
        return t;
      };
      this.record(o, 'acknowledged', t);
      this.record(o, 'held_adv_validation', tick());
      if (target === 'confirmed') {
        this.settle(o, move);
        continue;
      }
      this.startProduction(o, tick());
      if (target === 'in_progress' || target === 'cancelled' || target === 'rejected') {
        const k = Math.floor(this.rand() * 7);
        for (let s = 0; s < k; s++) this.productionStep(o, tick());
        if (target === 'cancelled') {
          const at = tick();
          o.state = 'cancelled';
          o.cancellation_date = day(at);
          o.cancellation_reason = 'Projet abandonné par le client';
          this.record(o, 'cancelled', at, o.cancellation_reason);
          this.request(o, 'cancel', at, { reason: o.cancellation_reason, message: '', request_effective_date: null });
        } else if (target === 'rejected') {
          const at = tick();
          o.state = 'rejected';
          o.cancellation_reason = 'Adresse non éligible';
          this.record(o, 'rejected', at, 'Adresse non éligible');
        }
        this.settle(o, move);
        continue;
      }
      while (o.stepsDone < PRODUCTION_STEPS.length) this.productionStep(o, tick());
      this.activate(o, tick());
      if (target === 'change_in_progress') {
        const at = tick();
        this.request(o, 'modify', at, { reason: 'Montée en débit', message: 'Passage à 1G', request_effective_date: null });
        o.state = 'change_in_progress';
        this.record(o, 'change_in_progress', at, 'Montée en débit');
      }
      if (target === 'terminate_in_progress' || target === 'terminated') {
        const at = tick();
        const reason = this.pick(TERMINATE_REASONS.slice(0, 4));
        this.request(o, 'terminate', at, { reason, message: '', request_effective_date: day(at + 30 * DAY_MS) });
        o.state = 'terminate_in_progress';
        this.record(o, 'terminate_in_progress', at, reason);
        if (target === 'terminated') {
          const end = tick();
          o.state = 'terminated';
          this.record(o, 'terminated', end, reason);
          this.addDocument(o, 'PVR', this.choices.humanFileNames ? `Procès-verbal de résiliation ${o.order_reference}.pdf` : `${o.order_reference}_PVR.pdf`);
        }
      }
      if (this.rand() < 0.15) {
        o.termination_error = [{ code: 'INVALID_DATE', property_path: 'request_effective_date', value: day(t) }];
      }
      this.settle(o, move);
    }
  }

  /** a seeded order in a moving state continues on the clock when `move` */
  private settle(o: Order, move: boolean): void {
    if (!move) return;
    const now = this.now();
    if (o.state === 'confirmed' || o.state === 'in_progress') this.scheduleProduction(o, now);
    if (o.state === 'terminate_in_progress') this.scheduleTermination(o, now, o.history.at(-1)?.change_reason ?? '');
    if (o.state === 'change_in_progress') this.scheduleChange(o, now);
  }

  // ------------------------------------------------------------ order requests and actions

  private request(o: Order, action: ActionName, at: number, body: { reason: string; message: string; request_effective_date: string | null }): OrderRequest {
    const r: OrderRequest = {
      customer: o.customer,
      id: randomUUID(),
      creation_date: instant(at),
      modification_date: instant(at),
      order_reference: o.order_reference,
      action: ACTIONS[action].label,
      request_effective_date: body.request_effective_date,
      message: body.message,
      reason: body.reason,
    };
    this.orderRequests.push(r);
    return r;
  }

  private scheduleTermination(o: Order, from: number, reason: string): void {
    this.schedule(from + 2 * this.stepMs, (at) => {
      if (o.state !== 'terminate_in_progress') return;
      o.state = 'terminated';
      this.record(o, 'terminated', at, reason);
      this.addDocument(o, 'PVR', this.choices.humanFileNames ? `Procès-verbal de résiliation ${o.order_reference}.pdf` : `${o.order_reference}_PVR.pdf`);
    });
  }

  private scheduleChange(o: Order, from: number): void {
    this.schedule(from + 2 * this.stepMs, (at) => {
      if (o.state !== 'change_in_progress') return;
      o.state = 'active';
      this.record(o, 'active', at);
    });
  }

  /** the action is allowed (the caller checked the state); returns the order request recorded */
  act(o: Order, action: ActionName, body: { reason: string; message: string; request_effective_date: string | null }): OrderRequest {
    const at = this.now();
    const r = this.request(o, action, at, body);
    if (action === 'terminate') {
      o.state = 'terminate_in_progress';
      this.record(o, 'terminate_in_progress', at, body.reason);
      this.scheduleTermination(o, at, body.reason);
    } else if (action === 'modify') {
      o.state = 'change_in_progress';
      this.record(o, 'change_in_progress', at, body.reason);
      this.scheduleChange(o, at);
    } else {
      o.state = 'cancelled';
      o.cancellation_date = day(at);
      o.cancellation_reason = body.reason;
      this.record(o, 'cancelled', at, body.reason);
    }
    return r;
  }

  // ------------------------------------------------------------ product orders (phase 1)

  createProductOrder(customer: string, user: string, body: { external_id?: string; customer_order_name?: string; note?: string; product_order_item: { product_offering_id: string; option_ids?: string[] }[]; related_contact_information?: Partial<Contact>[] }): ProductOrder {
    const at = this.now();
    const contact = { ...this.contact(), ...(body.related_contact_information?.[0] ?? {}) };
    const po: ProductOrder = {
      customer,
      id: `PO_${customer.slice(0, 3)}_${day(at).replace(/-/g, '')}_${String(++this.poSeq).padStart(6, '0')}`,
      external_id: body.external_id ?? '',
      customer_order_name: body.customer_order_name ?? '',
      note: body.note ?? '',
      creation_date: instant(at),
      modification_date: instant(at),
      created_by: user,
      contact,
      product_order_item: body.product_order_item.map((item, i) => ({ id: String(i + 1), product_offering_id: item.product_offering_id, option_ids: item.option_ids ?? [], status: 'acknowledged', status_change_reason: '', order_reference: null })),
    };
    this.productOrders.set(po.id, po);
    po.product_order_item.forEach((item, i) => {
      const offering = CATALOGUE.find((x) => x.id === item.product_offering_id) as Offering;
      this.schedule(at + this.stepMs, (t) => {
        item.status = 'in_progress';
        po.modification_date = instant(t);
      });
      this.schedule(at + 2 * this.stepMs, (t) => {
        po.modification_date = instant(t);
        const unknown = item.option_ids.filter((id) => !offering.options.some((x) => x.option_id === id));
        if (unknown.length > 0) {
          item.status = 'rejected_creation';
          item.status_change_reason = `option(s) ${unknown.join(', ')} not available with offering ${offering.id}`;
          return;
        }
        item.status = 'created';
        const o = this.newOrder(customer, user, offering, item.option_ids, contact, t, {
          id: i === 0 ? po.id : `${po.id}_${i + 1}`,
          external_id: po.external_id,
          customer_order_name: po.customer_order_name,
          note: po.note,
        });
        item.order_reference = o.order_reference;
        this.record(o, 'acknowledged', Date.parse(po.creation_date));
        this.record(o, 'held_adv_validation', t);
        this.scheduleProduction(o, t);
      });
    });
    return po;
  }

  /** the customer's orders in list order */
  listOf(customer: string): Order[] {
    const rows = [...this.orders.values()].filter((o) => o.customer === customer);
    return rows.sort(this.choices.sort === 'modified' ? (a, b) => b.modification_date.localeCompare(a.modification_date) || b.order_reference.localeCompare(a.order_reference) : byRecent);
  }

  // ------------------------------------------------------------ export

  startExport(user: User): ExportTask {
    const at = this.now();
    this.lastExport.set(user.email, at);
    const queued = this.choices.queuedExport;
    const task: ExportTask = { user: user.email, task_id: randomUUID(), started: queued ? null : instant(at), stopped: null, success: null, csv: null };
    this.tasks.set(task.task_id, task);
    if (queued) {
      this.schedule(at + this.exportMs / 2, (t) => {
        task.started = instant(t);
      });
    }
    this.schedule(at + this.exportMs, (t) => {
      const rows = this.listOf(user.customer);
      const header = csvHeader(this.choices.csvHeaders).map(csvCell).join(',');
      task.csv = `${this.choices.csvBom ? '\uFEFF' : ''}${[header, ...rows.map((o) => LIST_FIELDS.map((f) => csvCell(listItem(o)[f])).join(','))].join('\r\n')}\r\n`;
      task.success = true;
      task.stopped = instant(t);
    });
    return task;
  }
}

/** the list's order: most recently ordered first, then by reference (stable) */
export function byRecent(a: Order, b: Order): number {
  return b.order_date.localeCompare(a.order_date) || b.order_reference.localeCompare(a.order_reference);
}

// ---------------------------------------------------------------- representations

export function listItem(o: Order): Record<(typeof LIST_FIELDS)[number], unknown> {
  return {
    modification_date: o.modification_date,
    order_reference: o.order_reference,
    id: o.id,
    order_date: o.order_date,
    cancellation_date: o.cancellation_date,
    cancellation_reason: o.cancellation_reason,
    completion_date: o.completion_date,
    delivery_lead_time: o.delivery_lead_time,
    state: o.state,
    project_id: o.project_id,
    offer_family: o.offering.offer_family,
    offer_technology: o.offering.offer_technology,
    commitment: o.offering.commitment,
    site_client: siteOf(o.contact),
    site_client_2: '',
    end_customer_name: o.contact.end_customer_name,
    end_customer_name_2: '',
    created_by: o.created_by,
  };
}

export function detail(o: Order): Record<string, unknown> {
  const f = o.offering;
  const options = f.options.filter((x) => o.option_ids.includes(x.option_id));
  const monthly = f.price + options.reduce((s, x) => s + x.price, 0);
  return {
    id: o.id,
    order_reference: o.order_reference,
    external_id: o.external_id,
    order_date: o.order_date,
    cancellation_date: o.cancellation_date,
    cancellation_reason: o.cancellation_reason,
    completion_date: o.completion_date,
    note: o.note,
    technical_note: o.technical_note,
    product_offering_id: f.id,
    product_offering_qualification_item_id: '',
    project_id: o.project_id,
    quote_item_id: o.quote_item_id,
    delivery_mode: 'N/A',
    enni: '',
    enni2: '',
    delivery_lead_time: o.delivery_lead_time,
    delivery_lead_time_label: `T0 + ${o.delivery_lead_time} week${o.delivery_lead_time === '1' ? '' : 's'}`,
    vlan_reference: o.vlan_reference,
    customer_order_name: o.customer_order_name,
    securing: o.securing,
    securing_label: 'Non sécurisé',
    service_reference: o.service_reference,
    minimum_commitment_duration: f.commitment,
    commitment_end_date: o.commitment_end_date,
    notice_period: o.notice_period,
    estimated_delivery_date: o.estimated_delivery_date,
    billing_site_ref: 'FIB01',
    billing_site_name: `${o.customer} SIEGE`,
    billing_period: 'monthly',
    state: o.state,
    termination_error: o.termination_error,
    option_ids: o.option_ids,
    product: {
      id: f.id,
      name: f.name,
      description: f.name,
      bandwidth: f.bandwidth,
      bandwidth_guarantee: f.bandwidth_guarantee,
      bandwidth_max: f.bandwidth_max,
      commitment: `${f.commitment}MOIS`,
      tarif_zone: f.tarif_zone,
      offer_family: f.offer_family,
      offer_technology: f.offer_technology,
      far: f.far,
      fas: f.fas,
      fad: f.fad,
      price: f.price,
      recurring: true,
      options,
    },
    related_contact_information: [o.contact],
    technical_zone: f.tarif_zone === 'DENSE' ? 'THD Zone 1' : 'THD Zone 2',
    bandwidth: f.bandwidth,
    service_topology: 'COLST',
    building_ref: '',
    manager_regional: o.manager_regional,
    manager_n1_regional: null,
    manager_national: o.manager_national,
    manager_n1_national: null,
    strands_number: 1,
    fon_security: false,
    technology: f.technology,
    total_amount_monthly: monthly,
    total_amount_annual: monthly * 12,
  };
}

export function productOrderView(po: ProductOrder): Record<string, unknown> {
  return {
    id: po.id,
    external_id: po.external_id,
    customer_order_name: po.customer_order_name,
    note: po.note,
    creation_date: po.creation_date,
    modification_date: po.modification_date,
    created_by: po.created_by,
    product_order_item: po.product_order_item.map((i) => ({ ...i })),
  };
}

export function orderRequestView(r: OrderRequest): Record<string, unknown> {
  const { customer: _customer, ...rest } = r;
  return rest;
}

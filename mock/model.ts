/**
 * What the reference server knows about the API, read from `openapi.yaml`:
 * the lifecycle machines (`x-lifecycle`), the vocabularies (component enums),
 * the termination reasons (the documentation's example of
 * `GET /api/v1/terminate_reason/`), the order-list fields (`OrderSummary`) and
 * the request validators. Nothing here restates a state list; the few states
 * the server must name (the state an order is active in, the phase-1 outcomes)
 * are looked up and checked against the spec, so a renamed state fails at
 * start-up rather than serving wrong data.
 *
 * `scenarios` are the paths an order can take through the order machine,
 * enumerated from its transitions (every edge used at most once, every prefix
 * kept): seeded orders cycle through them so that every state is covered.
 */
import { enumOf, loadSpec, type JsonObject, type Spec } from '../src/contract/load.ts';
import { lifecycleOf, type ActionRule, type Lifecycle } from '../src/contract/lifecycle.ts';
import { validatorsFor, type Validators } from '../src/contract/validators.ts';
import { PRODUCTS, STEP_DOCUMENTS } from './catalogue.ts';

export interface Scenario {
  /** order states, from the initial one */
  path: string[];
  /** for each position of `path`, the action whose request leads to it (if any) */
  actionAt: (ActionRule | undefined)[];
  /** the actions of the path, in order */
  actions: ActionRule[];
}

export interface Names {
  /** order states */
  initial: string;
  production: string;
  active: string;
  rejected: string;
  /** item statuses (phase 1) */
  itemInitial: string;
  itemWorking: string;
  itemCreated: string;
  itemRejected: string;
  itemError: string;
  /** history-only value that opens production */
  productionOpened: string;
}

export interface Model {
  spec: Spec;
  lc: Lifecycle;
  validators: Validators;
  names: Names;
  orderStates: string[];
  offerFamilies: string[];
  actionNames: string[];
  reasons: string[];
  /** the 18 order-list fields, in the spec's order */
  summaryFields: string[];
  scenarios: Scenario[];
  /** history values standing for each order state, in vocabulary order */
  valuesOf: Map<string, string[]>;
  /** the documentation's example of GET /api/v1/order/{order_reference}/historic/ (its entries) */
  historyExample: { state: string; change_date: string; change_reason: string }[];
}

function need(list: readonly string[], name: string, what: string): string {
  if (!list.includes(name)) throw new Error(`openapi.yaml: the reference server needs ${what} "${name}", which the spec does not define`);
  return name;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function documentedReasons(spec: Spec): string[] {
  const op = spec.operations.get('listTerminateReasons');
  const r200 = op && isObject(op.raw.responses) ? op.raw.responses['200'] : undefined;
  const json = isObject(r200) && isObject(r200.content) ? r200.content['application/json'] : undefined;
  const examples = isObject(json) && isObject(json.examples) ? json.examples : {};
  for (const ex of Object.values(examples)) {
    if (isObject(ex) && isObject(ex.value) && Array.isArray(ex.value.terminate_reasons)) return ex.value.terminate_reasons.map(String);
  }
  throw new Error('openapi.yaml: listTerminateReasons has no example listing the termination reasons');
}

/** The entries of the documentation's history example (the `documentation` example of getOrderHistory). */
function documentedHistory(spec: Spec): Model['historyExample'] {
  const op = spec.operations.get('getOrderHistory');
  const r200 = op && isObject(op.raw.responses) ? op.raw.responses['200'] : undefined;
  const json = isObject(r200) && isObject(r200.content) ? r200.content['application/json'] : undefined;
  let ex = isObject(json) && isObject(json.examples) ? json.examples.documentation : undefined;
  if (isObject(ex) && typeof ex.$ref === 'string') {
    const name = ex.$ref.split('/').pop() ?? '';
    const all = isObject(spec.doc.components) && isObject(spec.doc.components.examples) ? spec.doc.components.examples : {};
    ex = all[name];
  }
  const results = isObject(ex) && isObject(ex.value) ? ex.value.results : undefined;
  if (!Array.isArray(results)) throw new Error('openapi.yaml: getOrderHistory has no documentation example');
  return results.filter(isObject).map((e) => ({ state: String(e.state), change_date: String(e.change_date), change_reason: String(e.change_reason ?? '') }));
}

/** Every path through the order machine from its initial state, each edge taken at most once. */
function enumerateScenarios(lc: Lifecycle): Scenario[] {
  const actionFor = (from: string, to: string): ActionRule | undefined => [...lc.actions.values()].find((a) => a.from.includes(from) && (a.via ?? a.to) === to);
  const out: Scenario[] = [];
  const queue: { path: string[]; used: Set<string> }[] = [{ path: [lc.order.initial], used: new Set() }];
  while (queue.length > 0) {
    const { path, used } = queue.shift() as { path: string[]; used: Set<string> };
    const actionAt = path.map((s, i) => (i === 0 ? undefined : actionFor(path[i - 1] as string, s)));
    out.push({ path, actionAt, actions: actionAt.filter((a): a is ActionRule => a !== undefined) });
    const last = path[path.length - 1] as string;
    for (const next of lc.order.transitions.get(last) ?? []) {
      const edge = `${last}>${next}`;
      if (used.has(edge)) continue;
      queue.push({ path: [...path, next], used: new Set([...used, edge]) });
    }
  }
  return out;
}

let cached: Model | undefined;

export function loadModel(spec: Spec = loadSpec()): Model {
  if (cached && cached.spec === spec) return cached;
  const lc = lifecycleOf(spec);
  const orderStates = enumOf(spec, 'OrderState');
  const itemStates = enumOf(spec, 'ProductOrderItemStatus');
  const r = lc.roles;
  const names: Names = {
    initial: need(orderStates, lc.order.initial, 'the initial order state'),
    production: need(orderStates, lc.stepsDuring, 'the production state'),
    active: r.active,
    rejected: r.rejected,
    itemInitial: need(itemStates, lc.item.initial, 'the initial item status'),
    itemWorking: r.itemWorking,
    itemCreated: r.itemCreated,
    itemRejected: r.itemRejected,
    itemError: r.itemError,
    productionOpened: r.productionOpened,
  };
  const valuesOf = new Map<string, string[]>();
  for (const value of lc.vocabulary) {
    const s = lc.orderStateOf.get(value);
    if (s === undefined) continue;
    valuesOf.set(s, [...(valuesOf.get(s) ?? []), value]);
  }
  const offerFamilies = enumOf(spec, 'OfferFamily');
  for (const f of offerFamilies) if (!PRODUCTS.some((p) => p.family === f)) throw new Error(`mock/catalogue.ts has no product of the offer family "${f}"`);
  for (const p of PRODUCTS) need(offerFamilies, p.family, 'the offer family');
  for (const d of STEP_DOCUMENTS) need(lc.steps, d.step, 'the production step');
  const summary = spec.schemas.OrderSummary;
  const summaryFields = isObject(summary) && isObject(summary.properties) ? Object.keys(summary.properties) : [];
  if (summaryFields.length === 0) throw new Error('openapi.yaml: OrderSummary has no properties');
  cached = {
    spec,
    lc,
    validators: validatorsFor(spec),
    names,
    orderStates,
    offerFamilies,
    actionNames: enumOf(spec, 'OrderAction'),
    reasons: documentedReasons(spec),
    summaryFields,
    scenarios: enumerateScenarios(lc),
    valuesOf,
    historyExample: documentedHistory(spec),
  };
  return cached;
}

/**
 * Provider states for the Pact verification (`POST /_pact/provider-states`,
 * registered only with `providerStates: true`, never under `/api/v1/`).
 *
 * Body: `{ state, params?, action?: 'setup' | 'teardown' }`. On setup the
 * store is first reset to the seed, then the state is applied; the answer is
 * 200 with the values set (for Pact's `fromProviderState`). Teardown changes
 * nothing. An unknown state answers 400.
 *
 * Sentences, matched exactly; each `{name}` may be written literally (with the
 * value in `params.name`) or replaced by the value itself:
 *   1. an active order {order_reference} exists
 *   2. an order {order_reference} in state {state} exists
 *   3. no order {order_reference} exists
 *   4. user {user} has not exported recently
 *   5. user {user} has just exported
 *   6. a finished export {task_id} exists for user {user}
 *   7. order {order_reference} has a termination request
 * Orders are customer A's; `user` is a key of DEMO_TOKENS.
 */
import type { Model } from './model.ts';
import { scenarioEndingIn, stagedOrder, type OrderRecord } from './orders.ts';
import type { Store } from './store.ts';
import { firstUserOf, userByKey, type User } from './users.ts';

export type Params = Record<string, unknown>;
export interface StateAnswer {
  status: number;
  body: Record<string, unknown>;
}

class StateError extends Error {}

const DEFAULT_REFERENCE = 'CMD_X_00009444';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function text(params: Params, name: string, fallback?: string): string {
  const v = params[name];
  if (typeof v === 'string' && v.length > 0 && v.length <= 200) return v;
  if (v === undefined && fallback !== undefined) return fallback;
  throw new StateError(`params.${name} must be a non-empty string`);
}

function user(params: Params): User {
  const u = userByKey(params.user);
  if (!u) throw new StateError(`params.user must be one of customerA_user1, customerA_user2, customerB_user1`);
  return u;
}

function stage(model: Model, store: Store, ref: string, state: string): OrderRecord {
  const scenario = scenarioEndingIn(model, state);
  if (!scenario) throw new StateError(`no order can be in state "${state}"; states are ${model.orderStates.join(', ')}`);
  const rec = stagedOrder(model, store.opts.seed, ref, 'A', scenario, firstUserOf('A').email, store.products);
  store.putOrder(rec);
  store.addStagedRequests(rec);
  return rec;
}

type Handler = (p: Params, model: Model, store: Store) => Record<string, unknown>;

const HANDLERS: { template: string; run: Handler }[] = [
  {
    template: 'an active order {order_reference} exists',
    run: (p, model, store) => {
      const rec = stage(model, store, text(p, 'order_reference', DEFAULT_REFERENCE), model.names.active);
      return { order_reference: rec.ref, id: rec.id, filename: `${rec.ref}_1.pdf` };
    },
  },
  {
    template: 'an order {order_reference} in state {state} exists',
    run: (p, model, store) => {
      const state = text(p, 'state');
      if (!model.orderStates.includes(state)) throw new StateError(`params.state must be one of ${model.orderStates.join(', ')}`);
      const rec = stage(model, store, text(p, 'order_reference', DEFAULT_REFERENCE), state);
      return { order_reference: rec.ref, id: rec.id, state };
    },
  },
  {
    template: 'no order {order_reference} exists',
    run: (p, _model, store) => {
      const ref = text(p, 'order_reference', DEFAULT_REFERENCE);
      store.removeOrder(ref);
      return { order_reference: ref };
    },
  },
  {
    template: 'user {user} has not exported recently',
    run: (p, _model, store) => {
      const u = user(p);
      store.setLastExport(u, undefined);
      return { user: u.key };
    },
  },
  {
    template: 'user {user} has just exported',
    run: (p, _model, store) => {
      const u = user(p);
      const started = store.startExport(u);
      if (!('task' in started)) throw new StateError('the export could not be started');
      return { user: u.key, task_id: started.task.id };
    },
  },
  {
    template: 'a finished export {task_id} exists for user {user}',
    run: (p, _model, store) => {
      const u = user(p);
      const id = p.task_id === undefined ? store.uuid() : text(p, 'task_id');
      if (!UUID.test(id)) throw new StateError('params.task_id must be a UUID');
      const now = store.now();
      store.addExportTask({ id: id.toLowerCase(), user: u.key, customer: u.customer, started: now - store.opts.exportMs - 1000, stopped: now - 1000 });
      return { user: u.key, task_id: id.toLowerCase() };
    },
  },
  {
    template: 'order {order_reference} has a termination request',
    run: (p, model, store) => {
      const terminate = model.lc.actions.get('terminate');
      if (!terminate?.via) throw new StateError('the contract has no termination in progress');
      const rec = stage(model, store, text(p, 'order_reference', DEFAULT_REFERENCE), terminate.via);
      const request = store.pageRequests('A', { orderReference: rec.ref, action: terminate.label }, 0, 1).rows[0];
      return { order_reference: rec.ref, id: rec.id, request_id: request?.id, action: terminate.label, reason: request?.reason };
    },
  },
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const MATCHERS = HANDLERS.map((h) => {
  const names: string[] = [];
  const source = h.template
    .split(/(\{\w+\})/)
    .map((part) => {
      const m = /^\{(\w+)\}$/.exec(part);
      if (!m) return escapeRegExp(part);
      names.push(m[1] as string);
      return `(?:\\{${m[1] as string}\\}|(.+?))`;
    })
    .join('');
  return { ...h, names, re: new RegExp(`^${source}$`) };
});

/** The sentences this hook understands, as the Pact author writes them. */
export const PROVIDER_STATES: readonly string[] = HANDLERS.map((h) => h.template);

export function handleProviderState(model: Model, store: Store, body: unknown): StateAnswer {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, body: { detail: 'expected a JSON object {state, params?, action?}' } };
  const b = body as Record<string, unknown>;
  if (typeof b.state !== 'string') return { status: 400, body: { detail: 'state must be a string' } };
  const action = b.action ?? 'setup';
  if (action !== 'setup' && action !== 'teardown') return { status: 400, body: { detail: 'action must be setup or teardown' } };
  const given = typeof b.params === 'object' && b.params !== null && !Array.isArray(b.params) ? (b.params as Params) : {};
  for (const m of MATCHERS) {
    const hit = m.re.exec(b.state.trim());
    if (!hit) continue;
    if (action === 'teardown') return { status: 200, body: {} };
    const params: Params = {};
    m.names.forEach((name, i) => {
      if (hit[i + 1] !== undefined) params[name] = hit[i + 1];
    });
    for (const [k, v] of Object.entries(given)) if (k !== '__proto__') params[k] = v;
    store.reset();
    try {
      return { status: 200, body: m.run(params, model, store) };
    } catch (err) {
      if (err instanceof StateError) return { status: 400, body: { detail: err.message } };
      throw err;
    }
  }
  return { status: 400, body: { detail: `unknown provider state "${b.state.slice(0, 200)}"`, states: PROVIDER_STATES } };
}

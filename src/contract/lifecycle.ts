/**
 * The lifecycle model, read from `x-lifecycle` in `openapi.yaml` (the three
 * flowcharts of the documentation). State lists come from the enums the
 * lifecycle names (`schema:`), so no state is typed twice.
 */
import { ConformanceError } from '../errors.ts';
import { deref, enumOf, type Json, type JsonObject, type Spec } from './load.ts';

export interface Machine {
  states: string[];
  initial: string;
  transitions: Map<string, string[]>;
  terminal: Set<string>;
}

export interface ActionRule {
  name: string;
  from: string[];
  via: string | undefined;
  to: string;
  label: string;
  inferred: string | undefined;
}

export interface Lifecycle {
  item: Machine;
  order: Machine;
  actions: Map<string, ActionRule>;
  /** production steps, in their documented order */
  steps: string[];
  /** the order state during which steps are reported */
  stepsDuring: string;
  /** every value the history may report */
  vocabulary: string[];
  /** history value → the order state it stands for */
  orderStateOf: Map<string, string>;
  /** the states code needs by their part in the lifecycle (`x-lifecycle.roles`), each checked against its enum */
  roles: Roles;
}

export const ROLE_NAMES = ['active', 'rejected', 'itemWorking', 'itemCreated', 'itemRejected', 'itemError', 'productionOpened'] as const;
export type Roles = Record<(typeof ROLE_NAMES)[number], string>;

function rolesOf(spec: Spec, data: JsonObject | undefined): Roles {
  const roles = {} as Roles;
  for (const name of ROLE_NAMES) {
    const r = obj(data?.[name], `roles.${name}`);
    const schema = spec.schemas[String(r.schema)];
    const values = enumValues(spec, schema as Json);
    const value = String(r.value);
    if (!values.includes(value)) throw new ConformanceError('CONF_ERR_SPEC_INVALID', `x-lifecycle: roles.${name} is "${value}", which ${String(r.schema)} does not list`);
    roles[name] = value;
  }
  return roles;
}

export type HistoryIssueRule = 'HIST-ORDER' | 'HIST-VOCAB' | 'HIST-TIME' | 'HIST-STEPS';

export interface HistoryIssue {
  rule: HistoryIssueRule;
  /** index of the offending entry in the history */
  index: number;
  message: string;
}

function obj(v: Json | undefined, what: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConformanceError('CONF_ERR_SPEC_INVALID', `x-lifecycle: ${what} is missing`);
  return v;
}
function strings(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

function machine(spec: Spec, data: JsonObject, what: string): Machine {
  const states = enumOf(spec, String(data.schema));
  const transitions = new Map<string, string[]>();
  for (const [from, to] of Object.entries(obj(data.transitions, `${what}.transitions`))) transitions.set(from, strings(to));
  return { states, initial: String(data.initial), transitions, terminal: new Set(strings(data.terminal)) };
}

/** Collects the enum values of a schema, through $ref and anyOf/oneOf. */
function enumValues(spec: Spec, node: Json | undefined): string[] {
  const n = deref(spec.doc, node);
  if (n === null || typeof n !== 'object' || Array.isArray(n)) return [];
  if (Array.isArray(n.enum)) return n.enum.map(String);
  const parts = [...(Array.isArray(n.anyOf) ? n.anyOf : []), ...(Array.isArray(n.oneOf) ? n.oneOf : [])];
  return parts.flatMap((p) => enumValues(spec, p));
}

const lifecycles = new WeakMap<Spec, Lifecycle>();

export function lifecycleOf(spec: Spec): Lifecycle {
  const hit = lifecycles.get(spec);
  if (hit) return hit;
  const data = spec.lifecycleData;
  const orderData = obj(data.order, 'order');
  const stepsData = obj(data.productionSteps, 'productionSteps');
  const historyData = obj(data.history, 'history');
  const actions = new Map<string, ActionRule>();
  for (const [name, a0] of Object.entries(obj(orderData.actions, 'order.actions'))) {
    const a = obj(a0, `order.actions.${name}`);
    actions.set(name, {
      name,
      from: strings(a.from),
      via: typeof a.via === 'string' ? a.via : undefined,
      to: String(a.to),
      label: String(a.label ?? name),
      inferred: typeof a['x-inferred'] === 'string' ? a['x-inferred'] : undefined,
    });
  }
  const orderStateOf = new Map<string, string>();
  for (const [h, o] of Object.entries(obj(historyData.orderStateOf, 'history.orderStateOf'))) orderStateOf.set(h, String(o));
  const lc: Lifecycle = {
    item: machine(spec, obj(data.productOrderItem, 'productOrderItem'), 'productOrderItem'),
    order: machine(spec, orderData, 'order'),
    actions,
    steps: strings(stepsData.order),
    stepsDuring: String(stepsData.during),
    vocabulary: [...new Set(enumValues(spec, spec.schemas[String(historyData.schema)] as Json))],
    orderStateOf,
    roles: rolesOf(spec, obj(data.roles, 'roles')),
  };
  lifecycles.set(spec, lc);
  return lc;
}

/** Is `to` reachable from `from` in one documented transition? */
export function canMove(m: Machine, from: string, to: string): boolean {
  return (m.transitions.get(from) ?? []).includes(to);
}

/** Is `to` where an order in `from` can be now: the same state, or one reached through documented transitions (forward only)? */
export function canReach(m: Machine, from: string, to: string): boolean {
  if (from === to) return true;
  const seen = new Set([from]);
  const queue = [from];
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    for (const next of m.transitions.get(s) ?? []) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

/**
 * Judges a history (oldest first) against the lifecycle:
 * - HIST-ORDER (documented): the mapped order-state path follows the
 *   transitions, starts where an order starts, has nothing after a terminal
 *   state, and production steps never go backwards; a move between two item
 *   statuses that phase 1 allows (acknowledged → technical_error,
 *   in_progress → created) is legal as it stands;
 * - HIST-VOCAB (inferred): every value is known;
 * - HIST-TIME (inferred): timestamps never go backwards;
 * - HIST-STEPS (inferred): an order that reached production's end reported every step.
 */
export function judgeHistory(lc: Lifecycle, entries: { state: string; change_date?: string }[]): HistoryIssue[] {
  const issues: HistoryIssue[] = [];
  let prevOrder: string | undefined;
  let prevState: string | undefined;
  let lastStep = -1;
  let terminalAt: number | undefined;
  const seenSteps = new Set<string>();
  let prevTime: number | undefined;
  entries.forEach((e, i) => {
    const t = e.change_date ? Date.parse(e.change_date) : Number.NaN;
    if (!Number.isNaN(t)) {
      if (prevTime !== undefined && t < prevTime) {
        issues.push({ rule: 'HIST-TIME', index: i, message: `"${e.state}" at ${e.change_date} is earlier than the entry before it` });
      }
      prevTime = t;
    }
    const mapped = lc.orderStateOf.get(e.state);
    if (!lc.vocabulary.includes(e.state) || mapped === undefined) {
      issues.push({ rule: 'HIST-VOCAB', index: i, message: `"${e.state}" is not a known history state` });
      return;
    }
    if (terminalAt !== undefined) {
      issues.push({ rule: 'HIST-ORDER', index: i, message: `"${e.state}" follows the terminal state "${entries[terminalAt]?.state}"` });
      return;
    }
    const stepIndex = lc.steps.indexOf(e.state);
    if (stepIndex >= 0) {
      if (stepIndex < lastStep) {
        issues.push({ rule: 'HIST-ORDER', index: i, message: `production step "${e.state}" comes after the later step "${lc.steps[lastStep]}"` });
      }
      lastStep = Math.max(lastStep, stepIndex);
      seenSteps.add(e.state);
    }
    if (prevOrder === undefined) {
      if (mapped !== lc.order.initial) {
        issues.push({ rule: 'HIST-ORDER', index: i, message: `the history starts at "${e.state}" (${mapped}); an order starts at "${lc.order.initial}"` });
      }
    } else if (mapped !== prevOrder && !canMove(lc.order, prevOrder, mapped) && !(prevState !== undefined && canMove(lc.item, prevState, e.state))) {
      issues.push({ rule: 'HIST-ORDER', index: i, message: `"${e.state}" (${mapped}) cannot follow ${prevOrder}: allowed next are ${(lc.order.transitions.get(prevOrder) ?? []).join(', ') || 'none'}` });
    }
    if (mapped !== prevOrder && mapped === lc.stepsDuring) lastStep = -1;
    if (prevOrder === lc.stepsDuring && mapped !== lc.stepsDuring && mapped === lc.roles.active) {
      const missing = lc.steps.filter((s) => !seenSteps.has(s));
      if (missing.length > 0) {
        issues.push({ rule: 'HIST-STEPS', index: i, message: `"${e.state}" reached with production steps not reported: ${missing.join(', ')}` });
      }
    }
    prevOrder = mapped;
    prevState = e.state;
    if (lc.order.terminal.has(mapped)) terminalAt = i;
  });
  return issues;
}

/** The order state the last history entry stands for, or undefined. */
export function orderStateOfHistory(lc: Lifecycle, entries: { state: string }[]): string | undefined {
  const last = entries[entries.length - 1];
  return last ? lc.orderStateOf.get(last.state) : undefined;
}

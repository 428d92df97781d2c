/**
 * The x-lifecycle data of openapi.yaml is consistent, and judgeHistory applies
 * it as ANALYSIS.md says (given/want tables).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConformanceError } from '../../src/errors.ts';
import { DEFAULT_SPEC_PATH, enumOf, loadSpec, parseSpec } from '../../src/contract/load.ts';
import { canMove, judgeHistory, lifecycleOf, orderStateOfHistory, type HistoryIssueRule, type Machine } from '../../src/contract/lifecycle.ts';
import { atSpecPointer } from './support.ts';

const spec = loadSpec();
const lc = lifecycleOf(spec);
const machines: [string, Machine][] = [
  ['productOrderItem', lc.item],
  ['order', lc.order],
];

function reachableFrom(m: Machine, start: string): Set<string> {
  const seen = new Set([start]);
  const todo = [start];
  for (let s = todo.pop(); s !== undefined; s = todo.pop()) {
    for (const n of m.transitions.get(s) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        todo.push(n);
      }
    }
  }
  return seen;
}

describe.each(machines)('the %s machine', (_name, m) => {
  it('declares its states through an enum of openapi.yaml', () => {
    expect(m.states.length).toBeGreaterThan(1);
    expect(new Set(m.states).size).toBe(m.states.length);
  });

  it('uses only declared states in its initial state, transitions and terminal set', () => {
    const used = [m.initial, ...m.terminal, ...m.transitions.keys(), ...[...m.transitions.values()].flat()];
    expect(used.filter((s) => !m.states.includes(s))).toEqual([]);
  });

  it('has no way out of a terminal state', () => {
    for (const t of m.terminal) expect(m.transitions.get(t) ?? [], t).toEqual([]);
    expect(m.terminal.size).toBeGreaterThan(0);
    expect(m.terminal.has(m.initial)).toBe(false);
  });

  it('reaches every state from the initial one', () => {
    expect(m.states.filter((s) => !reachableFrom(m, m.initial).has(s))).toEqual([]);
  });

  it('can reach a terminal state from every non-terminal state', () => {
    const stuck = m.states.filter((s) => !m.terminal.has(s) && ![...reachableFrom(m, s)].some((r) => m.terminal.has(r)));
    expect(stuck).toEqual([]);
  });

  it('has no self-loop', () => {
    expect([...m.transitions].filter(([from, tos]) => tos.includes(from))).toEqual([]);
  });
});

describe('the documented flowcharts', () => {
  it('phase 1 is acknowledged → in_progress → created | rejected_creation, and acknowledged → technical_error', () => {
    const edges = [...lc.item.transitions].flatMap(([f, ts]) => ts.map((t) => `${f}>${t}`)).sort();
    expect(edges).toEqual(['acknowledged>in_progress', 'acknowledged>technical_error', 'in_progress>created', 'in_progress>rejected_creation']);
    expect(lc.item.initial).toBe('acknowledged');
  });

  it('phase 2 ends in terminated, rejected or cancelled', () => {
    expect([...lc.order.terminal].sort()).toEqual(['cancelled', 'rejected', 'terminated']);
    expect(lc.order.initial).toBe('confirmed');
    expect(enumOf(spec, 'OrderState')).toHaveLength(8);
  });
});

describe('actions', () => {
  it('terminate, change and cancel are declared, and only terminate is documented', () => {
    expect([...lc.actions.keys()].sort()).toEqual(['cancel', 'change', 'terminate']);
    expect(lc.actions.get('terminate')?.inferred).toBeUndefined();
    expect(lc.actions.get('change')?.inferred).toBeTruthy();
    expect(lc.actions.get('cancel')?.inferred).toBeTruthy();
    expect(lc.actions.get('terminate')?.label).toBe('Résiliation');
  });

  it('name the OrderAction enum exactly', () => {
    expect([...lc.actions.keys()].sort()).toEqual(enumOf(spec, 'OrderAction').sort());
  });

  for (const a of lc.actions.values()) {
    it(`${a.name}: from, via and to are declared order states`, () => {
      const used = [...a.from, a.to, ...(a.via ? [a.via] : [])];
      expect(used.filter((s) => !lc.order.states.includes(s))).toEqual([]);
      expect(a.from.length).toBeGreaterThan(0);
    });
    it(`${a.name}: every from → via → to is a legal transition`, () => {
      for (const from of a.from) {
        if (a.via) {
          expect(canMove(lc.order, from, a.via), `${from} → ${a.via}`).toBe(true);
          expect(canMove(lc.order, a.via, a.to), `${a.via} → ${a.to}`).toBe(true);
        } else {
          expect(canMove(lc.order, from, a.to), `${from} → ${a.to}`).toBe(true);
        }
      }
    });
  }
});

describe('production steps', () => {
  it('equal the ProductionStep enum, in the same order (a chain)', () => {
    expect(lc.steps).toEqual(enumOf(spec, 'ProductionStep'));
    expect(lc.steps).toHaveLength(11);
    expect(lc.steps[0]).toBe('production_manager_assigned');
    expect(lc.steps.at(-1)).toBe('intervention_report_published');
    expect(new Set(lc.steps).size).toBe(lc.steps.length);
  });

  it('are reported during a declared, non-terminal order state', () => {
    expect(lc.order.states).toContain(lc.stepsDuring);
    expect(lc.order.terminal.has(lc.stepsDuring)).toBe(false);
  });

  it('all stand for the order state during which they are reported', () => {
    expect(lc.steps.filter((s) => lc.orderStateOf.get(s) !== lc.stepsDuring)).toEqual([]);
  });
});

describe('the history vocabulary', () => {
  it('is the union of order states, item statuses, production steps, held_adv_validation and production_in_progress', () => {
    const expected = new Set([...lc.order.states, ...lc.item.states, ...lc.steps, 'held_adv_validation', 'production_in_progress']);
    expect([...lc.vocabulary].sort()).toEqual([...expected].sort());
  });

  it('orderStateOf covers exactly the vocabulary', () => {
    expect([...lc.orderStateOf.keys()].sort()).toEqual([...lc.vocabulary].sort());
  });

  it('orderStateOf maps only to declared order states', () => {
    expect([...lc.orderStateOf.values()].filter((s) => !lc.order.states.includes(s))).toEqual([]);
  });

  it('maps every order state to itself', () => {
    expect(lc.order.states.filter((s) => lc.orderStateOf.get(s) !== s)).toEqual([]);
  });

  it('is marked inferred in the schema (an unknown value is a warning)', () => {
    expect(typeof spec.schemas.HistoryState?.['x-inferred']).toBe('string');
  });
});

// ------------------------------------------------------------ judgeHistory
const entries = (...states: string[]) => states.map((state) => ({ state }));
/** States with their change dates, the last date repeated when there are fewer dates than states. */
const timed = (states: string[], times: string[]) => states.map((state, i) => ({ state, change_date: times[i] ?? times.at(-1) }));
const STEPS = lc.steps;

describe('judgeHistory accepts the documentation', () => {
  const doc = atSpecPointer(spec, '/components/examples/OrderHistoryDoc/value') as { results: { state: string; change_date: string }[] };
  const issues = judgeHistory(lc, doc.results);

  it("raises no HIST-ORDER issue on the documentation's history", () => {
    expect(issues.filter((i) => i.rule === 'HIST-ORDER')).toEqual([]);
  });

  it('raises exactly one HIST-TIME warning, on its last entry whose timestamp goes backwards', () => {
    expect(issues.map(({ rule, index }) => ({ rule, index }))).toEqual([{ rule: 'HIST-TIME', index: doc.results.length - 1 }]);
  });

  it('reads the last entry as the active order state', () => {
    expect(orderStateOfHistory(lc, doc.results)).toBe('active');
  });
});

interface Row {
  name: string;
  given: { state: string; change_date?: string }[];
  want: { rule: HistoryIssueRule; index: number }[];
}

const rows: Row[] = [
  // legal paths
  { name: 'an empty history', given: [], want: [] },
  { name: 'an order confirmed and not yet in production', given: entries('confirmed'), want: [] },
  { name: 'a full production ending active', given: entries('confirmed', 'in_progress', ...STEPS, 'active'), want: [] },
  { name: 'a full production, then termination', given: entries('acknowledged', 'held_adv_validation', 'production_in_progress', ...STEPS, 'active', 'terminate_in_progress', 'terminated'), want: [] },
  { name: 'a change request and back to active, twice', given: entries('confirmed', 'in_progress', ...STEPS, 'active', 'change_in_progress', 'active', 'change_in_progress', 'active'), want: [] },
  { name: 'a cancellation during production', given: entries('confirmed', 'in_progress', 'production_manager_assigned', 'cancelled'), want: [] },
  { name: 'a rejection during production', given: entries('confirmed', 'in_progress', 'rejected'), want: [] },
  { name: 'repeated states (merged)', given: entries('acknowledged', 'confirmed', 'in_progress', 'production_in_progress', 'production_manager_assigned', 'production_manager_assigned'), want: [] },
  { name: 'a repeated production step', given: entries('confirmed', 'in_progress', 'connexion_planned', 'connexion_planned', 'connexion_completed'), want: [] },
  { name: 'equal timestamps', given: timed(['confirmed', 'in_progress'], ['2025-06-03T18:37:08+02:00']), want: [] },
  { name: 'timestamps in different offsets that still move forward', given: timed(['confirmed', 'in_progress'], ['2025-06-03T18:37:08+02:00', '2025-06-03T16:37:09Z']), want: [] },
  // phase 1 (item statuses) inside the history
  { name: 'phase 1: acknowledged → technical_error', given: entries('acknowledged', 'technical_error'), want: [] },
  { name: 'phase 1: acknowledged → in_progress → rejected_creation', given: entries('acknowledged', 'in_progress', 'rejected_creation'), want: [] },
  { name: 'phase 1: acknowledged → in_progress → created, then production', given: entries('acknowledged', 'in_progress', 'created', 'production_in_progress', 'production_manager_assigned'), want: [] },
  // HIST-ORDER
  { name: 'a production step going backwards', given: entries('confirmed', 'in_progress', 'connexion_planned', 'optical_route_received'), want: [{ rule: 'HIST-ORDER', index: 3 }] },
  { name: 'the last production step followed by the first', given: entries('confirmed', 'in_progress', ...STEPS, 'production_manager_assigned'), want: [{ rule: 'HIST-ORDER', index: 2 + STEPS.length }] },
  { name: 'anything after terminated', given: entries('confirmed', 'in_progress', ...STEPS, 'active', 'terminate_in_progress', 'terminated', 'active'), want: [{ rule: 'HIST-ORDER', index: 5 + STEPS.length }] },
  {
    name: 'anything after cancelled, each entry reported',
    given: entries('confirmed', 'in_progress', 'cancelled', 'in_progress', 'active'),
    want: [
      { rule: 'HIST-ORDER', index: 3 },
      { rule: 'HIST-ORDER', index: 4 },
    ],
  },
  { name: 'a production step after rejected', given: entries('confirmed', 'in_progress', 'rejected', 'service_configured'), want: [{ rule: 'HIST-ORDER', index: 3 }] },
  { name: 'anything after a creation failure', given: entries('acknowledged', 'technical_error', 'production_in_progress'), want: [{ rule: 'HIST-ORDER', index: 2 }] },
  { name: 'active without production', given: entries('confirmed', 'active'), want: [{ rule: 'HIST-ORDER', index: 1 }] },
  { name: 'active right after acknowledged', given: entries('acknowledged', 'held_adv_validation', 'active'), want: [{ rule: 'HIST-ORDER', index: 2 }] },
  { name: 'a history starting at active', given: entries('active', 'terminate_in_progress', 'terminated'), want: [{ rule: 'HIST-ORDER', index: 0 }] },
  { name: 'a history starting in production', given: entries('production_in_progress', ...STEPS, 'active'), want: [{ rule: 'HIST-ORDER', index: 0 }] },
  { name: 'termination from production (not active)', given: entries('confirmed', 'in_progress', 'terminate_in_progress'), want: [{ rule: 'HIST-ORDER', index: 2 }] },
  { name: 'cancellation from active', given: entries('confirmed', 'in_progress', ...STEPS, 'active', 'cancelled'), want: [{ rule: 'HIST-ORDER', index: 3 + STEPS.length }] },
  {
    name: 'a production step after active (a step backwards, and no way back to production)',
    given: entries('confirmed', 'in_progress', ...STEPS, 'active', 'service_controlled'),
    want: [
      { rule: 'HIST-ORDER', index: 3 + STEPS.length },
      { rule: 'HIST-ORDER', index: 3 + STEPS.length },
    ],
  },
  { name: 'back to confirmed from production', given: entries('confirmed', 'in_progress', 'confirmed'), want: [{ rule: 'HIST-ORDER', index: 2 }] },
  // HIST-VOCAB
  { name: 'an unknown state', given: entries('confirmed', 'on_hold', 'in_progress'), want: [{ rule: 'HIST-VOCAB', index: 1 }] },
  {
    name: 'an unknown state, the path around it still judged',
    given: entries('confirmed', 'on_hold', 'active'),
    want: [
      { rule: 'HIST-VOCAB', index: 1 },
      { rule: 'HIST-ORDER', index: 2 },
    ],
  },
  { name: 'a state in capitals', given: entries('CONFIRMED'), want: [{ rule: 'HIST-VOCAB', index: 0 }] },
  // HIST-STEPS
  { name: 'skipped production steps before active', given: entries('confirmed', 'in_progress', 'production_manager_assigned', 'technical_visit_planned', 'connexion_completed', 'active'), want: [{ rule: 'HIST-STEPS', index: 5 }] },
  { name: 'no production step at all before active', given: entries('acknowledged', 'production_in_progress', 'active'), want: [{ rule: 'HIST-STEPS', index: 2 }] },
  { name: 'skipped steps in an order still in production (not judged yet)', given: entries('confirmed', 'in_progress', 'service_configured'), want: [] },
  // HIST-TIME
  { name: 'a timestamp going backwards', given: timed(['confirmed', 'in_progress'], ['2025-06-03T18:37:08+02:00', '2025-06-03T18:37:07+02:00']), want: [{ rule: 'HIST-TIME', index: 1 }] },
  { name: 'a timestamp going backwards across offsets', given: timed(['confirmed', 'in_progress'], ['2025-06-03T18:37:08Z', '2025-06-03T19:37:08+02:00']), want: [{ rule: 'HIST-TIME', index: 1 }] },
];

describe('judgeHistory', () => {
  it.each(rows)('$name', ({ given, want }) => {
    const got = judgeHistory(lc, given).map(({ rule, index }) => ({ rule, index }));
    expect(got).toEqual(want);
  });

  it('says what was expected in a HIST-ORDER message', () => {
    const [issue] = judgeHistory(lc, entries('confirmed', 'active'));
    expect(issue?.message).toContain('in_progress');
  });

  it('names the missing steps in a HIST-STEPS message', () => {
    const [issue] = judgeHistory(lc, entries('confirmed', 'in_progress', ...STEPS.filter((s) => s !== 'service_configured'), 'active'));
    expect(issue?.rule).toBe('HIST-STEPS');
    expect(issue?.message).toContain('service_configured');
    expect(issue?.message).not.toContain('service_controlled');
  });

  it('orderStateOfHistory reads the last entry, and nothing from an empty history', () => {
    expect(orderStateOfHistory(lc, entries('confirmed', 'in_progress', 'connexion_planned'))).toBe('in_progress');
    expect(orderStateOfHistory(lc, [])).toBeUndefined();
    expect(orderStateOfHistory(lc, entries('on_hold'))).toBeUndefined();
  });
});

describe('a broken x-lifecycle', () => {
  const base = `
openapi: 3.1.0
info: { title: t, version: '1' }
paths: {}
x-requirements: {}
components:
  schemas:
    S: { type: string, enum: [a, b] }
`;
  it('without an order machine is refused with CONF_ERR_SPEC_INVALID', () => {
    const s = parseSpec(`${base}x-lifecycle: { productOrderItem: { schema: S, initial: a, transitions: { a: [b] }, terminal: [b] } }\n`);
    expect(() => lifecycleOf(s)).toThrow(ConformanceError);
    expect(() => lifecycleOf(s)).toThrow(/x-lifecycle: order is missing/);
  });

  it('naming a schema without an enum is refused with CONF_ERR_SPEC_INVALID', () => {
    const lcText = `x-lifecycle:
  productOrderItem: { schema: Nope, initial: a, transitions: {}, terminal: [] }
  order: { schema: S, initial: a, transitions: {}, terminal: [], actions: {} }
  productionSteps: { schema: S, during: a, order: [] }
  history: { schema: S, orderStateOf: {} }
`;
    const s = parseSpec(`${base}${lcText}`);
    let err: unknown;
    try {
      lifecycleOf(s);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConformanceError);
    expect((err as ConformanceError).code).toBe('CONF_ERR_SPEC_INVALID');
  });
});

describe('lifecycle roles (x-lifecycle.roles)', () => {
  const lc = lifecycleOf(loadSpec());
  it('name states of their enums, in their documented places', () => {
    expect(lc.order.states).toContain(lc.roles.active);
    expect(lc.actions.get('terminate')?.from).toContain(lc.roles.active);
    expect(lc.order.transitions.get(lc.stepsDuring)).toContain(lc.roles.active);
    expect(lc.order.terminal.has(lc.roles.rejected)).toBe(true);
    expect(lc.item.terminal.has(lc.roles.itemCreated)).toBe(true);
    expect(lc.vocabulary).toContain(lc.roles.productionOpened);
  });
  it('refuses a role whose value its enum does not list', () => {
    const text = readFileSync(DEFAULT_SPEC_PATH, 'utf8').replace('value: active, x-doc', 'value: live, x-doc');
    try {
      lifecycleOf(parseSpec(text));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConformanceError);
      expect((e as Error).message).toMatch(/roles\.active is "live", which OrderState does not list/);
    }
  });
});

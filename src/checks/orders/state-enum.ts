/**
 * ORD-STATE-ENUM: the state of every order, in the list and in each sampled
 * detail, is one of the order states of `x-lifecycle` (openapi.yaml).
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type Finding, type Judgement } from '../define.ts';
import { pageRows, type ListPage } from '../lists.ts';

/** A page of the order list, or a sampled order's detail (judged when it answered 200). */
export type StateEnumInput = ListPage | { ref: string; detail: Exchange };

export const orderStateEnum = defineCheck<StateEnumInput>(import.meta.url, 'order_state_enum', (input, env): Judgement => {
  const states = env.lifecycle.order.states;
  if ('page' in input) {
    const findings: Finding[] = [];
    const rows = pageRows(input.page);
    rows.forEach((item, i) => {
      const o = item as { order_reference?: unknown; state?: unknown } | null;
      const ref = typeof o?.order_reference === 'string' ? o.order_reference : undefined;
      const raw = typeof o?.state === 'string' ? o.state : String(o?.state);
      if (!states.includes(raw)) {
        findings.push({ message: `order ${ref ?? input.offset + i}: expected a state among ${states.join(', ')} / received ${env.show(o?.state)}`, exchange: input.page, pointer: '/state', value: o?.state });
      }
    });
    return { passed: rows.length - findings.length, findings };
  }
  const { ref, detail } = input;
  if (detail.status !== 200) return { passed: 0, findings: [] };
  const s = (detail.json() as { state?: unknown } | undefined)?.state;
  if (typeof s === 'string' && states.includes(s)) return { passed: 1, findings: [] };
  return { passed: 0, findings: [{ message: `order ${ref} detail: expected one of the ${states.length} order states / received ${env.show(s)}`, exchange: detail, pointer: '/state', value: s }] };
});

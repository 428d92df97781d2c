/**
 * ACT-PRECONDITION: a termination asked for an order in a state the
 * flowchart does not allow it from (a terminal one preferred) is refused
 * with a 4xx, and nothing changes: the state did not move into the
 * termination's states (an order in a terminal state does not move at all),
 * and no order request was added.
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type Finding } from '../define.ts';
import { effect, stateOf, type RequestCount } from './effects.ts';

export interface PreconditionInput {
  ref: string;
  /** the order's state when the termination was asked for */
  state: string;
  /** the termination request and its answer */
  attempt: Exchange;
  /** the order's requests before and after */
  before: RequestCount;
  after: RequestCount;
  /** the order's detail, read after */
  now: Exchange;
}

export const actionPrecondition = defineCheck<PreconditionInput>(import.meta.url, 'action_precondition', ({ ref, state, attempt: ex, before, after, now }, env) => {
  const terminate = env.lifecycle.actions.get('terminate');
  if (!terminate) return { passed: 0, findings: [], skip: 'the contract names no termination' };
  const terminal = env.lifecycle.order.terminal;
  const findings: Finding[] = [];
  let passed = 0;
  if (ex.status !== undefined && ex.status >= 400 && ex.status < 500) passed++;
  else findings.push({ message: `termination of ${ref} in state "${state}" (allowed only from ${terminate.from.join('/')}): expected a 4xx / received ${ex.status ?? ex.error?.message}`, exchange: ex, expected: '4xx', received: String(ex.status) });
  const stateNow = stateOf(now);
  const moved = [terminate.via, terminate.to].filter((s): s is string => !!s && s !== state);
  if (stateNow === undefined || (stateNow !== state && (moved.includes(stateNow) || terminal.has(state)))) {
    findings.push({ message: `after a refused termination of ${ref}: expected state "${state}" unchanged / received "${stateNow}"`, ...effect(now, [ex]), pointer: '/state', value: stateNow, expected: state, received: String(stateNow) });
  }
  if (after.count !== before.count) findings.push({ message: `after a refused termination of ${ref}: expected ${before.count} order request(s) / received ${after.count}`, ...effect(after.exchange, [ex]), expected: String(before.count), received: String(after.count) });
  return { passed, findings };
});

/**
 * ACT-INVALID-BODY: invalid termination bodies sent to an active order of
 * the run's own are each refused with a 4xx, and nothing changes: the
 * order's state and its order requests are as before.
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type Finding } from '../define.ts';
import { effect, stateOf, type RequestCount } from './effects.ts';

export interface InvalidBodiesInput {
  ref: string;
  /** the order's state before the bodies were sent */
  state: string;
  /** each invalid body, described, with its answer */
  sent: { what: string; exchange: Exchange }[];
  /** the order's requests before and after */
  before: RequestCount;
  after: RequestCount;
  /** the order's detail, read after */
  now: Exchange;
}

const refused = (ex: Exchange): boolean => ex.status !== undefined && ex.status >= 400 && ex.status < 500;

export const actionInvalidBody = defineCheck<InvalidBodiesInput>(import.meta.url, 'action_invalid_body', ({ ref, state, sent, before, after, now }) => {
  const findings: Finding[] = [];
  let passed = 0;
  for (const { what, exchange: ex } of sent) {
    if (refused(ex)) passed++;
    else findings.push({ message: `termination of ${ref} with ${what}: expected a 4xx / received ${ex.status ?? ex.error?.message}`, exchange: ex, expected: '4xx', received: String(ex.status) });
  }
  // the writes that may have caused a change: those the target did not refuse (all of them when none stands out)
  const accepted = sent.map((s) => s.exchange).filter((x) => !refused(x));
  const causes = accepted.length > 0 ? accepted : sent.map((s) => s.exchange);
  const stateNow = stateOf(now);
  if (stateNow !== state) findings.push({ message: `after refused terminations of ${ref}: expected state "${state}" unchanged / received "${stateNow}"`, ...effect(now, causes), pointer: '/state', value: stateNow, expected: state, received: String(stateNow) });
  if (after.count !== before.count) findings.push({ message: `after refused terminations of ${ref}: expected ${before.count} order request(s) unchanged / received ${after.count}`, ...effect(after.exchange, causes), expected: String(before.count), received: String(after.count) });
  return { passed, findings };
});

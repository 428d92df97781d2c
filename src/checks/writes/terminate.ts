/**
 * ACT-TERMINATE: a termination of an active order of the run's own, with a
 * listed reason, is acknowledged (any 2xx, 204 No Content included), and its
 * effects show: an order request with that reason, the order in the
 * termination's transit or final state, and that state in its history.
 */
import type { Exchange } from '../../harness/http.ts';
import { SUCCESS, both, schemaJudgement, statusJudgement } from '../response.ts';
import { defineCheck, type Finding } from '../define.ts';
import { effect, stateOf } from './effects.ts';

export interface TerminateInput {
  ref: string;
  reason: string;
  /** the termination request and its answer */
  attempt: Exchange;
  /** read after an acknowledged termination: the order's requests (its rows and the first page) */
  requests?: { rows: { reason?: unknown; order_reference?: unknown }[]; exchange?: Exchange };
  /** the order's detail, read after */
  now?: Exchange;
  /** the order's history, read after */
  history?: Exchange;
}

export const terminateActive = defineCheck<TerminateInput>(import.meta.url, 'terminate_active', ({ ref, reason, attempt: ex, requests, now, history }, env) => {
  // any 2xx acknowledges the termination; its effects are then verified
  const status = statusJudgement(ex, SUCCESS, `termination of active order ${ref} with reason "${reason}"`);
  if (status.findings.length > 0) return status;
  const terminate = env.lifecycle.actions.get('terminate');
  const after = [terminate?.via, terminate?.to].filter((s): s is string => !!s);
  const parts = [status];
  if (ex.bytes > 0) parts.push(schemaJudgement(env, ex, 'requestOrderAction'));
  const findings: Finding[] = [];
  const rows = requests?.rows ?? [];
  if (!rows.some((r) => r.reason === reason && r.order_reference === ref)) {
    findings.push({ message: `termination of ${ref}: expected an order request with reason "${reason}" / received ${rows.length} request(s) without it`, ...effect(requests?.exchange, [ex]), expected: `an order request with reason "${reason}"`, received: `${rows.length} request(s) without it` });
  }
  const stateNow = stateOf(now);
  if (!stateNow || !after.includes(stateNow)) {
    findings.push({ message: `after terminating ${ref}: expected state ${after.join(' or ')} / received ${JSON.stringify(stateNow)}`, ...effect(now, [ex]), pointer: '/state', value: stateNow, expected: after.join(' or '), received: String(stateNow) });
  }
  const entries = ((history?.json() as { results?: { state?: string }[] } | undefined)?.results ?? []).map((e) => String(e?.state));
  if (!entries.some((s) => after.includes(s))) {
    findings.push({ message: `after terminating ${ref}: expected ${after.join(' or ')} in the history / received ${entries.slice(-3).join(' → ')}`, ...effect(history, [ex]), pointer: '/results', expected: `${after.join(' or ')} in the history`, received: entries.slice(-3).join(' → ') });
  }
  return both(...parts, { passed: 1, findings });
});

/**
 * ACT-TERMINATE: a termination of an active order of the run's own, with a
 * listed reason, is acknowledged (any 2xx, 204 No Content included), and its
 * effects show: an order request with that reason, the order in the
 * termination's transit or final state, and that state in its history.
 *
 * The documentation names no field of the termination body. Unless the user
 * gives one (--terminate-body FILE, sent as it is), the body is the kit's
 * guess from the order request's fields (`reason`, `message`); a 400 or 422
 * to that guess is the target refusing the body, not the termination, so the
 * check could not be exercised (rule 3 of ANALYSIS.md, "Judging a target we
 * did not write"): skipped, naming the option. Any other refusal (401, 403,
 * 404, 409, 5xx), and any refusal of the user's body, fails.
 */
import type { Exchange } from '../../harness/http.ts';
import { SUCCESS, both, schemaJudgement, statusJudgement } from '../response.ts';
import { defineCheck, type Finding } from '../define.ts';
import { effect, stateOf } from './effects.ts';

export interface TerminateInput {
  ref: string;
  /** the listed reason the body holds (the kit's guess always holds one; a user's body may hold none the kit can tell: then any order request of the order is looked for) */
  reason?: string;
  /** where the body came from: the user's (--terminate-body, sent as it is) or the kit's guess (`reason`, `message`) */
  source: 'user' | 'guess';
  /** the termination request and its answer */
  attempt: Exchange;
  /** read after an acknowledged termination: the order's requests (its rows and the first page) */
  requests?: { rows: { reason?: unknown; order_reference?: unknown }[]; exchange?: Exchange };
  /** the order's detail, read after */
  now?: Exchange;
  /** the order's history, read after */
  history?: Exchange;
}

/** The statuses that refuse a body (a malformed or invalid request), as against the route, the credential, the order's state or the server. */
const BODY_REFUSED = [400, 422];

/** A 400 or 422 to the body the kit guessed: the target refused the guess, not the termination. */
export function refusedKitTermination(attempt: Exchange, source: TerminateInput['source']): boolean {
  return source === 'guess' && attempt.status !== undefined && BODY_REFUSED.includes(attempt.status);
}

/** The body a request carried, parsed when it is JSON. */
function sentBody(ex: Exchange): unknown {
  try {
    return JSON.parse(ex.requestBody ?? '');
  } catch {
    return ex.requestBody ?? '';
  }
}

export const terminateActive = defineCheck<TerminateInput>(import.meta.url, 'terminate_active', ({ ref, reason, source, attempt: ex, requests, now, history }, env) => {
  if (refusedKitTermination(ex, source)) {
    // the target's answer, when it has one, often names the field it wanted
    const answer = ex.bytes === 0 ? '' : `: ${env.show(ex.isJson() ? ex.json() : ex.text().replace(/\s+/g, ' ').trim(), 160)}`;
    return {
      passed: 0,
      findings: [],
      skip: `the target refused the kit's guessed termination body (${ex.status}${answer}) for ${ref}; the kit sent ${env.show(sentBody(ex), 120)}, guessed from the order request's fields (the documentation names none); give a body this target accepts with --terminate-body FILE`,
    };
  }
  // any 2xx acknowledges the termination; its effects are then verified
  const what = source === 'user' ? `termination of active order ${ref} with the --terminate-body body` : `termination of active order ${ref} with reason "${reason}"`;
  const status = statusJudgement(ex, SUCCESS, what);
  if (status.findings.length > 0) return status;
  const terminate = env.lifecycle.actions.get('terminate');
  const after = [terminate?.via, terminate?.to].filter((s): s is string => !!s);
  const parts = [status];
  if (ex.bytes > 0) parts.push(schemaJudgement(env, ex, 'requestOrderAction'));
  const findings: Finding[] = [];
  const rows = requests?.rows ?? [];
  const wanted = reason === undefined ? 'an order request' : `an order request with reason "${reason}"`;
  if (!rows.some((r) => r.order_reference === ref && (reason === undefined || r.reason === reason))) {
    findings.push({ message: `termination of ${ref}: expected ${wanted} / received ${rows.length} request(s) without it`, ...effect(requests?.exchange, [ex]), expected: wanted, received: `${rows.length} request(s) without it` });
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

/**
 * ORD-CONSISTENT: one order, one state: the list's, the detail's and the one
 * the last history entry stands for (through `x-lifecycle`'s history
 * vocabulary) agree. Judged on each sampled order the run did not change; a
 * detail that gives no order state cannot be compared (and says why), but a
 * misspelt one that differs from the list is still a disagreement.
 *
 * A live target moves under a run (ANALYSIS.md, rule 2): the list is read
 * first, then the detail and the history together. States that differ but
 * lie on one forward path of the lifecycle in that order may be an order that
 * moved between the reads, so the side that lags is read again (`secondLook`:
 * its list page when it is behind the detail, the detail when it is behind
 * the history) after the others, a second later. Still behind, the contradiction is
 * confirmed: the list behind the detail is an error in every profile (list ↔
 * detail is D once confirmed), the detail behind the history keeps the
 * check's own severity (I); caught up, it is a warning that says the order
 * moved during the run; not read again, a warning that says why. A list and a
 * detail on no forward path (a move backwards, out of a final state) need no
 * second look: no run explains them. The last history entry against the state
 * alone is I (the documentation's own examples disagree): the check's own
 * severity.
 */
import { canReach } from '../../contract/lifecycle.ts';
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type JudgeEnv, type Judgement } from '../define.ts';

export interface ConsistencyInput {
  ref: string;
  /** the order's state as the list gave it */
  listState: string;
  detail: Exchange;
  history: Exchange;
  /** the second look `secondLook` asked for: the order's list page read again (and its row's state there), the detail read again */
  again?: { list?: { page: Exchange; state: string | undefined }; detail?: Exchange };
}

/** The states the three reads show (`shown`: the detail's, when it is an order state; `historyState`: the one the last entry stands for). */
function statesOf({ detail, history }: ConsistencyInput, env: JudgeEnv): { shown: string | undefined; raw: unknown; last: string | undefined; historyState: string | undefined; empty: boolean } {
  const raw = detail.status === 200 ? (detail.json() as { state?: unknown } | undefined)?.state : undefined;
  const shown = typeof raw === 'string' && env.lifecycle.order.states.includes(raw) ? raw : undefined;
  // only the last entry stands for the order's state (a history that is no list is history_schema's finding)
  const results = history.status === 200 ? (history.json() as { results?: unknown } | undefined)?.results : undefined;
  const entries = Array.isArray(results) ? results : undefined;
  const last = entries && entries.length > 0 ? String((entries[entries.length - 1] as { state?: unknown } | null)?.state) : undefined;
  return { shown, raw, last, historyState: last === undefined ? undefined : env.lifecycle.orderStateOf.get(last), empty: entries?.length === 0 };
}

/**
 * Which reads a second look must make again: the list (its row is behind the
 * detail) and the detail (behind the history), when the three states lie on
 * one forward path in the order they were read. None: the states agree, or no
 * move during the run explains them.
 */
export function secondLook(input: ConsistencyInput, env: JudgeEnv): { list: boolean; detail: boolean } | undefined {
  return lookFor(input.listState, statesOf(input, env), env);
}

/** secondLook on the states already read (the check reads them once for both). */
function lookFor(listState: string, { shown, historyState }: { shown: string | undefined; historyState: string | undefined }, env: JudgeEnv): { list: boolean; detail: boolean } | undefined {
  if (shown === undefined || historyState === undefined || (listState === shown && historyState === shown)) return undefined;
  const forward = (from: string, to: string): boolean => canReach(env.lifecycle.order, from, to);
  if (!forward(listState, shown) || !forward(listState, historyState) || !(forward(shown, historyState) || forward(historyState, shown))) return undefined;
  // the list read again when it is behind the detail (list ↔ detail is D once confirmed), the detail when it is behind the history (I)
  const look = { list: listState !== shown, detail: shown !== historyState && forward(shown, historyState) };
  return look.list || look.detail ? look : undefined;
}

/**
 * A disagreement; `confirmed`: the list and the detail contradict each other
 * in a way no move during the run explains, an error in every profile;
 * otherwise the check's own severity.
 */
function disagreement(ref: string, detail: Exchange, parts: string[], value: unknown, confirmed = false): Judgement {
  return { passed: 0, findings: [{ message: `order ${ref}: expected one state everywhere / received: ${parts.join('; ')}`, exchange: detail, pointer: '/state', value, ...(confirmed ? { severity: 'error' as const } : {}) }] };
}

export const stateConsistency = defineCheck<ConsistencyInput>(import.meta.url, 'state_consistency', (input, env): Judgement => {
  const { ref, listState, detail, again } = input;
  const states = statesOf(input, env);
  const { shown, raw, last, historyState, empty } = states;
  if (shown === undefined) {
    const skip = typeof raw !== 'string' ? `the detail of ${ref} gave no state to compare (${detail.status ?? detail.error?.message})` : `the detail of ${ref} says "${raw}", not an order state, so the states could not be compared`;
    if (typeof raw === 'string' && raw !== listState) return { ...disagreement(ref, detail, [`the list says "${listState}" but the detail says "${raw}"`], raw), skip };
    return { passed: 0, findings: [], skip };
  }
  const forward = (from: string, to: string): boolean => canReach(env.lifecycle.order, from, to);
  const look = lookFor(listState, states, env);
  if (look && historyState !== undefined) {
    const read = `the list said "${listState}", then the detail "${shown}" and the last history entry "${last}" (standing for "${historyState}")`;
    // looked at twice: a side read again after the others, still behind what they showed, did not see a move during the run
    const stale: string[] = [];
    // the list still behind the detail: D, an error; the detail still behind the history alone: I, the check's own severity
    let listStale = false;
    const caught: string[] = [];
    const notAgain: string[] = [];
    if (look.list) {
      const now = again?.list?.state;
      if (!again?.list) notAgain.push('the list page was not read again');
      else if (now === undefined) notAgain.push(`its list page, read again, no longer holds it (${again.list.page.status ?? again.list.page.error?.message})`);
      else if (now !== shown && !forward(shown, now)) {
        stale.push(`the list, read again after the detail and the history, still says "${now}"`);
        listStale = true;
      } else caught.push(`the list, read again, says "${now}"`);
    }
    if (look.detail) {
      const d = again?.detail;
      const now = d?.status === 200 ? (d.json() as { state?: unknown } | undefined)?.state : undefined;
      if (!d) notAgain.push('the detail was not read again');
      else if (typeof now !== 'string') notAgain.push(`the detail, read again, gave no state (${d.status ?? d.error?.message})`);
      else if (now !== historyState && !forward(historyState, now)) stale.push(`the detail, read again after the history, still says "${now}"`);
      else caught.push(`the detail, read again, says "${now}"`);
    }
    if (stale.length > 0) {
      const at = listStale && again?.list ? again.list.page : (again?.detail ?? detail);
      return { passed: 0, findings: [{ message: `order ${ref}: expected one state everywhere / received: ${read}; ${stale.join('; ')} (confirmed: the order did not move during the run)`, exchange: at, pointer: '/state', value: shown, ...(listStale ? { severity: 'error' as const } : {}) }] };
    }
    const why = [...caught, ...notAgain].join('; ');
    const message = `order ${ref}: ${read}, states the lifecycle reaches in the order they were read: the order most likely moved during the run (${why}), so this is not confirmed`;
    return { passed: 0, findings: [{ message, exchange: detail, pointer: '/state', value: shown, severity: 'warning', unconfirmed: true }] };
  }
  const disagree: string[] = [];
  if (listState !== shown) disagree.push(`the list says "${listState}" but the detail says "${shown}"`);
  if (historyState !== undefined && historyState !== shown) disagree.push(`the last history entry "${last}" stands for "${historyState}" but the detail says "${shown}"`);
  if (empty) disagree.push('the history is empty');
  // the list and the detail on no forward path of the lifecycle (a move backwards, out of a final state): no run explains it
  return disagree.length > 0 ? disagreement(ref, detail, disagree, shown, listState !== shown && !forward(listState, shown)) : { passed: 1, findings: [] };
});

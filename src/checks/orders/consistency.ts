/**
 * ORD-CONSISTENT: one order, one state: the list's, the detail's and the one
 * the last history entry stands for (through `x-lifecycle`'s history
 * vocabulary) agree. Judged on each sampled order the run did not change; a
 * detail that gives no order state cannot be compared (and says why), but a
 * misspelt one that differs from the list is still a disagreement. States
 * that differ but lie on one forward path of the lifecycle in the order they
 * were read (the list first, then the detail and the history together) may
 * show an order that moved during the run (ANALYSIS.md rule 2). The server's
 * own dates look twice: the last history entry's change_date dates the move
 * to its state, and a read made after that (its Date header; the list's is
 * its first page's) that still shows an earlier state is a confirmed
 * disagreement. Otherwise it is a warning that says the order most likely
 * moved, and whether the dates show it.
 */
import { canReach } from '../../contract/lifecycle.ts';
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type Judgement } from '../define.ts';

export interface ConsistencyInput {
  ref: string;
  /** the order's state as the list gave it */
  listState: string;
  detail: Exchange;
  history: Exchange;
  /** the Date header of the list's first page: the list was read at or after it */
  listedAt?: string;
}

/**
 * A disagreement; `confirmed`: the list and the detail contradict each other
 * in a way no move during the run explains (ANALYSIS.md: list ↔ detail is D
 * once confirmed, an error in every profile); otherwise the check's own
 * severity (the last history entry against the state is I).
 */
function disagreement(ref: string, detail: Exchange, parts: string[], value: unknown, confirmed = false): Judgement {
  return { passed: 0, findings: [{ message: `order ${ref}: expected one state everywhere / received: ${parts.join('; ')}`, exchange: detail, pointer: '/state', value, ...(confirmed ? { severity: 'error' as const } : {}) }] };
}

/** A time the server gave (an HTTP date, an ISO 8601 change_date), or NaN. */
const when = (v: unknown): number => (typeof v === 'string' ? Date.parse(v) : Number.NaN);

export const stateConsistency = defineCheck<ConsistencyInput>(import.meta.url, 'state_consistency', ({ ref, listState, detail, history, listedAt }, env): Judgement => {
  // the detail's state as it reads, valid or not
  const s = detail.status === 200 ? (detail.json() as { state?: unknown } | undefined)?.state : undefined;
  const shown = typeof s === 'string' ? s : undefined;
  if (shown === undefined || !env.lifecycle.order.states.includes(shown)) {
    const skip = shown === undefined ? `the detail of ${ref} gave no state to compare (${detail.status ?? detail.error?.message})` : `the detail of ${ref} says "${shown}", not an order state, so the states could not be compared`;
    if (shown !== undefined && shown !== listState) return { ...disagreement(ref, detail, [`the list says "${listState}" but the detail says "${shown}"`], shown), skip };
    return { passed: 0, findings: [], skip };
  }
  // only the last entry stands for the order's state (a history that is no list is history_schema's finding)
  const results = history.status === 200 ? (history.json() as { results?: unknown } | undefined)?.results : undefined;
  const entries = Array.isArray(results) ? results : undefined;
  const lastEntry = entries && entries.length > 0 ? (entries[entries.length - 1] as { state?: unknown; change_date?: unknown } | null) : undefined;
  const last = entries && entries.length > 0 ? String(lastEntry?.state) : undefined;
  const historyState = last === undefined ? undefined : env.lifecycle.orderStateOf.get(last);
  // a live target moves under a run (ANALYSIS.md rule 2): the list read first, then the detail and the history together; three states on one forward path of the lifecycle most likely show an order that moved between the reads
  const forward = (from: string, to: string): boolean => canReach(env.lifecycle.order, from, to);
  if (historyState !== undefined && (listState !== shown || historyState !== shown) && forward(listState, shown) && forward(listState, historyState) && (forward(shown, historyState) || forward(historyState, shown))) {
    // looked at twice: a read made after the dated move that still shows a state before it did not see a move during the run
    const movedAt = when(lastEntry?.change_date);
    const reads = [
      { what: 'the list', state: listState, date: listedAt },
      { what: 'the detail', state: shown, date: detail.headers.date },
    ];
    const stale = reads.find((r) => r.state !== historyState && forward(r.state, historyState) && movedAt < when(r.date));
    if (stale) {
      const message = `order ${ref}: expected one state everywhere / received: the last history entry "${last}" dates the order "${historyState}" at ${String(lastEntry?.change_date)}, before ${stale.what} was read (Date: ${stale.date}), yet ${stale.what} says "${stale.state}" (confirmed by the server's own dates: the order did not move during the run)`;
      return { passed: 0, findings: [{ message, exchange: detail, pointer: '/state', value: shown, severity: 'error' }] };
    }
    const dated = movedAt >= when(listedAt) ? `its last history entry dates the move at ${String(lastEntry?.change_date)}, after the list was read (Date: ${listedAt})` : 'no date of the server shows when it moved';
    const message = `order ${ref}: the list said "${listState}", then the detail "${shown}" and the last history entry "${last}" (standing for "${historyState}"), states the lifecycle reaches in the order they were read: the order most likely moved during the run (${dated}), so this is not confirmed`;
    return { passed: 0, findings: [{ message, exchange: detail, pointer: '/state', value: shown, severity: 'warning' }] };
  }
  const disagree: string[] = [];
  if (listState !== shown) disagree.push(`the list says "${listState}" but the detail says "${shown}"`);
  if (historyState !== undefined && historyState !== shown) disagree.push(`the last history entry "${last}" stands for "${historyState}" but the detail says "${shown}"`);
  if (entries && entries.length === 0) disagree.push('the history is empty');
  // the list and the detail on no forward path of the lifecycle (a move backwards, out of a final state): no run explains it
  return disagree.length > 0 ? disagreement(ref, detail, disagree, shown, listState !== shown && !forward(listState, shown)) : { passed: 1, findings: [] };
});

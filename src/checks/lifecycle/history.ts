/**
 * The rules a history must keep (HIST-ORDER, HIST-VOCAB, HIST-TIME,
 * HIST-STEPS), one check each, judged on one order's history answer
 * (GET /api/v1/order/{ref}/historic/, already answered 200 and read as
 * JSON). The lifecycle itself (transitions, production steps, the history
 * vocabulary) comes from `x-lifecycle` in openapi.yaml through
 * src/contract/lifecycle.ts.
 */
import type { Exchange } from '../../harness/http.ts';
import { judgeHistory, type HistoryIssue, type HistoryIssueRule } from '../../contract/lifecycle.ts';
import type { CheckName } from '../catalog.ts';
import { defineCheck, type Check, type Finding } from '../define.ts';

export interface HistoryInput {
  /** the order's reference, for the message */
  ref: string;
  /** the history answer */
  history: Exchange;
}

/** The entries of a history answer, oldest first, as the rules read them (undefined when `results` is not an array). */
export function historyEntries(ex: Exchange): { state: string; change_date: string }[] | undefined {
  const results = (ex.json() as { results?: unknown } | undefined)?.results;
  if (!Array.isArray(results)) return undefined;
  return results.map((r) => ({ state: String((r as { state?: unknown })?.state), change_date: String((r as { change_date?: unknown })?.change_date ?? '') }));
}

/** the entries and issues of each history answer, worked out once for the four rules */
const judged = new WeakMap<Exchange, { entries: { state: string; change_date: string }[]; issues: HistoryIssue[] } | null>();

function historyRule(url: string, name: CheckName, rule: HistoryIssueRule): Check<HistoryInput> {
  return defineCheck<HistoryInput>(url, name, ({ ref, history }, env) => {
    let seen = judged.get(history);
    if (seen === undefined) {
      const entries = historyEntries(history);
      seen = entries ? { entries, issues: judgeHistory(env.lifecycle, entries) } : null;
      judged.set(history, seen);
    }
    if (seen === null) return { passed: 0, findings: [], skip: `the history of ${ref} has no results list` };
    const { entries } = seen;
    const mine = seen.issues.filter((i) => i.rule === rule);
    const findings: Finding[] = mine.map((i) => ({
      message: `order ${ref}, history entry ${i.index}: ${i.message}`,
      exchange: history,
      pointer: `/results/${i.index}/state`,
      value: entries[i.index]?.state,
      received: env.redactor.cut(entries.map((e) => e.state).join(' → '), 600),
    }));
    return { passed: mine.length === 0 ? 1 : 0, findings };
  });
}

export const historyOrder = historyRule(import.meta.url, 'history_order', 'HIST-ORDER');
export const historyVocabulary = historyRule(import.meta.url, 'history_vocabulary', 'HIST-VOCAB');
export const historyTimestamps = historyRule(import.meta.url, 'history_timestamps', 'HIST-TIME');
export const historySteps = historyRule(import.meta.url, 'history_steps', 'HIST-STEPS');

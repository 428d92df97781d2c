/**
 * EXP-FRESH: an export started after a change the server acknowledged shows
 * the change. The run terminates an order of its own (terminate_active),
 * then a colleague starts an export (the user's own window is still shut);
 * its file must hold the order in a state the termination leads to. A stale
 * row is an error when the order's detail, read after the download, shows
 * the new state (the server contradicts itself), a warning otherwise.
 */
import type { Exchange } from '../../harness/http.ts';
import { both } from '../response.ts';
import { defineCheck, type Judgement } from '../define.ts';
import { downloadProblem, judgeDownload, judgePolls, successOf, type TaskDownload } from './task.ts';

export interface ExportFreshInput {
  /** the order the run terminated before the colleague's export started (undefined: none was) */
  terminated?: string;
  /** the colleague's export start */
  colleague: Exchange;
  /** the colleague's task: its status answers, as polled */
  polls?: Exchange[];
  waitMs: number;
  /** the status URL, for the evidence when no poll was made */
  url: string;
  /** the colleague's download, streamed against the one listed reference (the terminated order) */
  download?: TaskDownload;
  /** the terminated order's detail, read after the download */
  detail?: Exchange;
}

/** The colleague's task id, when the start was accepted with one. */
export function colleagueTask(colleague: Exchange): string | undefined {
  const taskId = (colleague.json() as { task_id?: unknown } | undefined)?.task_id;
  if (colleague.status === undefined || colleague.status < 200 || colleague.status > 299 || typeof taskId !== 'string') return undefined;
  return taskId;
}

export const exportFresh = defineCheck<ExportFreshInput>(import.meta.url, 'export_fresh', (input, env) => {
  const { terminated: ref, colleague } = input;
  if (!ref) return { passed: 0, findings: [], skip: 'the run terminated no order (terminate_active did not run or did not succeed), so there is no change to look for' };
  const taskId = colleagueTask(colleague);
  if (taskId === undefined) return { passed: 0, findings: [], skip: `the colleague's export did not start (${colleague.status ?? colleague.error?.message})` };
  const polls = input.polls ?? [];
  const polled = judgePolls({ taskId, polls, waitMs: input.waitMs, url: input.url });
  const last = polls[polls.length - 1];
  if (!last || last.status !== 200 || successOf(last) !== true || !input.download) return polled;
  const downloaded = judgeDownload(input.download, false);
  const summary = input.download.summary;
  if (downloadProblem(input.download) !== undefined || !summary) return both(polled, downloaded);
  const ex = input.download.exchange;
  const terminate = env.lifecycle.actions.get('terminate');
  const after = [terminate?.via, terminate?.to].filter((x): x is string => !!x);
  // the row of the terminated order, read again from the stream summary: it is the one listed reference
  const row = summary.stateMismatch.find((m) => m.ref === ref);
  const detailState = (input.detail?.json() as { state?: unknown } | undefined)?.state;
  const note = `the run terminated ${ref} before this export started; its detail now says ${JSON.stringify(detailState)}`;
  let fresh: Judgement;
  const csvState = row?.csv;
  // the documentation does not name the CSV's columns: without a column of references or of states there is nothing to look for
  const cannot = (what: string): Judgement => {
    const j = both(polled, downloaded);
    return j.findings.length > 0 ? j : { passed: 0, findings: [], skip: `the colleague's export has no column the kit could tell holds the order ${what} (header: ${summary.header.join(',')}), so the change could not be looked for` };
  };
  if (summary.refColumn < 0) return cannot('references');
  if (summary.missing === 0 && summary.stateColumn < 0) return cannot('states');
  if (summary.missing !== 0) fresh = { passed: 0, findings: [{ message: `export started after terminating ${ref}: expected the order in the file / received no row for it (${summary.rows} rows)`, exchange: ex, note, severity: 'error' }] };
  else if (csvState === undefined || after.includes(csvState)) fresh = { passed: 1, findings: [] };
  else if (typeof detailState === 'string' && after.includes(detailState))
    fresh = { passed: 0, findings: [{ message: `export started after terminating ${ref}: expected its state ${after.join(' or ')} / received "${csvState}" (the order's detail says "${detailState}": a stale export)`, exchange: ex, expected: after.join(' or '), received: csvState, severity: 'error' }] };
  else fresh = { passed: 0, findings: [{ message: `export started after terminating ${ref}: expected its state ${after.join(' or ')} / received "${csvState}" (the detail says ${JSON.stringify(detailState)}, so this is not confirmed)`, exchange: ex, note, severity: 'warning', unconfirmed: true }] };
  return both(polled, downloaded, fresh);
});

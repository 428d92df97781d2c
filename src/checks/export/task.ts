/**
 * What the export checks read of an export task: its status answers, polled
 * until final or the deadline, and its download, parsed as a stream by the
 * driver (src/engine/phases/export.ts, `crossCheckCsv`) into a summary —
 * memory holds the order list, never the file. Shared by the user's export
 * (EXP-STATUS, EXP-DOWNLOAD, EXP-CONTENT) and the colleague's (EXP-FRESH).
 */
import type { Exchange } from '../../harness/http.ts';
import { both, statusJudgement } from '../response.ts';
import type { Finding, Judgement } from '../define.ts';

/** The CSV of an export as the stream left it: the header, the row count, and how the rows met the order list. */
export interface CsvSummary {
  header: string[];
  rows: number;
  /** references in the CSV but not in the list */
  unknown: string[];
  /** references listed more than once */
  duplicates: string[];
  /** rows whose state differs from the list */
  stateMismatch: { ref: string; csv: string; list: string }[];
  /** list references missing from the CSV */
  missing: number;
  /** the first few of them */
  missingRefs: string[];
  refColumn: number;
  stateColumn: number;
}

/** A task's status answers, oldest first, as the driver polled them. */
export interface TaskPolls {
  taskId: string;
  /** every status answer; polling stops at the first that is not 200, at a final `success`, or at the deadline */
  polls: Exchange[];
  /** how long the driver waited for a final answer (--wait-ms) */
  waitMs: number;
  /** the status URL, for the evidence when no poll was made */
  url: string;
}

/** An export's download, streamed through the CSV cross-check. */
export interface TaskDownload {
  taskId: string;
  exchange: Exchange;
  /** the stream's summary, when the body parsed */
  summary?: CsvSummary;
  /** why the body did not parse as CSV text */
  error?: string;
}

/** The `success` of a status answer. */
export function successOf(ex: Exchange): unknown {
  return (ex.json() as { success?: unknown } | undefined)?.success;
}

/**
 * Each status answer 200, and a final `success` within the wait. `each`
 * judges the body of every 200 answer further (EXP-STATUS: its schema and
 * task_id).
 */
export function judgePolls({ taskId, polls, waitMs, url }: TaskPolls, each: (ex: Exchange) => Judgement = () => ({ passed: 0, findings: [] })): Judgement {
  const parts: Judgement[] = [];
  let success: unknown = null;
  for (const ex of polls) {
    const status = statusJudgement(ex, [200], `status of export ${taskId}`);
    parts.push(status);
    if (status.findings.length > 0) return both(...parts);
    parts.push(each(ex));
    success = successOf(ex);
    if (success === true || success === false) return both(...parts);
  }
  const last = polls[polls.length - 1];
  const timeout: Finding = { message: `export ${taskId}: expected success to become true or false within ${waitMs} ms / received ${JSON.stringify(success)}` };
  if (last) timeout.exchange = last;
  else timeout.evidence = { method: 'GET', url };
  parts.push({ passed: 0, findings: [timeout] });
  return both(...parts);
}

/** Why a download cannot be read further (no 200, no CSV, no header), or undefined when it can. */
export function downloadProblem(d: TaskDownload): string | undefined {
  if (d.exchange.status !== 200) return `the download answered ${d.exchange.status ?? d.exchange.error?.message}`;
  if (d.error !== undefined || !d.summary) return String(d.error);
  if (d.summary.header.length === 0) return 'it is empty';
  return undefined;
}

/** A download answered 200 with CSV that parses and has a header row; `typed` also asks for Content-Type text/csv (EXP-DOWNLOAD). */
export function judgeDownload(d: TaskDownload, typed: boolean): Judgement {
  const ex = d.exchange;
  const status = statusJudgement(ex, [200], `download of export ${d.taskId}`);
  if (status.findings.length > 0) return status;
  const findings: Finding[] = [];
  if (typed && ex.contentType() !== 'text/csv') findings.push({ message: `export download: expected Content-Type text/csv / received ${JSON.stringify(ex.headers['content-type'] ?? 'none')}`, exchange: ex, expected: 'text/csv', received: ex.headers['content-type'] ?? 'none' });
  if (d.error !== undefined || !d.summary) {
    findings.push({ message: `export download: expected CSV that parses / received ${d.error}`, exchange: ex });
    return both(status, { passed: 0, findings });
  }
  if (d.summary.header.length === 0) {
    findings.push({ message: 'export download: expected a header row / received an empty file', exchange: ex });
    return both(status, { passed: 0, findings });
  }
  return both(status, { passed: 1, findings });
}

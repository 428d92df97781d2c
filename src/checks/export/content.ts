/**
 * EXP-CONTENT: the export's rows against the order list read earlier
 * (count, references, states), from the summary the streaming parse left.
 * A difference is a server that contradicts itself only once confirmed
 * (ANALYSIS.md rule 2): a live staging changes under a run, so the driver
 * reads the orders at fault again — a reference the CSV has and the list did
 * not, now readable, is an order created during the run; a state that
 * differs, where the order's detail now says what the CSV says, or a state
 * the lifecycle reaches from the CSV's (the export caught the order between
 * the list and the detail: listed → CSV → detail along documented
 * transitions), is an order that moved. What is explained so is a warning
 * that says why; what is not is an error.
 */
import { canReach } from '../../contract/lifecycle.ts';
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type Finding } from '../define.ts';
import { downloadProblem, type TaskDownload } from './task.ts';

export interface ExportContentInput {
  download: TaskDownload;
  /** how many orders the list held when it was read */
  listed: number;
  /** orders the run itself changed: a state that differs on them is the run's doing */
  touched: readonly string[];
  /** the detail of each order at fault (the summary's unknown, missing and differing references), read after the download */
  reread: { ref: string; exchange: Exchange }[];
}

/** The orders at fault in a summary, which the driver reads again: references unknown to the list, then missing ones, then differing states on orders the run did not touch. */
export function refsToReread(d: TaskDownload, touched: ReadonlySet<string>): string[][] {
  const s = d.summary;
  if (!s || downloadProblem(d) !== undefined || s.refColumn < 0) return [];
  return [s.unknown, s.missing > 0 ? s.missingRefs : [], s.stateMismatch.filter((m) => !touched.has(m.ref)).map((m) => m.ref)];
}

/** When a header is one field holding `;` or tabs, the file was most likely written with another delimiter. */
function delimiterHint(header: string[]): string {
  if (header.length !== 1) return '';
  const h = header[0] ?? '';
  const d = [';', '\t', '|'].find((c) => h.includes(c));
  return d ? ` (one column only: the delimiter looks like ${d === '\t' ? 'a tab' : `\`${d}\``}, where CSV uses \`,\`)` : '';
}

/** An order's state as its detail reads now: '(gone)' when it answers 404, undefined when it cannot be read. */
function stateNow(ex: Exchange | undefined): string | undefined {
  if (!ex) return undefined;
  const st = ex.status === 200 ? (ex.json() as { state?: unknown } | undefined)?.state : undefined;
  return ex.status === 404 ? '(gone)' : typeof st === 'string' ? st : undefined;
}

export const exportContent = defineCheck<ExportContentInput>(import.meta.url, 'export_content', ({ download, listed, touched, reread }, env) => {
  const problem = downloadProblem(download);
  const result = download.summary;
  if (problem !== undefined || !result) return { passed: 0, findings: [], skip: `the export file could not be compared: ${problem}` };
  const ex = download.exchange;
  const note = `header: ${result.header.join(',')}`;
  if (result.refColumn < 0) {
    return { passed: 0, findings: [{ message: `export: expected a column of order references to compare with the list / received header ${result.header.join(',')}${delimiterHint(result.header)}`, exchange: ex, note }] };
  }
  const now = new Map(reread.map((r) => [r.ref, stateNow(r.exchange)]));
  const confirmed: string[] = [];
  const explained: string[] = [];
  if (result.duplicates.length > 0) confirmed.push(`references twice: ${result.duplicates.join(', ')}`);
  if (result.unknown.length > 0) {
    const known = (ref: string): boolean => {
      const st = now.get(ref);
      return st !== undefined && st !== '(gone)';
    };
    const created = result.unknown.filter(known);
    const strangers = result.unknown.filter((r) => !known(r));
    if (strangers.length > 0) confirmed.push(`references not in the list and unknown to the detail endpoint: ${strangers.join(', ')}`);
    if (created.length > 0) explained.push(`references not in the list read earlier, readable now (created during the run?): ${created.join(', ')}`);
  }
  if (result.missing > 0) {
    const stillThere = result.missingRefs.filter((ref) => {
      const st = now.get(ref);
      return st !== undefined && st !== '(gone)';
    });
    if (stillThere.length > 0 || result.missingRefs.length === 0) confirmed.push(`${result.missing} listed order(s) missing from the export (${result.rows} rows for ${listed} listed), e.g. ${result.missingRefs.join(', ')}, still readable`);
    else explained.push(`${result.missing} listed order(s) missing, no longer readable (removed during the run?): ${result.missingRefs.join(', ')}`);
  }
  const mism = result.stateMismatch.filter((m) => !touched.includes(m.ref));
  if (mism.length > 0) {
    const order = env.lifecycle.order;
    // read in this order: the list, the export, the detail again; a move along documented transitions explains each step
    const movedThrough = (m: { ref: string; csv: string; list: string }): boolean => {
      const n = now.get(m.ref);
      return n !== undefined && n !== '(gone)' && n !== m.csv && order.states.includes(m.list) && canReach(order, m.list, m.csv) && canReach(order, m.csv, n);
    };
    const moved = mism.filter((m) => now.get(m.ref) === m.csv);
    const through = mism.filter((m) => now.get(m.ref) !== m.csv && movedThrough(m));
    const contradicts = mism.filter((m) => now.get(m.ref) !== m.csv && !movedThrough(m));
    if (contradicts.length > 0) confirmed.push(`states differing from the list and from the order's detail: ${contradicts.map((m) => `${m.ref} ${m.csv}≠${m.list} (detail: ${now.get(m.ref) ?? 'unreadable'})`).join(', ')}`);
    if (moved.length > 0) explained.push(`states that moved during the run (the detail now agrees with the export): ${moved.map((m) => `${m.ref} ${m.list}→${m.csv}`).join(', ')}`);
    if (through.length > 0) explained.push(`states that moved during the run (the export caught them on their way from the list's state to the detail's): ${through.map((m) => `${m.ref} ${m.list}→${m.csv}→${now.get(m.ref)}`).join(', ')}`);
  }
  const findings: Finding[] = [];
  if (confirmed.length > 0) findings.push({ message: `export: expected the rows to agree with the order list / received ${confirmed.join('; ')} (confirmed by reading the orders again)`, exchange: ex, note, severity: 'error' });
  if (explained.length > 0) findings.push({ message: `export: rows differ from the list, but the target changed during the run, so this is not confirmed: ${explained.join('; ')}`, exchange: ex, note, severity: 'warning', unconfirmed: true });
  return { passed: findings.length === 0 ? result.rows : 0, findings };
});

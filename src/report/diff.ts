/**
 * `conformance diff A.json B.json`: what changed between two runs, keyed by
 * the stable check name. A provider compares staging with the reference
 * server, or this release with the last; the exit status says whether B
 * regressed from A.
 *
 * - regressions: a check that passed, warned or was skipped in A and fails in
 *   B, a check new in B that fails, or a check that ran in A (pass or warn)
 *   and was not run in B (pass→skip: B covers less, so its verdict says less);
 * - fixed: a check that failed in A and passes or only warns in B;
 * - changedWarnings: a warning that appears, disappears or changes (message
 *   or number of violations), when the check neither regressed nor was fixed;
 * - newChecks / removedChecks: checks present in only one run;
 * - otherChanges: any other change of status (a failing check now skipped, a
 *   skipped one now passing, a failure whose message changed).
 *
 * Two sessions of client traffic (`conformance proxy`, `judge traffic.har`)
 * are diffed side by side: the report's own verdict and results are the
 * provider's, the client's are under `client`, and a regression of either
 * side is a regression.
 */
import { ConformanceError, asConformanceError } from '../errors.ts';
import { readReportFile } from './read.ts';
import type { Report, Result, Status } from './types.ts';

export interface DiffEntry {
  check: string;
  id: string;
  title: string;
  /** status in A, absent for a new check */
  before?: Status;
  /** status in B, absent for a removed check */
  after?: Status;
  beforeMessage?: string;
  afterMessage?: string;
}

export interface ReportDiff {
  regressions: DiffEntry[];
  fixed: DiffEntry[];
  changedWarnings: DiffEntry[];
  newChecks: DiffEntry[];
  removedChecks: DiffEntry[];
  otherChanges: DiffEntry[];
  verdict: { before: Report['verdict']; after: Report['verdict'] };
  /** run-level problems present only in B / only in A */
  problems: { added: string[]; removed: string[] };
  /** what makes the two runs hard to compare (other spec, profile, suite) */
  notes: string[];
  /** the client's side, when both reports judged a client's traffic (the fields above are then the provider's) */
  client?: ReportDiff;
}

/** Results by check name; a repeated name gets `#2`, `#3`… so nothing is lost. */
function byCheck(results: Result[]): Map<string, Result> {
  const map = new Map<string, Result>();
  for (const r of results) {
    let key = r.check;
    for (let n = 2; map.has(key); n++) key = `${r.check}#${n}`;
    map.set(key, r);
  }
  return map;
}

function entry(key: string, a: Result | undefined, b: Result | undefined): DiffEntry {
  const r = (b ?? a) as Result;
  const e: DiffEntry = { check: key, id: r.id, title: r.title };
  if (a) {
    e.before = a.status;
    e.beforeMessage = a.message;
  }
  if (b) {
    e.after = b.status;
    e.afterMessage = b.message;
  }
  return e;
}

export function diffReports(a: Report, b: Report): ReportDiff {
  const diff: ReportDiff = {
    regressions: [],
    fixed: [],
    changedWarnings: [],
    newChecks: [],
    removedChecks: [],
    otherChanges: [],
    verdict: { before: a.verdict, after: b.verdict },
    problems: {
      added: b.problems.filter((p) => !a.problems.includes(p)),
      removed: a.problems.filter((p) => !b.problems.includes(p)),
    },
    notes: [],
  };
  if (a.spec.sha256 !== b.spec.sha256) diff.notes.push(`the runs used different contracts (spec ${a.spec.sha256.slice(0, 12)} → ${b.spec.sha256.slice(0, 12)})`);
  if (a.profile !== b.profile) diff.notes.push(`the runs used different profiles (${a.profile} → ${b.profile})`);
  if (a.tool.suiteSha256 !== b.tool.suiteSha256) diff.notes.push(`the runs used different suites (${a.tool.version} → ${b.tool.version})`);

  if (a.client && b.client) {
    const side = (r: Report, c: NonNullable<Report['client']>): Report => ({ ...r, verdict: c.verdict, results: c.results, problems: [], client: undefined });
    diff.client = diffReports(side(a, a.client), side(b, b.client));
    diff.client.notes = [];
  } else if (a.client || b.client) {
    diff.notes.push(`only ${a.client ? 'A' : 'B'} judged a client's traffic: its client verdict (${(a.client ?? b.client)?.verdictLabel}) is not compared`);
  }

  const before = byCheck(a.results);
  const after = byCheck(b.results);
  for (const [key, ra] of before) {
    const rb = after.get(key);
    if (!rb) {
      diff.removedChecks.push(entry(key, ra, undefined));
      continue;
    }
    const e = entry(key, ra, rb);
    if (rb.status === 'fail' && ra.status !== 'fail') diff.regressions.push(e);
    else if (rb.status === 'skip' && (ra.status === 'pass' || ra.status === 'warn')) diff.regressions.push(e);
    else if (ra.status === 'fail' && (rb.status === 'pass' || rb.status === 'warn')) diff.fixed.push(e);
    else if (ra.status === 'warn' || rb.status === 'warn') {
      if (ra.status !== rb.status || ra.message !== rb.message || ra.violations !== rb.violations) diff.changedWarnings.push(e);
    } else if (ra.status !== rb.status || (ra.status === 'fail' && ra.message !== rb.message)) diff.otherChanges.push(e);
  }
  for (const [key, rb] of after) {
    if (before.has(key)) continue;
    const e = entry(key, undefined, rb);
    diff.newChecks.push(e);
    if (rb.status === 'fail') diff.regressions.push(e);
  }
  return diff;
}

/** B regressed from A: a check newly failing or no longer run, or the verdict turned from PASS to FAIL or INCOMPLETE. */
export function hasRegression(diff: ReportDiff): boolean {
  return diff.regressions.length > 0 || (diff.verdict.before === 'PASS' && diff.verdict.after !== 'PASS') || (diff.client !== undefined && hasRegression(diff.client));
}

export function isEmptyDiff(diff: ReportDiff): boolean {
  return (
    diff.regressions.length + diff.fixed.length + diff.changedWarnings.length + diff.newChecks.length + diff.removedChecks.length + diff.otherChanges.length === 0 &&
    diff.problems.added.length + diff.problems.removed.length === 0 &&
    diff.verdict.before === diff.verdict.after &&
    (diff.client === undefined || isEmptyDiff(diff.client))
  );
}

function oneLine(text: string | undefined, max = 160): string {
  const t = (text ?? '').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

function describe(e: DiffEntry, withMessage: 'before' | 'after'): string {
  const move = e.before && e.after ? `${e.before} → ${e.after}` : e.after ? `new, ${e.after}` : `was ${e.before}`;
  const message = withMessage === 'after' ? e.afterMessage : e.beforeMessage;
  return `${e.id} ${e.check} (${move})${message ? `: ${oneLine(message)}` : ''}`;
}

/** The sections of one side's diff (after its verdict line). */
function sections(diff: ReportDiff, indent: string): string[] {
  const lines: string[] = [];
  const section = (title: string, entries: DiffEntry[], mark: string, msg: 'before' | 'after') => {
    if (entries.length === 0) return;
    lines.push('', `${indent}${title} (${entries.length})`);
    for (const e of entries) lines.push(`${indent}  ${mark} ${describe(e, msg)}`);
  };
  section('Regressions', diff.regressions, '✗', 'after');
  section('Fixed', diff.fixed, '✓', 'before');
  section('Changed warnings', diff.changedWarnings, '!', 'after');
  section('New checks', diff.newChecks, '+', 'after');
  section('Removed checks', diff.removedChecks, '-', 'before');
  section('Other changes', diff.otherChanges, '~', 'after');
  if (diff.problems.added.length > 0) {
    lines.push('', `${indent}New run problems (${diff.problems.added.length})`);
    for (const p of diff.problems.added) lines.push(`${indent}  ✗ ${oneLine(p)}`);
  }
  if (diff.problems.removed.length > 0) {
    lines.push('', `${indent}Run problems gone (${diff.problems.removed.length})`);
    for (const p of diff.problems.removed) lines.push(`${indent}  ✓ ${oneLine(p)}`);
  }
  return lines;
}

function verdictLine(diff: ReportDiff, label: string): string {
  return `  ${label}: ${diff.verdict.before === diff.verdict.after ? `${diff.verdict.after} (unchanged)` : `${diff.verdict.before} → ${diff.verdict.after}`}`;
}

/** The diff as readable lines, for a terminal or a CI log; two sessions of client traffic side by side, the provider's then the client's. */
export function formatDiff(diff: ReportDiff, labelA = 'A', labelB = 'B'): string[] {
  const lines: string[] = [`conformance diff ${labelA} → ${labelB}`];
  const client = diff.client;
  lines.push(verdictLine(diff, client ? 'provider verdict' : 'verdict'));
  if (client) lines.push(verdictLine(client, 'client verdict'));
  for (const n of diff.notes) lines.push(`  note: ${n}`);
  if (isEmptyDiff(diff)) {
    lines.push('', `No difference between the two ${client ? 'sessions' : 'runs'}.`);
    return lines;
  }
  if (!client) lines.push(...sections(diff, ''));
  else {
    for (const [side, d] of [
      ['Provider', diff],
      ['Client', client],
    ] as const) {
      const own = sections(d, '  ');
      lines.push('', `${side} side${own.length === 0 ? ': no difference' : ''}`, ...own);
    }
  }
  lines.push('');
  const count = (d: ReportDiff): string => `${d.regressions.length} check(s) newly failing or no longer run${d.regressions.length === 0 ? ` and the verdict turned ${d.verdict.after}` : ''}`;
  if (!hasRegression(diff)) lines.push('No regression.');
  else if (!client) lines.push(`Regression: ${count(diff)}.`);
  else {
    const sides = [...(hasRegression({ ...diff, client: undefined }) ? [`provider: ${count(diff)}`] : []), ...(hasRegression(client) ? [`client: ${count(client)}`] : [])];
    lines.push(`Regression (${sides.join('; ')}).`);
  }
  return lines;
}

/**
 * Reads two conformance.json files and prints their difference through `out`.
 * Returns 0 when B has no regression from A, 1 on a regression, 2 when a file
 * is missing or not a report (its ConformanceError message is printed, no stack).
 */
export async function diffCommand(pathA: string, pathB: string, out: (line: string) => void, errOut: (line: string) => void = out): Promise<number> {
  let a: Report;
  let b: Report;
  try {
    a = (await readReportFile(pathA)).report;
    b = (await readReportFile(pathB)).report;
  } catch (err) {
    const e = err instanceof ConformanceError ? err : asConformanceError(err);
    errOut(`error ${e.code}: ${e.message}`);
    return e.exitCode;
  }
  const diff = diffReports(a, b);
  for (const line of formatDiff(diff, pathA, pathB)) out(line);
  return hasRegression(diff) ? 1 : 0;
}

/**
 * The verdict and its scope (ANALYSIS.md, "Could not certify"), computed in
 * one place for the run, the incomplete report and the fixtures: PASS only
 * when every error-severity check ran, `PASS (partial)` otherwise; INCOMPLETE
 * when the run could not judge the provider.
 */
import type { Report, Result } from './types.ts';

/** The verdict and its scope (ANALYSIS.md, "Could not certify"): what a report says it covers. */
export function verdictOf(results: Result[], errors: number, unavailable: string | undefined, incomplete: Report['incomplete']): Pick<Report, 'verdict' | 'verdictLabel' | 'complete' | 'notRun'> {
  const notRun = results.filter((r) => r.status === 'skip' && r.severity === 'error').map((r) => ({ check: r.check, id: r.id, reason: r.skipReason ?? r.message }));
  const complete = notRun.length === 0;
  // the run itself failing (dead target) is a failure, never a silent pass; a run that could not judge is neither
  const verdict = incomplete ? 'INCOMPLETE' : errors > 0 || results.some((r) => r.status === 'fail') || unavailable ? 'FAIL' : 'PASS';
  const verdictLabel = verdict === 'PASS' && !complete ? 'PASS (partial)' : verdict;
  return { verdict, verdictLabel, complete, notRun };
}

/** One line that says what the verdict covers, for every format. */
export function scopeLine(report: Pick<Report, 'verdict' | 'complete' | 'notRun' | 'incomplete' | 'summary'>): string {
  if (report.verdict === 'INCOMPLETE') return `Could not certify: ${report.incomplete?.message ?? 'the run stopped'}${report.incomplete ? ` [${report.incomplete.code}]` : ''}`;
  if (report.complete) return `Complete: every error-severity check ran (${report.summary.total - report.summary.skip} of ${report.summary.total} checks ran).`;
  const names = report.notRun.map((n) => n.check);
  return `Partial: ${names.length} error-severity check${names.length === 1 ? '' : 's'} not run (${names.slice(0, 12).join(', ')}${names.length > 12 ? `, and ${names.length - 12} more` : ''}).`;
}

/**
 * `reports/summary.txt`: the summary for logs that do not render Markdown
 * (a GitLab job log, `cat` in a terminal): plain lines, no Markdown escapes,
 * no HTML, no colour. Server text is made harmless for a log: control
 * characters (ESC and the C1 controls included) become U+FFFD and CI
 * workflow commands are defused (`::error::` → `: :error: :`, `##vso[` →
 * `# #vso[`). Each reproduction command is printed once.
 */
import { clean, truncate } from './escape.ts';
import { countsSentence, exchangeLine, formatDate, formatDuration, formatValue, sharedCauses, shortHash } from './format.ts';
import { reproductions } from './markdown.ts';
import type { Report } from './types.ts';
import { scopeLine } from './verdict.ts';

const MAX_ROWS = 50;

/** One line of server text, safe in a CI log. */
export function logText(value: unknown): string {
  // eslint-disable-next-line no-control-regex
  return clean(String(value ?? ''))
    .replace(/[\u0080-\u009f]/g, '\uFFFD')
    .replace(/\r?\n|\r/g, ' ')
    .replace(/::/g, ': :')
    .replace(/##vso\[/gi, '# #vso[');
}

/** A multi-line block (a curl), each line made safe, indented. */
function block(text: string, indent: string): string[] {
  return clean(text)
    .split(/\r?\n|\r/)
    .map((l) => `${indent}${logText(l)}`);
}

export function renderSummaryText(report: Report): string {
  const s = report.summary;
  const out: string[] = [];
  const target = `${report.target.baseUrl}${report.target.embedded ? ' (bundled reference server)' : ''}`;
  out.push(`Conformance ${report.verdictLabel}: ${logText(target)}`);
  out.push(logText(scopeLine(report)));
  for (const n of report.verdict !== 'INCOMPLETE' ? report.notRun.slice(0, MAX_ROWS) : []) out.push(`  not run: ${n.check} (${n.id}): ${logText(truncate(n.reason, 200))}`);
  out.push(`Profile ${report.profile} · ${formatDate(report.startedAt)} · ${formatDuration(report.durationMs)} · spec ${shortHash(report.spec.sha256)} · ${logText(report.tool.name)} ${logText(report.tool.version)} · seed ${report.seed}`);
  out.push(`${s.total} checks: ${countsSentence(s)}; ${s.errors} error finding(s), ${s.warnings} warning finding(s); ${s.requests} requests`);
  if (report.problems.length > 0) {
    out.push('', `Run problems (${report.problems.length}): the verdict covers only what could be checked`);
    for (const p of report.problems.slice(0, MAX_ROWS)) out.push(`  - ${logText(truncate(p, 500))}`);
  }
  const failures = report.results.filter((r) => r.status === 'fail');
  if (failures.length > 0) {
    out.push('', `Failures (${failures.length})`);
    for (const r of failures.slice(0, MAX_ROWS)) {
      out.push(`  FAIL ${r.id} ${r.check}: ${logText(truncate(r.message, 300))}`);
      const e = r.evidence[0];
      if (e) {
        out.push(`       ${logText(truncate(exchangeLine(e), 300))}${e.pointer !== undefined ? ` at ${logText(e.pointer || '(whole body)')} = ${logText(formatValue(e.value, 120))}` : ''}`);
        for (const c of e.causedBy ?? []) out.push(`       after ${logText(truncate(exchangeLine(c), 300))}`);
      }
    }
    const causes = sharedCauses(failures.slice(0, MAX_ROWS));
    if (causes.length > 0) {
      out.push('', `One cause, several checks (${causes.length})`);
      for (const c of causes.slice(0, MAX_ROWS)) out.push(`  ${logText(c.evidence.pointer || '(whole body)')} = ${logText(formatValue(c.evidence.value, 120))} in ${logText(truncate(exchangeLine(c.evidence), 200))}: ${c.checks.join(', ')}`);
    }
    const curls = reproductions(failures.slice(0, MAX_ROWS));
    if (curls.length > 0) {
      out.push('', 'Reproduce (each command once; credentials are read from $CONFORMANCE_TOKEN-style variables)');
      for (const c of curls) {
        out.push(`  # ${c.checks.join(', ')}`);
        for (const b of c.before) out.push('  # first, what caused it:', ...block(b, '  '));
        out.push(...block(c.curl, '  '));
      }
    }
  }
  const warnings = report.results.filter((r) => r.status === 'warn');
  if (warnings.length > 0) {
    out.push('', `Warnings (${warnings.length})`);
    for (const r of warnings.slice(0, MAX_ROWS)) out.push(`  WARN ${r.id} ${r.check}: ${logText(truncate(r.message, 300))}`);
  }
  const skips = report.results.filter((r) => r.status === 'skip');
  if (skips.length > 0) {
    out.push('', `Skipped (${skips.length})`);
    for (const r of skips.slice(0, MAX_ROWS)) out.push(`  SKIP ${r.id} ${r.check}: ${logText(truncate(r.skipReason ?? r.message, 300))}`);
  }
  for (const list of [failures, warnings, skips]) if (list.length > MAX_ROWS) out.push(`  … and ${list.length - MAX_ROWS} more: see index.html`);
  out.push('', "Full evidence: index.html, conformance.json and junit.xml in the run's reports.", '');
  return out.join('\n');
}

/**
 * `reports/summary.md`: a short summary for a CI job summary
 * (`$GITHUB_STEP_SUMMARY`) or a pull-request comment. Verdict line, counts,
 * run problems, failures (with the first reproduction `curl` of each),
 * warnings, skips with their reasons. Everything from the server is escaped:
 * a hostile message cannot add a link, an image or HTML to a comment.
 */
import { escapeHtml, escapeMarkdown as md, markdownCode as code, markdownFence, truncate } from './escape.ts';
import { concurrencyLine, exchangeLine, formatDate, formatDuration, formatValue, sharedCauses, shortHash } from './format.ts';
import { scopeLine } from './verdict.ts';
import type { Report, Result } from './types.ts';

/** Rows beyond this are left to index.html (a job summary is capped at 1 MiB). */
const MAX_ROWS = 50;

function more(total: number): string[] {
  return total > MAX_ROWS ? [``, `…and ${total - MAX_ROWS} more: see \`index.html\` in the reports.`] : [];
}

export function renderSummaryMarkdown(report: Report): string {
  const s = report.summary;
  const icon = report.verdict === 'PASS' ? (report.complete ? '✅' : '☑️') : report.verdict === 'INCOMPLETE' ? '🚧' : '❌';
  const target = `${report.target.baseUrl}${report.target.embedded ? ' (bundled reference server)' : ''}`;
  const failures = report.results.filter((r) => r.status === 'fail');
  const warnings = report.results.filter((r) => r.status === 'warn');
  const skips = report.results.filter((r) => r.status === 'skip');
  const out: string[] = [];

  out.push(`## ${icon} Conformance ${report.verdictLabel}: ${md(target)}`);
  out.push('');
  out.push(md(scopeLine(report)));
  if (report.verdict !== 'INCOMPLETE' && report.notRun.length > 0) {
    out.push('');
    for (const n of report.notRun.slice(0, MAX_ROWS)) out.push(`- not run: ${code(n.check)} (${code(n.id)}): ${md(truncate(n.reason, 200))}`);
    out.push(...more(report.notRun.length));
  }
  out.push('');
  out.push(
    `Profile **${md(report.profile)}** · ${md(formatDate(report.startedAt))} · ${md(formatDuration(report.durationMs))} · ` +
      `spec ${code(shortHash(report.spec.sha256))} · ${md(report.tool.name)} ${md(report.tool.version)} · seed ${code(report.seed)}` +
      (report.concurrency ? ` · ${md(concurrencyLine(report.concurrency))}` : ''),
  );
  out.push('');
  out.push('| total | ❌ failed | ⚠️ warnings | ⏭️ skipped | ✅ passed | error findings | warning findings | requests |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
  out.push(`| ${s.total} | ${s.fail} | ${s.warn} | ${s.skip} | ${s.pass} | ${s.errors} | ${s.warnings} | ${s.requests} |`);

  if (report.problems.length > 0) {
    out.push('', '### 🚧 Run problems', '');
    out.push('> [!WARNING]', '> The run was incomplete; the verdict covers only what could be checked.', '');
    for (const p of report.problems) out.push(`- ${md(p)}`);
  }

  if (failures.length > 0) {
    out.push('', `### ❌ Failures (${failures.length})`, '');
    out.push('| ID | check | message |', '|---|---|---|');
    for (const r of failures.slice(0, MAX_ROWS)) {
      out.push(`| ${code(r.id)} | ${code(r.check)} | ${md(truncate(r.message, 300))} |`);
    }
    out.push(...more(failures.length));
    const causes = sharedCauses(failures.slice(0, MAX_ROWS));
    if (causes.length > 0) {
      out.push('', `**One cause, several checks** (${causes.length}):`, '');
      for (const c of causes.slice(0, MAX_ROWS)) {
        out.push(`- ${code(c.evidence.pointer === '' ? '(whole body)' : c.evidence.pointer)} = ${code(formatValue(c.evidence.value, 120))} in ${code(truncate(exchangeLine(c.evidence), 200))} broke ${c.checks.map((k) => code(k)).join(', ')}`);
      }
    }
    const curls = reproductions(failures.slice(0, MAX_ROWS));
    if (curls.length > 0) {
      out.push('', '**Reproduce** (each command once; credentials are read from `$TOKEN`-style variables):', '');
      for (const c of curls) out.push(...curlBlock(c));
    }
  }

  if (warnings.length > 0) {
    out.push('', `### ⚠️ Warnings (${warnings.length})`, '');
    for (const r of warnings.slice(0, MAX_ROWS)) out.push(`- ${code(r.id)} ${code(r.check)}: ${md(truncate(r.message, 300))}`);
    out.push(...more(warnings.length));
  }

  if (skips.length > 0) {
    out.push('', `### ⏭️ Skipped (${skips.length})`, '');
    for (const r of skips.slice(0, MAX_ROWS)) out.push(`- ${code(r.id)} ${code(r.check)}: ${md(truncate(r.skipReason ?? r.message, 300))}`);
    out.push(...more(skips.length));
  }

  out.push('', `<sub>Full evidence: \`index.html\`, \`conformance.json\` and \`junit.xml\` in the run's reports.</sub>`, '');
  return out.join('\n');
}

/** A reproduction command and the checks whose first finding it shows. */
export interface Reproduction {
  curl: string;
  line: string;
  checks: string[];
  /** the writes to send first (the POST that caused the state), each once */
  before: string[];
}

/** The first reproduction of each failed check, each command once with every check it shows. */
export function reproductions(failures: Result[]): Reproduction[] {
  const byCurl = new Map<string, Reproduction>();
  for (const r of failures) {
    const e = r.evidence.find((x) => x.curl);
    if (!e?.curl) continue;
    const label = `${r.id} ${r.check}`;
    const known = byCurl.get(e.curl);
    if (known) {
      if (!known.checks.includes(label)) known.checks.push(label);
      continue;
    }
    byCurl.set(e.curl, { curl: e.curl, line: exchangeLine(e), checks: [label], before: (e.causedBy ?? []).map((c) => c.curl).filter((c): c is string => !!c) });
  }
  return [...byCurl.values()];
}

function curlBlock(c: Reproduction): string[] {
  // Only escaped text goes inside the HTML <summary>; the command sits in a fenced block.
  const summary = escapeHtml(`${c.checks.join(', ')}: ${truncate(c.line, 160)}`);
  const text = c.before.length > 0 ? [...c.before.map((b) => `# first, what caused it:\n${b}`), `# then what shows it:\n${c.curl}`].join('\n') : c.curl;
  return ['<details>', `<summary>${summary.replace(/\r?\n|\r/g, ' ')}</summary>`, '', markdownFence(text, 'sh'), '', '</details>', ''];
}

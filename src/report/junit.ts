/**
 * `reports/junit.xml`: the run as JUnit XML, the format every CI reads
 * (GitHub test reporters, GitLab `artifacts:reports:junit`, Jenkins).
 *
 * - one `<testsuite>` per area, one `<testcase>` per result, named `ID check`;
 * - `fail` → `<failure>` with the message and the evidence (curl included);
 * - `skip` → `<skipped>` with the reason;
 * - `warn` → a passing testcase whose `<system-out>` carries the warning;
 * - run-level problems (target unreachable, budget exhausted) → a testsuite
 *   `run` whose testcase `run problems` has an `<error>`: the run itself was
 *   incomplete, which JUnit tells apart from a failed assertion.
 */
import { escapeXml } from './escape.ts';
import { exchangeLine, formatValue, groupResults } from './format.ts';
import type { Evidence, Report, Result } from './types.ts';
import { scopeLine } from './verdict.ts';

const SUITES_NAME = 'Order Tracking API conformance';

/** The XSD's `timestamp`: an ISO 8601 date-time in UTC, without a timezone designator (the schema allows none). */
function timestamp(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '1970-01-01T00:00:00' : new Date(t).toISOString().slice(0, 19);
}

function seconds(ms: number | undefined): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}

/** The evidence of one result as plain text (the body of `<failure>` or `<system-out>`). */
export function evidenceText(r: Result): string {
  const lines: string[] = [r.message];
  if (r.violations > 0 || r.examined > 0) {
    const shown = r.evidence.length < r.violations ? ` (evidence for the first ${r.evidence.length})` : '';
    lines.push(`${r.violations} violation(s) in ${r.examined} examined${shown}`);
  }
  lines.push(`Requirement ${r.id} (${r.source}): ${r.title}`);
  if (r.doc) lines.push(`Documentation: ${r.doc}`);
  r.evidence.forEach((e, i) => {
    lines.push('', `#${i + 1} ${exchangeLine(e)}`);
    lines.push(...evidenceFields(e).map(([k, v]) => `  ${k}: ${v}`));
    if (e.curl) lines.push('  reproduce:', ...e.curl.split('\n').map((l) => `    ${l}`));
  });
  return lines.join('\n');
}

/** The evidence fields worth printing, as label/value pairs (curl excluded). */
export function evidenceFields(e: Evidence): [string, string][] {
  const out: [string, string][] = [];
  if (e.expected !== undefined) out.push(['expected', e.expected]);
  if (e.received !== undefined) out.push(['received', e.received]);
  if (e.pointer !== undefined) out.push(['pointer', e.pointer === '' ? '(whole body)' : e.pointer]);
  if ('value' in e) out.push(['value', formatValue(e.value)]);
  if (e.note) out.push(['note', e.note]);
  if (e.fuzz) out.push(['fuzz replay', `seed ${e.fuzz.seed}, path ${JSON.stringify(e.fuzz.path)}, ${e.fuzz.numRuns} runs; shrunk ${e.fuzz.shrunk}`]);
  if (e.requestBody) out.push(['request body', e.requestBody]);
  for (const [k, v] of Object.entries(e.responseHeaders ?? {})) out.push([`header ${k}`, v]);
  if (e.bodyExcerpt !== undefined) out.push(['body excerpt', e.bodyExcerpt]);
  if (e.bodyBytes !== undefined) out.push(['body bytes', String(e.bodyBytes)]);
  if (e.bodySha256) out.push(['body sha256', e.bodySha256]);
  if (e.durationMs !== undefined) out.push(['duration', `${Math.round(e.durationMs)} ms`]);
  return out;
}

function testcase(r: Result, classname: string): string {
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(`${r.id} ${r.check}`)}" time="${seconds(r.durationMs)}">`;
  switch (r.status) {
    case 'fail':
      return `${open}\n      <failure message="${escapeXml(r.message)}" type="${escapeXml(r.severity)}">${escapeXml(evidenceText(r))}</failure>\n    </testcase>`;
    case 'skip':
      return `${open}\n      <skipped message="${escapeXml(r.skipReason ?? r.message)}"/>\n    </testcase>`;
    case 'warn':
      return `${open}\n      <system-out>${escapeXml(`WARNING ${evidenceText(r)}`)}</system-out>\n    </testcase>`;
    default:
      return `${open}</testcase>`;
  }
}

function properties(report: Report): string {
  const props: [string, string][] = [
    ['verdict', report.verdict],
    ['verdict.label', report.verdictLabel],
    ['verdict.complete', String(report.complete)],
    ['verdict.scope', scopeLine(report)],
    ['verdict.notRun', report.notRun.map((n) => n.check).join(',')],
    ['target', report.target.baseUrl],
    ['embedded', String(report.target.embedded)],
    ['profile', report.profile],
    ['spec.sha256', report.spec.sha256],
    ['suite', `${report.tool.name} ${report.tool.version}`],
    ['suite.sha256', report.tool.suiteSha256],
    ['seed', String(report.seed)],
  ];
  return `    <properties>\n${props.map(([n, v]) => `      <property name="${escapeXml(n)}" value="${escapeXml(v)}"/>`).join('\n')}\n    </properties>`;
}

export function renderJunit(report: Report): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  let errors = 0;
  for (const group of groupResults(report.results)) {
    const results = group.requirements.flatMap((g) => g.results);
    const time = results.reduce((t, r) => t + (r.durationMs ?? 0), 0);
    tests += results.length;
    failures += group.counts.fail;
    skipped += group.counts.skip;
    suites.push(
      `  <testsuite name="${escapeXml(group.area)}" tests="${results.length}" failures="${group.counts.fail}" errors="0" skipped="${group.counts.skip}" time="${seconds(time)}" timestamp="${timestamp(report.startedAt)}">\n` +
        `${properties(report)}\n${results.map((r) => testcase(r, `conformance.${group.area}`)).join('\n')}\n  </testsuite>`,
    );
  }
  if (report.problems.length > 0) {
    tests += 1;
    errors += 1;
    const text = report.problems.map((p) => `- ${p}`).join('\n');
    suites.push(
      `  <testsuite name="run" tests="1" failures="0" errors="1" skipped="0" time="0.000" timestamp="${timestamp(report.startedAt)}">\n` +
        `${properties(report)}\n` +
        `    <testcase classname="conformance.run" name="run problems" time="0.000">\n` +
        `      <error message="${escapeXml(`${report.problems.length} run-level problem(s): ${report.problems[0]}`)}" type="run">${escapeXml(text)}</error>\n` +
        `    </testcase>\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n` + `<testsuites name="${escapeXml(SUITES_NAME)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(report.durationMs)}">\n` + `${suites.join('\n')}\n</testsuites>\n`;
}

/**
 * The conformance suites as vitest tests, for teams that want the verdict in
 * their own test runner: one test per check, grouped by area, against the
 * target named by the same CONFORMANCE_* variables as `conformance run`
 * (no CONFORMANCE_BASE_URL: the bundled reference server).
 *
 *   CONFORMANCE_BASE_URL=https://staging.example CONFORMANCE_TOKEN=… npm run suites
 *
 * A failing check fails its test with the finding's message and curl; a
 * skipped check is reported as skipped with its reason; a warning passes and
 * prints (the `strict` profile turns warnings into failures).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../src/index.ts';
import { optionsFromEnv } from '../src/index.ts';
import { runConformance } from '../src/index.ts';
import type { Report, Result } from '../src/index.ts';
import { loadSpec } from '../src/index.ts';

// every CONFORMANCE_* variable of `conformance run`, by the same table and the same rules (src/engine/options.ts)
const options = optionsFromEnv(process.env);

let report: Report;

beforeAll(async () => {
  report = (await runConformance(options)).report;
}, 15 * 60_000);

afterAll(async () => {
  if (!report) return;
  const { writeReports } = await import('../src/index.ts');
  await writeReports(report, loadSpec(options.specPath), options.reportDir);
});

function resultOf(check: string): Result {
  const r = report.results.find((x) => x.check === check);
  if (!r) throw new Error(`the run produced no result for ${check}`);
  return r;
}

const areas = new Map<string, string[]>();
const spec = loadSpec();
for (const c of CHECKS) {
  const area = spec.requirements.get(c.requirement)?.area ?? 'other';
  areas.set(area, [...(areas.get(area) ?? []), c.name]);
}

for (const [area, checks] of areas) {
  describe(area, () => {
    for (const check of checks) {
      it(check, (ctx) => {
        const r = resultOf(check);
        if (r.status === 'skip') ctx.skip(r.skipReason ?? r.message);
        if (r.status === 'warn') console.warn(`WARN ${r.id} ${check}: ${r.message}`);
        const detail = r.evidence[0]?.curl ? `${r.message}\n  reproduce: ${r.evidence[0].curl}` : r.message;
        expect(r.status, `${r.id} ${check}: ${detail}`).not.toBe('fail');
      });
    }
  });
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffCommand, diffReports, hasRegression } from '../../src/report/diff.ts';
import { serializeReport } from '../../src/report/write.ts';
import { failingReport, passingReport } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'conformance-diff-'));
const passPath = join(dir, 'pass.json');
const failPath = join(dir, 'fail.json');
writeFileSync(passPath, serializeReport(passingReport()));
writeFileSync(failPath, serializeReport(failingReport()));

async function run(a: string, b: string): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await diffCommand(a, b, (l) => lines.push(l));
  return { code, text: lines.join('\n') };
}

describe('diffReports', () => {
  it('finds the regressions from the passing to the failing run', () => {
    const d = diffReports(passingReport(), failingReport());
    expect(d.regressions.map((e) => e.check).sort()).toEqual(['history_order', 'order_detail_schema', 'order_not_found', 'tenant_isolation']);
    expect(d.regressions.every((e) => e.before === 'pass' && e.after === 'fail')).toBe(true);
    expect(d.changedWarnings.map((e) => e.check).sort()).toEqual(['fuzz_no_5xx', 'json_content_type', 'order_list_paging']);
    expect(d.newChecks.map((e) => e.check)).toEqual(['history_steps']);
    expect(d.removedChecks.map((e) => e.check)).toEqual(['export_not_found']);
    expect(d.fixed).toEqual([]);
    expect(d.verdict).toEqual({ before: 'PASS', after: 'FAIL' });
    expect(hasRegression(d)).toBe(true);
  });

  it('the other way round, the same checks are fixed and nothing regressed', () => {
    const d = diffReports(failingReport(), passingReport());
    expect(d.fixed.map((e) => e.check).sort()).toEqual(['history_order', 'order_detail_schema', 'order_not_found', 'tenant_isolation']);
    expect(d.regressions).toEqual([]);
    expect(hasRegression(d)).toBe(false);
  });

  it('a check new in B that fails is a regression', () => {
    const b = passingReport();
    b.results.push({ ...(b.results[0] as (typeof b.results)[number]), check: 'brand_new_check', status: 'fail', message: 'expected x / received y' });
    const d = diffReports(passingReport(), b);
    expect(d.regressions.map((e) => e.check)).toEqual(['brand_new_check']);
    expect(d.newChecks.map((e) => e.check)).toEqual(['brand_new_check']);
  });

  it('identical reports give no difference', () => {
    const d = diffReports(failingReport(), failingReport());
    for (const k of ['regressions', 'fixed', 'changedWarnings', 'newChecks', 'removedChecks', 'otherChanges'] as const) expect(d[k]).toEqual([]);
    expect(d.problems).toEqual({ added: [], removed: [] });
  });
});

describe('diffCommand', () => {
  it('exits 1 on a regression and prints it', async () => {
    const { code, text } = await run(passPath, failPath);
    expect(code).toBe(1);
    expect(text).toContain('verdict: PASS → FAIL');
    expect(text).toContain('Regressions (4)');
    expect(text).toMatch(/✗ ORD-DETAIL-TYPES order_detail_schema \(pass → fail\): expected \/product\/commitment/);
    expect(text).toContain('+ HIST-STEPS history_steps (new, warn)');
    expect(text).toContain('- EXP-NOT-FOUND export_not_found (was pass)');
  });

  it('exits 0 when nothing regressed', async () => {
    const { code, text } = await run(failPath, passPath);
    expect(code).toBe(0);
    expect(text).toContain('Fixed (4)');
    expect(text).toContain('No regression.');
  });

  it('identical reports: no difference, exit 0', async () => {
    const { code, text } = await run(failPath, failPath);
    expect(code).toBe(0);
    expect(text).toContain('No difference between the two runs.');
  });

  it('a missing file exits 2 with a clear message and no stack trace', async () => {
    const missing = join(dir, 'nope.json');
    const { code, text } = await run(passPath, missing);
    expect(code).toBe(2);
    expect(text).toBe(`error CONF_ERR_BAD_REPORT: Not a conformance report: ${missing}: file not found`);
  });

  it('a file that is not a report exits 2', async () => {
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{"hello": "world"}');
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '<html>');
    for (const p of [junk, notJson]) {
      const { code, text } = await run(p, passPath);
      expect(code).toBe(2);
      expect(text).toMatch(/^error CONF_ERR_BAD_REPORT: Not a conformance report: /);
      expect(text).not.toMatch(/\n\s+at /);
    }
  });
});

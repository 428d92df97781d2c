/**
 * The console's skip lines (src/cli.ts, `skipLines`): a check skipped for a
 * reason of its own keeps its line (requirement, name, reason); checks
 * skipped for one shared reason, three or more, share one line that counts
 * them, names the first six and gives the reason once (an unreachable
 * target skips all 44). The reports keep a line per check.
 */
import { describe, expect, it } from 'vitest';
import { skipLines, summaryTable } from '../../src/cli.ts';
import type { Result } from '../../src/report/types.ts';
import { failingReport } from './fixtures.ts';

const base = failingReport().results[0] as Result;
const skip = (check: string, id: string, why: string): Result => ({ ...base, check, id, status: 'skip', skipReason: why, message: why });

const EXPORT = "the export spends the user's one export per 5 minutes (use --allow-export)";
const WRITES = 'writes are off against this target (use --allow-writes)';

describe('skip lines on the console', () => {
  it('two checks with their own reasons keep a line each; eight with one reason share a line naming six and counting the rest', () => {
    const exportChecks = ['export_content', 'export_download', 'export_fresh', 'export_start', 'export_status', 'rate_limit', 'rate_limit_retry_after', 'rate_limit_scope'];
    const lines = skipLines([...exportChecks.map((c) => skip(c, 'EXP-X', EXPORT)), skip('terminate_active', 'ACT-TERMINATE', WRITES), skip('product_order_status', 'PO-STATUS', WRITES)]);
    expect(lines).toEqual([`SKIP 8 checks (export_content, export_download, export_fresh, export_start, export_status, rate_limit, and 2 more): ${EXPORT}`, `SKIP ACT-TERMINATE terminate_active: ${WRITES}`, `SKIP PO-STATUS product_order_status: ${WRITES}`]);
  });

  it('three checks with one reason share a line that names all three', () => {
    expect(skipLines(['a', 'b', 'c'].map((c) => skip(c, 'X', 'why')))).toEqual(['SKIP 3 checks (a, b, c): why']);
  });

  it('in the summary table: every check of a report skipped for one reason (an unreachable target) is one line, the verdict line unchanged', () => {
    const report = failingReport();
    const why = 'not run: http://127.0.0.1:9: connection failed (ECONNREFUSED)';
    const all = { ...report, results: report.results.map((r) => ({ ...r, status: 'skip' as const, skipReason: why })) };
    const lines = summaryTable(all).filter((l) => l.startsWith('SKIP'));
    expect(lines).toEqual([
      `SKIP ${all.results.length} checks (${all.results
        .slice(0, 6)
        .map((r) => r.check)
        .join(', ')}${all.results.length > 6 ? `, and ${all.results.length - 6} more` : ''}): ${why}`,
    ]);
    expect(summaryTable(all).at(-1)).toMatch(/^Verdict: /);
  });
});

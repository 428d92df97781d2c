/**
 * Selection that means what it says (issue 13): `--checks` and
 * `--exclude-checks` run the checks asked for and the drivers they need, and
 * nothing else; a check that did not run is reported as skipped, "not
 * selected", never as passed; and the request count shows the difference.
 */
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/engine/options.ts';
import { runConformance } from '../../src/engine/run.ts';
import type { Report } from '../../src/report/types.ts';
import { FUZZ_CHECKS } from '../../src/fuzz/index.ts';

const run = async (raw: Record<string, unknown>): Promise<Report> => (await runConformance(resolveOptions({ seed: 5, maxOrders: 12, fuzzRuns: 3, ...raw }))).report;
const ran = (r: Report): string[] =>
  r.results
    .filter((x) => x.status !== 'skip')
    .map((x) => x.check)
    .sort();

describe('--checks and --exclude-checks', () => {
  let full: Report;
  it('the whole run: every check runs', async () => {
    full = await run({});
    expect(full.results.filter((r) => r.status === 'skip')).toEqual([]);
  });

  it('--checks rate_limit runs rate_limit alone: every other check "not selected", a handful of requests', async () => {
    const r = await run({ checks: 'rate_limit' });
    expect(ran(r)).toEqual(['rate_limit']);
    expect(r.results.find((x) => x.check === 'rate_limit')?.status).toBe('pass');
    for (const x of r.results.filter((y) => y.check !== 'rate_limit')) expect(x.skipReason, x.check).toBe('not selected (--checks)');
    expect(r.summary.requests).toBeLessThan(20);
    expect(full.summary.requests).toBeGreaterThan(20 * r.summary.requests);
    expect(r.verdictLabel).toBe('PASS (partial)');
  });

  it('--checks terminate_active runs the product order it needs without reporting product_order_status', async () => {
    const r = await run({ checks: 'terminate_active' });
    expect(ran(r)).toEqual(['terminate_active']);
    expect(r.results.find((x) => x.check === 'terminate_active')?.status).toBe('pass');
    expect(r.results.find((x) => x.check === 'product_order_status')?.skipReason).toBe('not selected (--checks)');
    expect(r.writes.created.length).toBe(1);
  });

  it('--checks export_fresh runs the export, the writes and the termination it needs, and judges only itself', async () => {
    const r = await run({ checks: 'export_fresh' });
    expect(ran(r)).toEqual(['export_fresh']);
    expect(r.results.find((x) => x.check === 'export_fresh')?.status).toBe('pass');
  });

  it('--exclude-checks leaves those out ("not selected (--exclude-checks)") and runs the rest', async () => {
    const r = await run({ excludeChecks: FUZZ_CHECKS.join(',') });
    for (const c of FUZZ_CHECKS) expect(r.results.find((x) => x.check === c)?.skipReason, c).toBe('not selected (--exclude-checks)');
    expect(ran(r)).toEqual(
      full.results
        .map((x) => x.check)
        .filter((c) => !(FUZZ_CHECKS as readonly string[]).includes(c))
        .sort(),
    );
    expect(r.summary.requests).toBeLessThan(full.summary.requests);
  });

  it('--checks with --exclude-checks: the first less the second; an unknown name is refused', () => {
    expect(resolveOptions({ checks: 'rate_limit,export_start', excludeChecks: 'export_start' }).checks).toEqual(['rate_limit']);
    expect(() => resolveOptions({ excludeChecks: 'nope' })).toThrow(/--exclude-checks: unknown check nope/);
  });

  it('--area lifecycle runs the checks of that area only, with the drivers they need', async () => {
    const r = await run({ areas: 'lifecycle' });
    expect(ran(r)).toEqual(['history_order', 'history_schema', 'history_steps', 'history_timestamps', 'history_vocabulary', 'state_consistency']);
    for (const x of r.results.filter((y) => y.area !== 'lifecycle')) expect(x.skipReason, x.check).toBe('not selected (--area lifecycle)');
    expect(r.writes.sent).toBe(0);
    expect(r.summary.requests).toBeLessThan(full.summary.requests / 2);
  });

  it('--area with --checks and --exclude-checks: their intersection, less the excluded; an unknown area is refused with the known ones', () => {
    expect(resolveOptions({ areas: 'export', checks: 'rate_limit,history_order,export_start', excludeChecks: 'export_start' }).checks).toEqual(['rate_limit']);
    expect(() => resolveOptions({ areas: 'orders,billing' })).toThrow(/--area: unknown area billing \(the areas: access, documents, export, lifecycle, orders, requests, robustness, writes\)/);
  });
});

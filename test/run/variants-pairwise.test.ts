/**
 * Every reasonable provider choice passes, alone and together (issue 12): a
 * pairwise cover of the provider variants (mock/variants.ts) — every value of
 * every open point meets every value of every other open point in at least
 * one run — each certified with zero errors in the documented profile, every
 * write and export check run, warnings only where an inferred rule is really
 * at stake.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../mock/index.ts';
import { resolveOptions } from '../../src/engine/options.ts';
import { certify, EMBEDDED_MOCK } from '../../src/engine/run.ts';
import { runOptions } from '../faults/target.ts';
import { mayWarnOf, WRITE_CHECKS } from './honest.ts';

/** One open point each: the variant names that set it (undefined: the reference server's own choice). */
const DIMENSIONS: (string | undefined)[][] = [
  [undefined, 'bare-list', 'limit-offset'],
  [undefined, 'action-200', 'action-202', 'action-204'],
  [undefined, 'utc-timestamps', 'offset-timestamps'],
  [undefined, 'fixed-page-size'],
  [undefined, 'html-404'],
  [undefined, 'forbidden-403'],
  [undefined, 'export-200'],
  [undefined, 'no-product-order-get'],
  [undefined, 'item-state-field'],
  [undefined, 'no-offering-1679'],
  [undefined, 'token-auth'],
  [undefined, 'microsecond-timestamps'],
  [undefined, 'doc-history'],
  [undefined, 'skipped-steps'],
  [undefined, 'nested-errors'],
];

/**
 * A greedy pairwise cover (deterministic): rows are added until every pair of
 * values of two dimensions appears in some row; each row takes, dimension by
 * dimension, the value that covers the most pairs still missing.
 */
function pairwise(dims: (string | undefined)[][]): (string | undefined)[][] {
  const key = (i: number, a: number, j: number, b: number): string => `${i}:${a}|${j}:${b}`;
  const missing = new Set<string>();
  for (let i = 0; i < dims.length; i++) for (let j = i + 1; j < dims.length; j++) for (let a = 0; a < dims[i]!.length; a++) for (let b = 0; b < dims[j]!.length; b++) missing.add(key(i, a, j, b));
  const rows: number[][] = [];
  while (missing.size > 0) {
    const row: number[] = [];
    for (let i = 0; i < dims.length; i++) {
      let best = 0;
      let bestGain = -1;
      for (let a = 0; a < dims[i]!.length; a++) {
        let gain = 0;
        for (let j = 0; j < i; j++) if (missing.has(key(j, row[j]!, i, a))) gain++;
        // look ahead: pairs with later dimensions this value could still cover
        for (let j = i + 1; j < dims.length; j++) for (let b = 0; b < dims[j]!.length; b++) if (missing.has(key(i, a, j, b))) gain += 0.01;
        if (gain > bestGain) {
          bestGain = gain;
          best = a;
        }
      }
      row.push(best);
    }
    let covered = 0;
    for (let i = 0; i < dims.length; i++) for (let j = i + 1; j < dims.length; j++) if (missing.delete(key(i, row[i]!, j, row[j]!))) covered++;
    if (covered === 0) throw new Error('the cover makes no progress');
    rows.push(row);
  }
  return rows.map((r) => r.map((a, i) => dims[i]![a]));
}

const ROWS = pairwise(DIMENSIONS).map((r) => r.filter((v): v is string => v !== undefined));

const mocks: RunningMock[] = [];
afterAll(async () => {
  await Promise.all(mocks.map((m) => m.close()));
});

describe('a pairwise cover of the provider variants', () => {
  it('covers every pair of values of two open points in a handful of runs', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(12);
    expect(ROWS.length).toBeLessThanOrEqual(20);
  });

  for (const variants of ROWS) {
    it(`${variants.join(' + ') || 'the reference server'}: PASS, zero errors, every write and export check run`, async () => {
      const mock = await startMock({ variants, seed: 5, orders: 30, exportWindowS: 60, ...EMBEDDED_MOCK });
      mocks.push(mock);
      const options = resolveOptions(runOptions(mock.baseUrl, { seed: 3, fuzzRuns: 4, maxOrders: 10, waitMs: 5_000, ...(variants.includes('token-auth') ? { authScheme: 'Token' } : {}) }));
      const { report } = await certify({ ...options, baseUrl: mock.baseUrl }, false);
      await mock.close();
      expect(report.results.filter((r) => r.status === 'fail').map((r) => `${r.check}: ${r.message}`)).toEqual([]);
      // the inferred rules a variant really breaks (MAY_WARN, ./honest.ts): the only warnings allowed where it is on
      const allowed = mayWarnOf(variants);
      expect(report.results.filter((r) => r.status === 'warn' && !allowed.has(r.check)).map((r) => `${r.check}: ${r.message}`)).toEqual([]);
      expect(report.results.filter((r) => WRITE_CHECKS.includes(r.check) && r.status === 'skip').map((r) => `${r.check}: ${r.skipReason}`)).toEqual([]);
      expect(report.verdict).toBe('PASS');
    });
  }
});

/**
 * The fault catalogue on providers other than the reference server's habits
 * (issue 12): the same faults, put in front of the reference server run with
 * non-default provider variants, are each killed by the check that guards
 * them. A fault that cannot exist on a variant (a pagination fault where the
 * list is one bare array) is listed with the reason, never silently passed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/contract/load.ts';
import { FAULTS } from './proxy.ts';
import { faultOptions, startTarget, type Target } from './target.ts';

const spec = loadSpec();

interface VariantSet {
  variants: string[];
  options: Record<string, unknown>;
  /** faults that cannot exist on these variants, and why */
  notApplicable: Record<string, string>;
}

const PAGING = 'the list is one bare array: there are no pages to break';
const SETS: VariantSet[] = [
  {
    variants: ['bare-list', 'html-404', 'action-204'],
    options: {},
    notApplicable: { 'list-pages-skip-one': PAGING, 'list-next-loops': PAGING, 'paging-drops-last-row': PAGING, 'sized-pages-miscount': `${PAGING}, and no count to announce` },
  },
  {
    variants: ['limit-offset', 'token-auth', 'offset-timestamps'],
    options: { authScheme: 'Token' },
    notApplicable: {},
  },
];

for (const set of SETS) {
  describe(`the fault catalogue on ${set.variants.join(' + ')}`, () => {
    let target: Target;
    const survivors: string[] = [];
    beforeAll(async () => {
      target = await startTarget({ orders: 30, variants: set.variants });
    });
    afterAll(async () => {
      await target?.close();
    });

    it('without a fault: PASS, zero errors', async () => {
      const { report } = await target.run(undefined, { ...set.options, fuzzRuns: 3 });
      expect(report.results.filter((r) => r.status === 'fail').map((r) => `${r.check}: ${r.message}`)).toEqual([]);
      expect(report.verdict).toBe('PASS');
    });

    for (const fault of FAULTS) {
      if (fault.name in set.notApplicable) continue;
      it(`${fault.name} → ${fault.breaks}`, async () => {
        const strict = spec.requirements.get(fault.requirement)?.source === 'inferred';
        const { report } = await target.run(fault, { ...set.options, ...faultOptions(fault), ...(strict ? { profile: 'strict' } : {}) });
        const result = report.results.find((r) => r.check === fault.breaks);
        if (result?.status !== 'fail') survivors.push(`${fault.name}: ${result?.status} ${result?.message}`);
        expect(result?.status, result?.message).toBe('fail');
      });
    }

    it('every applicable fault is killed by its own check; the others are named with a reason', () => {
      expect(survivors).toEqual([]);
      for (const [name, why] of Object.entries(set.notApplicable)) {
        expect(
          FAULTS.some((f) => f.name === name),
          name,
        ).toBe(true);
        expect(why.length).toBeGreaterThan(10);
      }
    });
  });
}

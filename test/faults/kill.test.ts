/**
 * Every check can fail: each fault of the catalogue (./faults.ts) breaks one
 * rule of the reference server through the proxy, and the check it names must
 * catch it — `fail` (verdict FAIL) for a documented requirement; for an
 * inferred one, at least `warn` in the documented profile and `fail` (verdict
 * FAIL) in the strict profile. The proxy without a fault must pass cleanly,
 * before and after the faults, so a kill is the fault's doing, not the proxy's.
 * The suite is ./kill-suite.ts; kill-variants.test.ts runs it again on the
 * reference server under provider variants.
 */
import { describe, expect, it } from 'vitest';
import { CHECKS, CHECK_BY_NAME } from '../../src/checks/catalog.ts';
import { killSuite, sourceOf } from './kill-suite.ts';
import { FAULTS } from './proxy.ts';

describe('the fault catalogue', () => {
  it('has unique names and present-tense descriptions', () => {
    const names = FAULTS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of FAULTS) {
      expect(f.description, f.name).toMatch(/^[a-z]/);
      expect(f.description, f.name).not.toMatch(/^(should|will|must)\b/);
    }
  });

  it('names, for each fault, a catalogued check and that check\'s requirement', () => {
    for (const f of FAULTS) {
      expect(CHECK_BY_NAME.has(f.breaks), `${f.name} breaks ${f.breaks}`).toBe(true);
      expect(f.requirement, f.name).toBe(CHECK_BY_NAME.get(f.breaks)?.requirement);
      expect(sourceOf(f.requirement), f.requirement).toMatch(/^(documented|inferred)$/);
    }
  });

  it('has at least one fault for every check', () => {
    const covered = new Set(FAULTS.map((f) => f.breaks));
    expect(CHECKS.map((c) => c.name).filter((n) => !covered.has(n))).toEqual([]);
  });
});

killSuite({ label: 'the reference server', variants: [], lean: false, strictToo: true });

/**
 * The kill suite (see kill.test.ts): on one setting (the reference server, or
 * it under provider variants), the clean proxy passes, every fault of the
 * catalogue is caught by the check it names, and the clean proxy passes again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_BY_NAME } from '../../src/checks/catalog.ts';
import type { Report } from '../../src/report/types.ts';
import { loadSpec } from '../../src/spec/load.ts';
import { FAULTS, type Fault } from './proxy.ts';
import { startTarget, type Target } from './target.ts';

const spec = loadSpec();
/** The clean runs fuzz a little, so that the fuzz checks are shown to pass through the proxy too. */
const CLEAN = { fuzzRuns: 10 };

export interface Setting {
  label: string;
  variants: string[];
  /** writes off, unless the fault's check needs them or the fault shows only in write traffic */
  lean: boolean;
  /** an inferred requirement's fault is also run in the strict profile, to show it graded an error there (the grading is the profile's, the same on any target) */
  strictToo: boolean;
}

/**
 * A fault only fuzzing can find is run with enough cases to find it, and only
 * its own fuzz check selected (the fixed probes of the other checks do not
 * see it anyway); every other fault runs without fuzzing.
 */
function optionsFor(fault: Fault, lean = false): Record<string, unknown> {
  const needs: readonly string[] = CHECK_BY_NAME.get(fault.breaks)?.needs ?? [];
  const writesOff = lean && !needs.includes('writes') && !fault.showsInWrites ? { allowWrites: false } : {};
  return { ...(needs.includes('fuzz') ? { fuzzRuns: 100, fuzzBudgetMs: 20_000, checks: fault.breaks } : {}), ...writesOff };
}

export const sourceOf = (requirement: string): string | undefined => spec.requirements.get(requirement)?.source;

function expectClean(report: Report): void {
  const notPassing = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.check}: ${r.status} ${r.message}`);
  expect(notPassing).toEqual([]);
  expect(report.results.filter((r) => r.examined === 0).map((r) => r.check)).toEqual([]);
  expect(report.summary.errors).toBe(0);
  expect(report.summary.warnings).toBe(0);
  expect(report.problems).toEqual([]);
  expect(report.verdict).toBe('PASS');
}

export function killSuite(setting: Setting): void {
  describe(`faults through the proxy, on ${setting.label}`, () => {
    let target: Target;
    const kills: { name: string; breaks: string; documented: string; strict?: string; killed: boolean }[] = [];

    beforeAll(async () => {
      target = await startTarget({ orders: 30, variants: setting.variants });
    });

    afterAll(async () => {
      await target?.close();
    });

    it('the proxy without a fault passes with no error, no warning and nothing skipped', async () => {
      const { report, exitCode } = await target.run(undefined, CLEAN);
      expectClean(report);
      expect(exitCode).toBe(0);
    });

    for (const fault of FAULTS) {
      it(`${fault.name}: ${fault.description} → ${fault.breaks} (${fault.requirement}) fails`, async () => {
        const inferred = sourceOf(fault.requirement) === 'inferred';
        const kill = { name: fault.name, breaks: fault.breaks, documented: '', strict: undefined as string | undefined, killed: false };
        kills.push(kill);
        const { report, exitCode } = await target.run(fault, optionsFor(fault, setting.lean));
        const result = report.results.find((r) => r.check === fault.breaks);
        kill.documented = result?.status ?? 'missing';
        if (!inferred) {
          expect(result?.status, result?.message).toBe('fail');
          expect(report.verdict).toBe('FAIL');
          expect(exitCode).toBe(1);
          expect(result?.evidence.length).toBeGreaterThan(0);
          kill.killed = true;
          return;
        }
        // inferred: a warning in the documented profile (an error where the engine grades it so, e.g. a reset)...
        expect(['warn', 'fail'], result?.message).toContain(result?.status);
        if (!setting.strictToo) {
          kill.killed = true;
          return;
        }
        // ...and an error in the strict profile
        const strict = await target.run(fault, { ...optionsFor(fault, setting.lean), profile: 'strict' });
        const sr = strict.report.results.find((r) => r.check === fault.breaks);
        kill.strict = sr?.status ?? 'missing';
        expect(sr?.status, sr?.message).toBe('fail');
        expect(strict.report.verdict).toBe('FAIL');
        expect(strict.exitCode).toBe(1);
        kill.killed = true;
      });
    }

    it('the proxy without a fault still passes after every fault', async () => {
      const { report } = await target.run(undefined, CLEAN);
      expectClean(report);
    });

    it('kills every fault', () => {
      const killed = kills.filter((k) => k.killed).length;
      const lines = kills.map((k) => `  ${k.killed ? 'killed ' : 'SURVIVED'} ${k.name.padEnd(40)} ${k.breaks.padEnd(26)} ${k.documented}${k.strict ? ` / strict ${k.strict}` : ''}`);
      console.log(`${setting.label}: killed ${killed}/${FAULTS.length} faults\n${lines.join('\n')}`);
      expect(kills.length).toBe(FAULTS.length);
      expect(killed).toBe(FAULTS.length);
    });
  });
}

/**
 * Every check module judged on recorded exchanges kept as data
 * (test/checks/cases/<check>.json): each given input (its exchanges in the
 * cassette's record format) and the judgement wanted. Every module has a case
 * it passes and a case that makes it fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRecord, type ExchangeRecord } from '../../src/cassette/record.ts';
import { judgeEnv } from '../../src/checks/define.ts';
import { CHECKS } from '../../src/checks/catalog.ts';
import { CHECK_MODULES, MODULE_BY_NAME } from '../../src/checks/index.ts';
import { loadSpec } from '../../src/contract/load.ts';

interface WantFinding {
  /** a part of the message */
  message: string;
  pointer?: string;
  severity?: 'error' | 'warning';
  /** the finding is unconfirmed: a warning in every profile (Finding.unconfirmed) */
  unconfirmed?: boolean;
}
interface Case {
  title: string;
  given: unknown;
  /** `skip`: a part of the skip reason, or several parts, each of which it must hold */
  want: { passed: number; findings: WantFinding[]; skip?: string | string[] };
}

const CASES = new URL('./cases/', import.meta.url);

/** Turns every recorded exchange in a case's input into an exchange, wherever it sits. */
function revive(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.request && typeof o.request === 'object' && ('response' in o || 'error' in o)) return fromRecord(o as unknown as ExchangeRecord);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x)]));
  }
  return v;
}

const env = judgeEnv(loadSpec());

it('every catalogued check is a module of its own file under src/checks/<area>/', () => {
  expect(CHECKS.filter((c) => !MODULE_BY_NAME.has(c.name)).map((c) => c.name)).toEqual([]);
  for (const m of CHECK_MODULES) expect(m.file, m.name).toMatch(/^src\/checks\/[a-z-]+\/[a-z-]+\.ts$/);
});

for (const check of CHECK_MODULES) {
  describe(`${check.name} (${check.file})`, () => {
    const file = new URL(`${check.name}.json`, CASES);
    it('has cases: one it passes, one that makes it fail', () => {
      expect(existsSync(file), `test/checks/cases/${check.name}.json`).toBe(true);
      const cases = JSON.parse(readFileSync(file, 'utf8')) as Case[];
      expect(cases.some((c) => c.want.findings.length === 0 && c.want.passed > 0)).toBe(true);
      expect(cases.some((c) => c.want.findings.length > 0)).toBe(true);
    });
    if (!existsSync(file)) return;
    for (const c of JSON.parse(readFileSync(file, 'utf8')) as Case[]) {
      it(c.title, () => {
        const j = check.judge(revive(c.given), env);
        expect(j.passed, 'passed').toBe(c.want.passed);
        expect(j.findings.length, j.findings.map((f) => f.message).join('\n')).toBe(c.want.findings.length);
        c.want.findings.forEach((w, i) => {
          const f = j.findings[i]!;
          expect(f.message).toContain(w.message);
          if (w.pointer !== undefined) expect(f.pointer).toBe(w.pointer);
          if (w.severity !== undefined) expect(f.severity).toBe(w.severity);
          if (w.unconfirmed !== undefined) expect(f.unconfirmed ?? false, 'unconfirmed').toBe(w.unconfirmed);
        });
        for (const part of [c.want.skip ?? []].flat()) expect(j.skip ?? '').toContain(part);
      });
    }
  });
}

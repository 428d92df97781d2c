/**
 * One typed options table drives the flags, the variables, the defaults, the
 * validation and the README (after vitest's cli-config.ts): the README's
 * table of `run` options is exactly the table's rows, in order, and the
 * command line offers exactly the table's flags.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.ts';
import { MOCK_LIMITS, resolveOptions as resolveMock } from '../../mock/index.ts';
import { flagName, MOCK_OPTIONS, readmeRow, resolveMockOptions, RUN_OPTIONS } from '../../src/engine/options.ts';
import { mainWithStderr, REPO } from './cli.ts';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

describe('the options table', () => {
  it('the README lists every run option as the table says, in its order', () => {
    const start = readme.indexOf('| option | variable | default | meaning |');
    const rows = readme
      .slice(start)
      .split('\n')
      .slice(2)
      .filter((l) => l.startsWith('| `--') && !l.startsWith('| `--quiet`'));
    expect(rows.slice(0, RUN_OPTIONS.length)).toEqual(RUN_OPTIONS.map(readmeRow));
  });

  it('every variable is CONFORMANCE_ and the flag in capitals (mock: CONFORMANCE_MOCK_)', () => {
    for (const d of RUN_OPTIONS) {
      const fromFlag = `CONFORMANCE_${flagName(d).slice(2).replace(/-/g, '_').toUpperCase()}`;
      expect([fromFlag, `${fromFlag}S`], d.key).toContain(d.env);
    }
    for (const d of MOCK_OPTIONS) expect(d.env).toBe(`CONFORMANCE_MOCK_${flagName(d).slice(2).replace(/-/g, '_').toUpperCase()}`);
  });

  it('the run and mock commands offer exactly the table flags', () => {
    const program = buildProgram();
    const flags = (name: string): string[] =>
      program.commands
        .find((c) => c.name() === name)!
        .options.map((o) => o.long ?? '')
        .filter((f) => f !== '--quiet')
        .sort();
    expect(flags('run')).toEqual(RUN_OPTIONS.map(flagName).sort());
    expect(flags('mock')).toEqual(expect.arrayContaining(MOCK_OPTIONS.map(flagName)));
  });
});

describe("the reference server's options: one range for the command line and the library", () => {
  it.each(Object.keys(MOCK_LIMITS).filter((k) => MOCK_OPTIONS.some((d) => d.key === k)))('%s', (key) => {
    const { def, min, max } = MOCK_LIMITS[key as keyof typeof MOCK_LIMITS];
    const lib = (v: number) => (resolveMock as (o: Record<string, unknown>) => Record<string, unknown>)({ [key]: v })[key];
    const cli = (v: number) => (resolveMockOptions({ [key]: String(v) }) as unknown as Record<string, unknown>)[key];
    expect(resolveMockOptions({})[key as 'seed']).toBe(def);
    for (const v of [min, max]) {
      expect(lib(v)).toBe(v);
      expect(cli(v)).toBe(v);
    }
    for (const v of [min - 1, max + 1]) {
      expect(() => lib(v)).toThrow(/must be a whole number/);
      expect(() => cli(v)).toThrow(/must be a whole number/);
    }
  });
});

describe('flags reach their options', () => {
  // commander names a value after its flag (`--spec` → spec); the table after the option (specPath): both were once silently dropped
  it('--spec and --disposable-order given as flags are used, not ignored', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const reports = mkdtempSync(join(tmpdir(), 'conformance-flags-'));
    const { code, stderr } = await mainWithStderr(['run', '--spec', join(reports, 'no-such-spec.yaml'), '--report-dir', reports]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no-such-spec\.yaml.*\[CONF_ERR_SPEC_LOAD\]/);
    const report = JSON.parse(readFileSync(join(reports, 'conformance.json'), 'utf8')) as { options: Record<string, unknown> };
    expect(report.options.specPath).toBe(join(reports, 'no-such-spec.yaml'));
    rmSync(reports, { recursive: true, force: true });
    const { cliByKey } = await import('../../src/engine/options.ts');
    expect(cliByKey({ disposableOrder: ['A'], spec: 'x.yaml', quiet: true }, RUN_OPTIONS)).toEqual({ disposableOrders: ['A'], specPath: 'x.yaml', quiet: true });
  });
});

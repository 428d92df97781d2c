/**
 * conformance.config.json (issue 16): the options table's keys, flags >
 * variables > file > defaults, unknown keys and credentials refused, paths
 * relative to the file, and `conformance init` writing a file `run` reads.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initialConfig, resolveOptions, runSources } from '../../src/engine/options.ts';
import type { Report } from '../../src/report/types.ts';
import { runCli } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'conformance-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function folder(name: string, config: unknown): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'conformance.config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return d;
}

describe('the config file', () => {
  it('flags > variables > file > defaults, read from ./conformance.config.json', () => {
    const cwd = folder('precedence', { $comment: 'ignored', profile: 'strict', maxOrders: 5, fuzzRuns: 3, allowExport: true, headers: { 'X-Team': 'orders' }, reportDir: 'out' });
    const o = resolveOptions(runSources({ profile: 'documented' }, { CONFORMANCE_MAX_ORDERS: '6' }, cwd));
    expect(o.profile).toBe('documented'); // flag over file
    expect(o.maxOrders).toBe(6); // variable over file
    expect(o.fuzzRuns).toBe(3); // file over default
    expect(o.allowExport).toBe(true);
    expect(o.headers).toEqual({ 'X-Team': 'orders' });
    expect(o.reportDir).toBe(join(cwd, 'out')); // relative to the file
    expect(o.timeoutMs).toBe(10_000); // default
    expect(o.config).toBe(join(cwd, 'conformance.config.json'));
  });

  it.each([
    ['an unknown key', { maxOrder: 5 }, /unknown key "maxOrder" \(did you mean "maxOrders"\?\)/],
    ['a flag name instead of a key', { 'base-url': 'http://x' }, /unknown key "base-url" \(did you mean "baseUrl"\?\)/],
    ['a credential', { token: 'abc-secret' }, /"token" is a credential, and a config file gets committed/],
    ['a value the option refuses', { maxOrders: 0 }, /--max-orders must be a whole number/],
    ['not JSON', '{ "profile": "strict", }', /is not JSON/],
  ])('%s is CONF_ERR_BAD_OPTION', (_what, config, message) => {
    const cwd = folder(`bad-${_what.replace(/\W+/g, '-')}`, config);
    let err: { code?: string; message?: string } = {};
    try {
      resolveOptions(runSources({}, {}, cwd));
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.code).toBe('CONF_ERR_BAD_OPTION');
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('abc-secret');
  });

  it('--config FILE (or CONFORMANCE_CONFIG) must exist; without it and without ./conformance.config.json there is no file', () => {
    expect(() => runSources({ config: join(dir, 'missing.json') }, {}, dir)).toThrow(/cannot read .*missing\.json \(ENOENT\)/);
    expect(() => runSources({}, { CONFORMANCE_CONFIG: join(dir, 'missing.json') }, dir)).toThrow(/ENOENT/);
    expect(resolveOptions(runSources({}, {}, dir)).config).toBeUndefined();
  });

  it('`conformance init` writes a file with a $comment beside every key, refuses to overwrite it, and `run` reads it (bundled server: PASS, reports where the file says)', async () => {
    const cwd = join(dir, 'init');
    mkdirSync(cwd);
    const first = await runCli(['init'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    const text = readFileSync(join(cwd, 'conformance.config.json'), 'utf8');
    expect(text).toBe(initialConfig());
    const doc = JSON.parse(text) as Record<string, unknown>;
    for (const k of Object.keys(doc).filter((x) => !x.startsWith('$'))) expect(doc[`$${k}`], k).toEqual(expect.any(String));
    expect(doc.token).toBeUndefined();
    const again = await runCli(['init'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; --force replaces it \[CONF_ERR_BAD_OPTION\]/);
    writeFileSync(join(cwd, 'conformance.config.json'), JSON.stringify({ ...doc, fuzzRuns: 0, maxOrders: 10, reportDir: 'from-file' }));
    const run = await runCli(['run', '--quiet', '--seed', '3'], { cwd });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Verdict: PASS/);
    const report = JSON.parse(readFileSync(join(cwd, 'from-file', 'conformance.json'), 'utf8')) as Report;
    expect(report.options.fuzzRuns).toBe(0);
    expect(report.options.maxOrders).toBe(10);
  }, 60_000);
});

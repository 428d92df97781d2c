/**
 * conformance.config.json and .yaml (issue 16): the options table's keys,
 * flags > variables > file > defaults, unknown keys and credentials refused,
 * paths relative to the file, and `conformance init` (JSON, or --yaml)
 * writing a file `run` reads.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initialConfig, proxyFromEnv, resolveOptions, runSources } from '../../src/engine/options.ts';
import type { Report } from '../../src/report/types.ts';
import { runCli } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'conformance-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function folder(name: string, config: unknown, file = 'conformance.config.json'): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, file), typeof config === 'string' ? config : JSON.stringify(config));
  return d;
}

function refusal(cwd: string, cli: Record<string, unknown> = {}): { code?: string; message?: string } {
  try {
    resolveOptions(runSources(cli, {}, cwd));
  } catch (e) {
    return e as { code?: string; message?: string };
  }
  return {};
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
    ['a value the option refuses', { maxOrders: -1 }, /--max-orders must be a whole number/],
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

  it('the body files (productOrderBody, terminateBody) are relative to the file and read as JSON objects; the flag and the variable read the same file; anything but a JSON object is CONF_ERR_BAD_OPTION', () => {
    const cwd = folder('bodies', { productOrderBody: 'bodies/po.json', terminateBody: 'bodies/terminate.json' });
    mkdirSync(join(cwd, 'bodies'));
    const terminate = { terminate_reason: "Cessation d'activité", message: '' };
    writeFileSync(join(cwd, 'bodies', 'po.json'), JSON.stringify({ product_order_item: [] }));
    writeFileSync(join(cwd, 'bodies', 'terminate.json'), JSON.stringify(terminate));
    const o = resolveOptions(runSources({}, {}, cwd));
    expect(o.terminateBody).toEqual(terminate);
    expect(o.productOrderBody).toEqual({ product_order_item: [] });
    expect(resolveOptions(runSources({ terminateBody: join(cwd, 'bodies', 'terminate.json') }, {}, dir)).terminateBody).toEqual(terminate);
    expect(resolveOptions(runSources({}, { CONFORMANCE_TERMINATE_BODY: join(cwd, 'bodies', 'terminate.json') }, dir)).terminateBody).toEqual(terminate);
    expect(resolveOptions({ terminateBody: '' }).terminateBody).toBeUndefined();
    for (const [text, message] of [
      ['["reason"]', /--terminate-body: .*must hold a JSON object/],
      ['"reason"', /--terminate-body: .*must hold a JSON object/],
      ['{"reason": ', /--terminate-body: .* is not JSON/],
    ] as const) {
      writeFileSync(join(cwd, 'bad.json'), text);
      expect(() => resolveOptions({ terminateBody: join(cwd, 'bad.json') })).toThrow(message);
    }
    expect(() => resolveOptions({ terminateBody: join(cwd, 'missing.json') })).toThrow(/--terminate-body: cannot read .*missing\.json \(ENOENT\)/);
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

  it('a YAML file (./conformance.config.yaml, or --config FILE.yml): the same keys and the same precedence, # comments, YAML booleans as the one boolean rule reads them', () => {
    const yaml = ["# a team's staging", 'profile: strict', 'maxOrders: 5', 'fuzzRuns: 3', 'allowExport: yes # the boolean words of the table', 'disposableOrders: [ORD-1, ORD-2]', 'headers:', '  X-Team: orders', 'reportDir: out', 'seed: 123', ''].join('\n');
    const cwd = folder('yaml-precedence', yaml, 'conformance.config.yaml');
    const o = resolveOptions(runSources({ profile: 'documented' }, { CONFORMANCE_MAX_ORDERS: '6' }, cwd));
    expect(o.profile).toBe('documented'); // flag over file
    expect(o.maxOrders).toBe(6); // variable over file
    expect(o.fuzzRuns).toBe(3); // file over default
    expect(o.allowExport).toBe(true);
    expect(o.disposableOrders).toEqual(['ORD-1', 'ORD-2']);
    expect(o.headers).toEqual({ 'X-Team': 'orders' });
    expect(o.reportDir).toBe(join(cwd, 'out'));
    expect(o.seed).toBe(123);
    expect(o.timeoutMs).toBe(10_000); // default
    expect(o.config).toBe(join(cwd, 'conformance.config.yaml'));
    // named with --config, whatever its folder and spelling of the extension
    writeFileSync(join(dir, 'staging.yml'), 'maxOrders: 9\n');
    expect(resolveOptions(runSources({ config: join(dir, 'staging.yml') }, {}, cwd)).maxOrders).toBe(9);
  });

  it.each([
    ['an unknown key', 'maxOrder: 5\n', /unknown key "maxOrder" \(did you mean "maxOrders"\?\)/],
    ['a credential', 'token: abc-secret\n', /"token" is a credential, and a config file gets committed/],
    ['a value the option refuses', 'maxOrders: -1\n', /--max-orders must be a whole number/],
    ['a list where a mapping belongs', '- profile: strict\n', /must hold a YAML mapping of options/],
    ['not YAML', 'profile: [strict\n', /is not YAML/],
    ['a YAML date (no implicit types beyond the core schema)', 'seed: 2026-12-01\n', /--seed must be a whole number .*got "2026-12-01"/],
  ])('YAML: %s is CONF_ERR_BAD_OPTION', (_what, config, message) => {
    const err = refusal(folder(`yaml-bad-${_what.replace(/\W+/g, '-')}`, config, 'conformance.config.yaml'));
    expect(err.code).toBe('CONF_ERR_BAD_OPTION');
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('abc-secret');
  });

  it('two config files in the folder (JSON and YAML) is an error naming both, unless --config picks one', () => {
    const cwd = folder('both', { maxOrders: 5 });
    writeFileSync(join(cwd, 'conformance.config.yml'), 'maxOrders: 7\n');
    const err = refusal(cwd);
    expect(err.code).toBe('CONF_ERR_BAD_OPTION');
    expect(err.message).toMatch(/conformance\.config\.json and .*conformance\.config\.yml both exist/);
    expect(resolveOptions(runSources({ config: 'conformance.config.yml' }, {}, cwd)).maxOrders).toBe(7);
  });

  it('`conformance init --yaml` writes conformance.config.yaml: a # comment before every option, and it reads back as the defaults', async () => {
    const cwd = join(dir, 'init-yaml');
    mkdirSync(cwd);
    const out = await runCli(['init', '--yaml'], { cwd });
    expect(out.code, out.stderr).toBe(0);
    const text = readFileSync(join(cwd, 'conformance.config.yaml'), 'utf8');
    expect(text).toBe(initialConfig('yaml'));
    expect(text).toMatch(/^# .*\nmaxOrders: 200$/m);
    expect(text).toMatch(/^# baseUrl:$/m); // no default: left commented out
    expect(text).not.toMatch(/^token:/m);
    const fromFile = resolveOptions(runSources({}, {}, cwd));
    const defaults = resolveOptions({});
    for (const k of ['profile', 'maxOrders', 'fuzzRuns', 'timeoutMs', 'concurrency', 'allowWrites', 'authScheme', 'maxRunS'] as const) expect(fromFile[k], k).toEqual(defaults[k]);
    expect(fromFile.reportDir).toBe(join(cwd, 'reports')); // a path: relative to the file
  }, 30_000);
});

describe('the proxy variables', () => {
  it("HTTPS_PROXY, HTTP_PROXY and NO_PROXY in either case, lower case first (curl's and undici's order); empty is unset; --proxy over them all", () => {
    expect(proxyFromEnv({ HTTPS_PROXY: 'http://upper-s:1', http_proxy: 'http://lower:2', HTTP_PROXY: 'http://upper:3', NO_PROXY: 'internal.example' })).toEqual({ https: 'http://upper-s:1', http: 'http://lower:2', noProxy: 'internal.example' });
    expect(proxyFromEnv({ https_proxy: 'http://lower-s:4', HTTPS_PROXY: 'http://upper-s:5', no_proxy: 'a', NO_PROXY: 'b' })).toEqual({ https: 'http://lower-s:4', noProxy: 'a' });
    expect(proxyFromEnv({ HTTP_PROXY: '  ', https_proxy: '' })).toEqual({});
    const o = resolveOptions(runSources({ proxy: 'http://flag:6' }, { HTTPS_PROXY: 'http://env:7' }, dir));
    expect(o.proxy).toBe('http://flag:6');
    expect(o.proxyEnv).toEqual({ https: 'http://env:7' });
  });
});

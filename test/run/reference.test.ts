/**
 * The bundled reference server is correct by construction: certified by the
 * suite (no --base-url) it passes with no error, no warning, and no check
 * silently empty. And the command line keeps its contract: exit 0 on PASS
 * with the three reports written, 2 with a one-line message on a bad option
 * or an unreachable target, 0 on --help.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/catalog.ts';
import { resolveOptions } from '../../src/engine/options.ts';
import { runConformance } from '../../src/engine/run.ts';
import type { Report } from '../../src/report/types.ts';
import { runCli } from './cli.ts';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'conformance-run-'));
  dirs.push(d);
  return d;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('the reference server, certified in-process', () => {
  it('passes with zero errors, zero warnings, every check run and none empty', async () => {
    const { report, exitCode } = await runConformance(resolveOptions({ seed: 5, maxOrders: 12, fuzzRuns: 2, fuzzBudgetMs: 5_000 }));
    const notPassing = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.check}: ${r.status} ${r.message}`);
    expect(notPassing).toEqual([]);
    expect(report.results.filter((r) => r.examined === 0).map((r) => r.check)).toEqual([]);
    expect(report.results.map((r) => r.check).sort()).toEqual(CHECKS.map((c) => c.name).sort());
    expect(report.summary).toMatchObject({ fail: 0, warn: 0, skip: 0, errors: 0, warnings: 0 });
    expect(report.problems).toEqual([]);
    expect(report.target.embedded).toBe(true);
    expect(report.profile).toBe('documented');
    expect(report.verdict).toBe('PASS');
    expect(exitCode).toBe(0);
  });
});

describe('conformance run (the command line)', () => {
  it('certifies the bundled server: exit 0, PASS, and conformance.json, junit.xml, index.html written', async () => {
    const dir = tmp();
    const out = await runCli(['run', '--report-dir', dir, '--max-orders', '10', '--fuzz-runs', '0', '--seed', '9']);
    expect(out.stderr).toBe('');
    expect(out.code, out.stdout).toBe(0);
    expect(out.stdout).toMatch(/Verdict: PASS/);
    for (const f of ['conformance.json', 'junit.xml', 'index.html']) expect(existsSync(join(dir, f)), f).toBe(true);
    const report = JSON.parse(readFileSync(join(dir, 'conformance.json'), 'utf8')) as Report;
    expect(report.verdict).toBe('PASS');
    expect(report.summary.errors).toBe(0);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/^<\?xml[^>]*>\s*<testsuites/);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toMatch(/<html[\s>]/i);
  });

  const badOptions: [string[], RegExp][] = [
    [['--profile', 'nope'], /--profile/],
    [['--concurrency', '0'], /--concurrency/],
    [['--checks', 'nope'], /--checks.*nope.*conformance list-checks/],
    [['--timeout-ms', 'soon'], /--timeout-ms/],
    [['--base-url', 'ftp://example.com'], /--base-url/],
  ];
  it.each(badOptions)('refuses %j with exit 2 and one line, no stack trace', async (args, mentions) => {
    const dir = tmp();
    const out = await runCli(['run', '--report-dir', dir, ...args]);
    expect(out.code).toBe(2);
    const lines = out.stderr.trim().split('\n');
    expect(lines, out.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(mentions);
    expect(lines[0]).toMatch(/\[CONF_ERR_BAD_OPTION\]$/);
    expect(out.stderr + out.stdout).not.toMatch(/\n\s+at\s|\.ts:\d+/);
    // no stale verdict is left: the report of a run that could not be made says INCOMPLETE, with the code
    const report = JSON.parse(readFileSync(join(dir, 'conformance.json'), 'utf8')) as Report;
    expect(report.verdict).toBe('INCOMPLETE');
    expect(report.incomplete?.code).toBe('CONF_ERR_BAD_OPTION');
    expect(report.summary.requests).toBe(0);
  });

  it('refuses an unknown flag with exit 2', async () => {
    const out = await runCli(['run', '--no-such-flag']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/unknown option/);
    expect(out.stderr).not.toMatch(/\n\s+at\s/);
  });

  it('exits 2 with CONF_ERR_UNREACHABLE on a closed port', async () => {
    const port = await closedPort();
    const dir = tmp();
    const out = await runCli(['run', '--base-url', `http://127.0.0.1:${port}`, '--token', 'x-token-x', '--timeout-ms', '1000', '--report-dir', dir]);
    expect(out.code).toBe(2);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/CONF_ERR_UNREACHABLE/);
    expect(out.stderr).not.toMatch(/\n\s+at\s/);
    expect(out.ms).toBeLessThan(30_000);
  });

  it('prints help with exit 0', async () => {
    const [top, run] = await Promise.all([runCli(['--help']), runCli(['run', '--help'])]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: conformance/);
    expect(run.code).toBe(0);
    for (const flag of ['--base-url', '--token', '--profile', '--allow-writes', '--allow-export', '--timeout-ms', '--report-dir']) expect(run.stdout).toContain(flag);
  });
});

/**
 * Command-line manners (issue 16): --version, bare `conformance`, commander's
 * own errors with a code, a closed pipe, Ctrl-C during a run (reports written
 * INCOMPLETE), and progress lines for logs.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startProgress } from '../../src/cli.ts';
import type { Harness } from '../../src/harness/http.ts';
import type { Report } from '../../src/report/types.ts';
import { REPO, runCli } from './cli.ts';

const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');
const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

describe('command-line manners', () => {
  it('--version prints the package version, exit 0', async () => {
    const out = await runCli(['--version']);
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toBe(version);
  });

  it('bare `conformance` prints the help on stderr and exits 2', async () => {
    const out = await runCli([]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/Usage: conformance/);
    expect(out.stdout).toBe('');
  });

  it.each([
    ['an unknown flag', ['run', '--bogus'], /unknown option '--bogus'/],
    ['a flag without its value', ['run', '--timeout-ms'], /option '--timeout-ms <ms>' argument missing/],
    ['an unknown command', ['certify'], /unknown command 'certify'/],
  ])("commander's own error (%s) carries CONF_ERR_BAD_OPTION, exit 2", async (_what, args, message) => {
    const out = await runCli(args);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).toMatch(/^conformance: .*\[CONF_ERR_BAD_OPTION\]$/m);
  });

  it('`diff` with a file that is not a report: the error on stderr with its code, nothing on stdout, exit 2', async () => {
    const out = await runCli(['diff', join(REPO, 'package.json'), join(REPO, 'no-such-report.json')]);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/CONF_ERR_BAD_REPORT/);
  });

  it('a closed pipe (`| head`) ends quietly: no EPIPE stack trace, exit 0', async () => {
    const child = spawn(process.execPath, [TSX_CLI, 'src/cli.ts', 'list-checks'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader went away before the first line
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  }, 30_000);

  it('Ctrl-C during a run: no new request, the reports written INCOMPLETE with CONF_ERR_INTERRUPTED, exit 2', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'conformance-sigint-'));
    try {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CONFORMANCE_') && !k.startsWith('VITEST')) env[k] = v;
      // the installed command itself (bin/conformance.mjs: tsx registered in-process), as `npx conformance` runs it
      const child = spawn(process.execPath, ['bin/conformance.mjs', 'run', '--report-dir', reports, '--seed', '5'], { cwd: REPO, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let sent = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (!sent && /• orders, histories, documents/.test(stdout)) {
          sent = true;
          // twice at once, as a terminal's Ctrl-C and npm's relay of it arrive: still one orderly stop
          child.kill('SIGINT');
          child.kill('SIGINT');
        }
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      const t0 = performance.now();
      const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      expect(sent).toBe(true);
      expect(code, stdout + stderr).toBe(2);
      expect(performance.now() - t0).toBeLessThan(30_000);
      expect(stderr).toMatch(/interrupted; no new request is sent/);
      expect(stderr).toMatch(/\[CONF_ERR_INTERRUPTED\]/);
      const report = JSON.parse(readFileSync(join(reports, 'conformance.json'), 'utf8')) as Report;
      expect(report.verdict).toBe('INCOMPLETE');
      expect(report.incomplete?.code).toBe('CONF_ERR_INTERRUPTED');
      expect(readFileSync(join(reports, 'junit.xml'), 'utf8')).toMatch(/INCOMPLETE/);
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  }, 60_000);

  it('progress for logs: the phase lines as they come, and a status line (phase, requests, rate) at each interval', async () => {
    const lines: string[] = [];
    const p = startProgress((l) => lines.push(l), 50);
    p.watch({ requests: 42 } as Harness);
    p.log('• orders, histories, documents');
    await new Promise((r) => setTimeout(r, 130));
    p.stop();
    const n = lines.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(lines[0]).toBe('• orders, histories, documents');
    expect(lines.slice(1).length).toBeGreaterThanOrEqual(1);
    expect(lines[1]).toMatch(/^… orders, histories, documents: 42 requests in \d+ s \(\d+\/s\)$/);
    expect(lines.length).toBe(n);
  });
});

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
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_TOKENS, startMock } from '../../mock/index.ts';
import { duration, progressLine, startProgress } from '../../src/cli.ts';
import { resolveOptions } from '../../src/engine/options.ts';
import { runConformance } from '../../src/engine/run.ts';
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

  it.each([
    [0, '0 s'],
    [42.4, '42 s'],
    [59.6, '1 min 00 s'],
    [245, '4 min 05 s'],
    [3599, '59 min 59 s'],
    [3720, '1 h 02 min'],
    [-3, '0 s'],
  ])('a progress duration: %s s is "%s"', (seconds, shown) => {
    expect(duration(seconds)).toBe(shown);
  });

  it('a progress line: phase, done/total with percent and an ETA from the pace so far, requests and rate; no ETA before the first item or after the last', () => {
    const items = (done: number, elapsedS: number) => ({ what: 'orders', done, total: 1000, elapsedS });
    expect(progressLine({ phase: 'orders, histories, documents', requests: 2781, elapsedS: 31, items: items(412, 30) })).toBe('… orders, histories, documents: 412/1000 orders (41%), ETA 43 s; 2781 requests in 31 s (90/s)');
    expect(progressLine({ phase: 'orders, histories, documents', requests: 12, elapsedS: 1, items: items(0, 0.5) })).toBe('… orders, histories, documents: 0/1000 orders (0%); 12 requests in 1 s (12/s)');
    expect(progressLine({ phase: 'orders, histories, documents', requests: 6700, elapsedS: 600, items: items(100, 300) })).toBe('… orders, histories, documents: 100/1000 orders (10%), ETA 45 min 00 s; 6700 requests in 600 s (11/s)');
    expect(progressLine({ phase: 'orders, histories, documents', requests: 6700, elapsedS: 60, items: items(1000, 58) })).toBe('… orders, histories, documents: 1000/1000 orders (100%); 6700 requests in 60 s (112/s)');
    // a phase with nothing counted: requests and rate only
    expect(progressLine({ phase: 'export', requests: 40, elapsedS: 4, items: { what: 'orders', done: 0, total: 0, elapsedS: 0 } })).toBe('… export: 40 requests in 4 s (10/s)');
  });

  it("progress on a clock: the status reads the run's counted part (done of total since it began) and its harness", () => {
    let t = 5_000;
    const p = startProgress(
      () => undefined,
      60_000,
      () => t,
    );
    const http = { requests: 3 };
    const counted = { what: 'orders', done: 0, total: 0, startedMs: 0 };
    p.watch(http as Harness, counted);
    p.log('• orders, histories, documents');
    expect(p.status()).toBe('… orders, histories, documents: 3 requests in 0 s (3000/s)');
    Object.assign(counted, { total: 1000, startedMs: 7_000 });
    t = 17_000;
    counted.done = 250;
    http.requests = 1700;
    expect(p.status()).toBe('… orders, histories, documents: 250/1000 orders (25%), ETA 30 s; 1700 requests in 12 s (142/s)');
    p.stop();
  });

  it('progress during a run against a slow target (every answer 15 ms late): status lines count the orders examined up to their total', async () => {
    const mock = await startMock({ seed: 3, orders: 16, stepMs: 40, exportMs: 80 });
    const slow = await slowFront(mock.baseUrl, 15);
    const lines: string[] = [];
    const p = startProgress((l) => lines.push(l), 20);
    try {
      const options = resolveOptions({ baseUrl: slow.url, token: DEMO_TOKENS.customerA_user1, checks: 'order_detail_schema', concurrency: 2, maxOrders: 12, fuzzRuns: 0, seed: 4 });
      const { report } = await runConformance(options, { log: p.log, onHarness: p.watch });
      expect(report.verdict).toBe('PASS');
    } finally {
      p.stop();
      await slow.close();
      await mock.close();
    }
    const counted = lines.map((l) => /^… orders, histories, documents: (\d+)\/12 orders \(\d+%\)(, ETA \d+ s)?; \d+ requests in \d+ s \(\d+\/s\)$/.exec(l)).filter((m) => m !== null);
    expect(counted.length, lines.join('\n')).toBeGreaterThanOrEqual(3);
    const done = counted.map((m) => Number(m[1]));
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(counted.some((m) => m[2] !== undefined)).toBe(true); // an ETA once the pace is known
  }, 20_000);

  it('the reference data is fetched concurrently: the filtered walks of the order requests overlap, beside the order list', async () => {
    const mock = await startMock({ seed: 3, orders: 16, stepMs: 40, exportMs: 80 });
    const slow = await slowFront(mock.baseUrl, 15);
    try {
      const options = resolveOptions({ baseUrl: slow.url, token: DEMO_TOKENS.customerA_user1, checks: 'order_requests_filter,order_list_schema', concurrency: 8, maxOrders: 2, fuzzRuns: 0, seed: 4 });
      const { report } = await runConformance(options);
      expect(report.results.find((r) => r.check === 'order_requests_filter')?.status).toBe('pass');
    } finally {
      await slow.close();
      await mock.close();
    }
    // one walk at a time would never have two filtered lists in flight
    expect(slow.peak(/^\/api\/v1\/order_request\/\?/)).toBeGreaterThanOrEqual(4);
    expect(slow.overlapped(/^\/api\/v1\/order_request\//, /^\/api\/v1\/order\/(\?|$)/)).toBe(true);
  }, 20_000);
});

/**
 * The reference server behind a front that holds every answer `ms` longer,
 * and counts, per path pattern, the requests in flight at once.
 */
async function slowFront(upstream: string, ms: number): Promise<{ url: string; close: () => Promise<void>; peak: (path: RegExp) => number; overlapped: (a: RegExp, b: RegExp) => boolean }> {
  const up = new URL(upstream);
  const spans: { path: string; from: number; to: number }[] = [];
  const server: Server = createServer((req, res) => {
    const span = { path: req.url ?? '/', from: performance.now(), to: Number.POSITIVE_INFINITY };
    spans.push(span);
    const fwd = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      const body: Buffer[] = [];
      r.on('data', (c: Buffer) => body.push(c));
      r.on('end', () =>
        setTimeout(() => {
          span.to = performance.now();
          res.writeHead(r.statusCode ?? 502, { 'content-type': String(r.headers['content-type'] ?? 'application/octet-stream') });
          res.end(Buffer.concat(body));
        }, ms),
      );
    });
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const of = (path: RegExp) => spans.filter((s) => path.test(s.path));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
    peak: (path) => {
      const mine = of(path);
      return Math.max(0, ...mine.map((s) => mine.filter((t) => t.from <= s.from && s.from < t.to).length));
    },
    overlapped: (a, b) => of(a).some((s) => of(b).some((t) => s.from < t.to && t.from < s.to)),
  };
}

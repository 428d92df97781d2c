/**
 * Hostile targets: a server that never answers, one that resets connections,
 * one that sends invalid JSON, one that streams an endless body, one that
 * redirects to itself. Against each, a run finishes within a bound set by
 * `--timeout-ms`, fails (exit 1) with a report that names the problem, and
 * keeps its memory bounded (an endless body is cut at `--max-body-bytes`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/engine/options.ts';
import { runConformance } from '../../src/engine/run.ts';
import type { Report } from '../../src/report/types.ts';
import { endlessBody } from '../faults/proxy.ts';
import { startTarget } from '../faults/target.ts';
import { runCli } from '../run/cli.ts';
import { endlessServer, invalidJsonServer, redirectLoopServer, resettingServer, silentServer, type Hostile } from './servers.ts';
import { sampleRss } from './support.ts';

const TIMEOUT_MS = 500;
/** A run against a hostile target: a few dozen deadlines at most, well under this */
const BOUND_MS = 30_000;
const MAX_BODY = 1024 * 1024;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function options(baseUrl: string, extra: Record<string, unknown> = {}) {
  return resolveOptions({
    baseUrl,
    token: 'hostile-test-token',
    tokenOtherTenant: 'hostile-test-token-b',
    timeoutMs: TIMEOUT_MS,
    maxBodyBytes: MAX_BODY,
    fuzzRuns: 0,
    maxOrders: 5,
    waitMs: 1_000,
    seed: 1,
    ...extra,
  });
}

/** Every text of a report a reader would look at: problems and the failing results' messages. */
function said(report: Report): string {
  return [...report.problems, ...report.results.filter((r) => r.status === 'fail' || r.status === 'warn').map((r) => `${r.check}: ${r.message}`)].join('\n');
}

async function certifyHostile(start: () => Promise<Hostile>, extra: Record<string, unknown> = {}): Promise<{ report: Report; exitCode: number; ms: number; server: Hostile }> {
  const server = await start();
  try {
    const t0 = performance.now();
    const { report, exitCode } = await runConformance(options(server.baseUrl, extra));
    return { report, exitCode, ms: performance.now() - t0, server };
  } finally {
    await server.close();
  }
}

/** How far this process's RSS peak rose above its start while `fn` ran. */
async function rssGrowth(fn: () => Promise<void>): Promise<number> {
  const { start, peak } = await sampleRss(fn);
  return peak - start;
}

describe('hostile targets, certified in-process', () => {
  it('a server that never answers: the run ends within the bound, FAIL, the timeouts named', async () => {
    const { report, exitCode, ms, server } = await certifyHostile(silentServer);
    expect(ms).toBeLessThan(BOUND_MS);
    expect(exitCode).toBe(1);
    expect(report.verdict).toBe('FAIL');
    expect(server.connections()).toBeGreaterThan(0);
    expect(said(report)).toMatch(/no complete answer within the time limit/);
    expect(report.problems.some((p) => /failed \d+ requests in a row/.test(p))).toBe(true);
    // the checks that could not run say why: the target went away, not "nothing to examine"
    expect(report.results.filter((r) => r.status === 'skip' && !/^not run: the target failed \d+ requests in a row/.test(r.message)).map((r) => r.check)).toEqual([]);
  });

  it('a server that resets connections: the run ends within the bound, FAIL, the resets named', async () => {
    const { report, exitCode, ms } = await certifyHostile(resettingServer);
    expect(ms).toBeLessThan(BOUND_MS);
    expect(exitCode).toBe(1);
    expect(report.verdict).toBe('FAIL');
    expect(said(report)).toMatch(/reset/);
  });

  it('a server that sends invalid JSON: FAIL, the bodies that do not parse named', async () => {
    const { report, exitCode, ms } = await certifyHostile(invalidJsonServer);
    expect(ms).toBeLessThan(BOUND_MS);
    expect(exitCode).toBe(1);
    expect(report.verdict).toBe('FAIL');
    expect(said(report)).toMatch(/do(es)? not parse|neither a JSON array|without a JSON body/);
    const failing = report.results.filter((r) => r.status === 'fail').map((r) => r.check);
    expect(failing).toEqual(expect.arrayContaining(['terminate_reasons_schema', 'order_list_schema']));
  });

  it('a server that streams an endless body: cut at max-body-bytes, FAIL, memory bounded', async () => {
    // a deadline ten times longer, so that the cap, not the deadline, is what stops each read
    // (uncapped, this run reads about a gigabyte; capped, a few MiB over the earlier runs' footprint)
    const growth = await rssGrowth(async () => {
      const { report, exitCode, ms, server } = await certifyHostile(endlessServer, { timeoutMs: TIMEOUT_MS * 10 });
      expect(ms).toBeLessThan(BOUND_MS);
      expect(exitCode).toBe(1);
      expect(report.verdict).toBe('FAIL');
      expect(said(report)).toMatch(new RegExp(`exceeded ${MAX_BODY} bytes`));
      // the server really did push more than the cap, and the run kept none of it beyond the cap
      expect(server.written()).toBeGreaterThan(MAX_BODY);
      for (const r of report.results) for (const e of r.evidence) expect((e.bodyExcerpt ?? '').length).toBeLessThan(4096);
    });
    // a few connections' worth of 1 MiB buffers, not the stream: generous, and far below an unbounded read
    expect(growth).toBeLessThan(100 * 1024 * 1024);
  });

  it('a server that redirects to itself: redirects are not followed, FAIL, the 302 named', async () => {
    const { report, exitCode, ms, server } = await certifyHostile(redirectLoopServer);
    expect(ms).toBeLessThan(BOUND_MS);
    expect(exitCode).toBe(1);
    expect(report.verdict).toBe('FAIL');
    expect(said(report)).toMatch(/302/);
    // one request per probe, not a loop: far fewer connections than a followed loop would open
    expect(report.summary.requests).toBeLessThan(500);
    expect(server.connections()).toBeLessThan(500);
  });
});

describe('a hostile export download', () => {
  it('an endless CSV record: the parser gives up at a bounded size, FAIL, memory bounded', async () => {
    const target = await startTarget({ orders: 12 });
    let written = 0;
    target.proxy.use({
      name: 'export-endless-record',
      breaks: 'export_download',
      requirement: 'EXP-DOWNLOAD',
      description: 'streams the export file as its header row followed by one record that never ends',
      transform: async (req, ctx) => {
        const res = await ctx.forward(req);
        if (req.operation !== 'downloadOrderExport' || res.status !== 200) return res;
        const header = res.body.subarray(0, res.body.indexOf(10) + 1);
        const endless = endlessBody(Buffer.alloc(64 * 1024, 0x61), (n) => {
          written += n;
        });
        return {
          ...res,
          pump: (out) => {
            out.write(header);
            endless(out);
          },
        };
      },
    });
    const growth = await rssGrowth(async () => {
      try {
        const t0 = performance.now();
        // the whole-download deadline is the longer of --wait-ms and --timeout-ms: what must stop this read is a size bound
        const { report, exitCode } = await runConformance(
          options(target.proxy.baseUrl, {
            token: 'demo-token-a1',
            tokenOtherTenant: undefined,
            allowExport: true,
            waitMs: 20_000,
            timeoutMs: 2_000,
          }),
        );
        const ms = performance.now() - t0;
        const dl = report.results.find((r) => r.check === 'export_download');
        expect(dl?.status, dl?.message).toBe('fail');
        expect(dl?.message).toMatch(/record/i);
        expect(exitCode).toBe(1);
        expect(ms).toBeLessThan(15_000);
        expect(written).toBeGreaterThan(MAX_BODY);
      } finally {
        await target.close();
      }
    });
    expect(growth).toBeLessThan(100 * 1024 * 1024);
  });
});

describe('a hostile export download, endless rows', () => {
  it('well-formed rows that never end: cut at the download deadline, named as such, memory bounded', async () => {
    const target = await startTarget({ orders: 12 });
    target.proxy.use({
      name: 'export-endless-rows',
      breaks: 'export_download',
      requirement: 'EXP-DOWNLOAD',
      description: 'streams the export file as its header row followed by rows that never end',
      transform: async (req, ctx) => {
        const res = await ctx.forward(req);
        if (req.operation !== 'downloadOrderExport' || res.status !== 200) return res;
        const header = res.body.subarray(0, res.body.indexOf(10) + 1);
        const columns = header.toString('utf8').split(',').length;
        const row = `CMD_ENDLESS${',x'.repeat(columns - 1)}\r\n`;
        const endless = endlessBody(Buffer.from(row.repeat(Math.ceil(65_536 / row.length))));
        return {
          ...res,
          pump: (out) => {
            out.write(header);
            endless(out);
          },
        };
      },
    });
    const growth = await rssGrowth(async () => {
      try {
        const t0 = performance.now();
        const waitMs = 2_000;
        const { report, exitCode } = await runConformance(
          options(target.proxy.baseUrl, {
            token: 'demo-token-a1',
            tokenOtherTenant: undefined,
            allowExport: true,
            waitMs,
            timeoutMs: 1_000,
          }),
        );
        const ms = performance.now() - t0;
        const dl = report.results.find((r) => r.check === 'export_download');
        expect(dl?.status, dl?.message).toBe('fail');
        expect(dl?.message).toMatch(/no complete answer within the time limit/);
        expect(dl?.message).not.toMatch(/parse error/);
        expect(report.problems.join('\n')).toMatch(/export\/.*\/download\/: no complete answer within the time limit/);
        expect(report.results.find((r) => r.check === 'export_content')?.message).toMatch(/could not be compared/);
        expect(exitCode).toBe(1);
        expect(ms).toBeLessThan(waitMs + 15_000);
      } finally {
        await target.close();
      }
    });
    expect(growth).toBeLessThan(100 * 1024 * 1024);
  });
});

describe('a hostile target through the command line', () => {
  it('a server that never answers: exit 1 within the bound, reports written naming the problem', async () => {
    const server = await silentServer();
    const dir = mkdtempSync(join(tmpdir(), 'conformance-hostile-'));
    dirs.push(dir);
    try {
      const out = await runCli(['run', '--base-url', server.baseUrl, '--token', 'hostile-cli-token', '--timeout-ms', String(TIMEOUT_MS), '--fuzz-runs', '0', '--report-dir', dir], { deadlineMs: 60_000 });
      expect(out.signal).toBeNull();
      expect(out.code, out.stderr).toBe(1);
      expect(out.ms).toBeLessThan(BOUND_MS + 10_000);
      expect(out.stdout).toMatch(/Verdict: FAIL/);
      expect(out.stdout).toMatch(/PROBLEM .*(no complete answer|in a row)/);
      expect(existsSync(join(dir, 'conformance.json'))).toBe(true);
      const report = JSON.parse(readFileSync(join(dir, 'conformance.json'), 'utf8')) as Report;
      expect(report.verdict).toBe('FAIL');
      expect(report.problems.join('\n')).toMatch(/no complete answer within the time limit/);
    } finally {
      await server.close();
    }
  });
});

/**
 * Targets that stretch a run: a `Retry-After` on every answer, a date in
 * 2099, a server slower than the run may take. `Retry-After` is honoured up
 * to the run's limits (10 s for one wait, what is left of `--max-run-s`) and
 * reported with its code when it asks for more; `--max-run-s` caps the run.
 * A proxy in front of the reference server, built here, on 127.0.0.1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RunOutcome } from '../../src/engine/run.ts';
import { retryAfterSeconds } from '../../src/harness/http.ts';
import { resolveOptions } from '../../src/engine/options.ts';
import { writeReports } from '../../src/report/write.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { chain, editResponse, jsonAnswer, type Operation, type Transform } from '../faults/proxy.ts';
import { startTarget } from '../faults/target.ts';
import { fault, fileTarget } from './support.ts';

const target = fileTarget({ orders: 30 });

describe('Retry-After, read as seconds or as an HTTP date', () => {
  it('parses both forms, and a date in 2099 is decades, not 1 s', () => {
    const now = Date.parse('2026-12-01T09:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds(' 0 ', now)).toBe(0);
    expect(retryAfterSeconds('Tue, 01 Dec 2026 09:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds('Wed, 01 Jan 2099 00:00:00 GMT', now)).toBeGreaterThan(70 * 365 * 86_400);
    expect(retryAfterSeconds('Mon, 01 Jan 2001 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds('-5', now)).toBeUndefined();
    expect(retryAfterSeconds(undefined, now)).toBeUndefined();
  });
});

describe('a target that asks to wait', () => {
  it('a 429 whose Retry-After is a date in 2099: not waited, the run stops at once and names it with its code', async () => {
    const t0 = performance.now();
    const { report, exitCode } = await target().run(fault('retry-after-2099', 'order_list_schema', async (req, ctx) => (req.operation === 'listOrders' ? jsonAnswer(429, { detail: 'slow down' }, { 'retry-after': 'Wed, 01 Jan 2099 00:00:00 GMT' }) : ctx.forward(req))));
    expect(performance.now() - t0).toBeLessThan(15_000);
    // the target cannot be judged in the time the run has: INCOMPLETE (exit 2), never a FAIL of the provider
    expect(exitCode).toBe(2);
    expect(report.verdict).toBe('INCOMPLETE');
    expect(report.incomplete?.code).toBe('CONF_ERR_RETRY_AFTER_LIMIT');
    const problems = report.problems.join('\n');
    expect(problems).toMatch(/answered 429 asking to wait \d{9,} s \(Retry-After: "Wed, 01 Jan 2099 00:00:00 GMT"\), longer than the longest wait the kit honours \(10 s\)/);
    expect(problems).toMatch(/\[CONF_ERR_RETRY_AFTER_LIMIT\]/);
    // what could not run says why
    expect(report.results.find((r) => r.check === 'export_start')?.message).toMatch(/^not run: .*Retry-After/);
  });

  it('Retry-After: 10 on every answer, with --max-run-s 3: the run ends within its limit, the wait named', async () => {
    const t0 = performance.now();
    const { report, exitCode } = await target().run(
      fault('retry-after-always', 'order_list_schema', async () => jsonAnswer(429, { detail: 'slow down' }, { 'retry-after': '10' })),
      { maxRunS: 3 },
    );
    expect(performance.now() - t0).toBeLessThan(8_000);
    expect(exitCode).toBe(2);
    expect(report.verdict).toBe('INCOMPLETE');
    expect(report.incomplete?.code).toBe('CONF_ERR_RETRY_AFTER_LIMIT');
    expect(report.problems.join('\n')).toMatch(/asking to wait 10 s .*longer than the time the run has left \(\d s of --max-run-s\).*\[CONF_ERR_RETRY_AFTER_LIMIT\]/);
  });

  it('a short Retry-After is waited out: one 429 (Retry-After: 1) then answers, and the run passes', async () => {
    let limited = 0;
    const t0 = performance.now();
    const { report } = await target().run(
      fault('retry-after-once', 'order_list_schema', async (req, ctx) => {
        if (req.operation === 'listTerminateReasons' && limited++ === 0) return jsonAnswer(429, { detail: 'once' }, { 'retry-after': '1' });
        return ctx.forward(req);
      }),
    );
    expect(performance.now() - t0).toBeGreaterThan(1_000);
    expect(limited).toBeGreaterThan(1);
    expect(report.problems).toEqual([]);
    expect(report.results.find((r) => r.check === 'terminate_reasons_schema')?.status).toBe('pass');
  });
});

describe('--max-run-s', () => {
  it('a target that answers every request in 300 ms, with --max-run-s 2: the run stops at 2 s and names the limit with its code', async () => {
    const t0 = performance.now();
    const { report, exitCode } = await target().run(
      fault('slow', 'order_list_schema', async (req, ctx) => {
        await sleep(300);
        return ctx.forward(req);
      }),
      { maxRunS: 2 },
    );
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThan(1_900);
    expect(ms).toBeLessThan(8_000);
    expect(exitCode).toBe(2);
    expect(report.verdict).toBe('INCOMPLETE');
    expect(report.incomplete?.code).toBe('CONF_ERR_RUN_TIME_LIMIT');
    expect(report.problems.join('\n')).toMatch(/the run's time limit \(--max-run-s 2\) was reached; the remaining requests were not sent \[CONF_ERR_RUN_TIME_LIMIT\]/);
    // the exchanges the limit cut or kept back say nothing of the target: no check fails on them
    expect(report.results.filter((r) => r.status === 'fail').map((r) => `${r.check}: ${r.message}`)).toEqual([]);
  });

  it('defaults to an hour, 0 means none, and a bad value is refused', () => {
    expect(resolveOptions({}).maxRunS).toBe(3600);
    expect(resolveOptions({ maxRunS: '0' }).maxRunS).toBe(0);
    expect(() => resolveOptions({ maxRunS: 'soon' })).toThrow(/--max-run-s must be a whole number/);
  });
});

describe('run problems, counted past a hundred', () => {
  it('hundreds of distinct problems: 100 kept word for word, the rest counted, summary.md far under 1 MB', async () => {
    // every detail, history and documents answer padded past the size cap: one distinct problem each
    const big = await startTarget({ orders: 160 });
    const pad = (op: Operation): Transform => editResponse(op, (res) => ({ ...res, body: Buffer.concat([res.body, Buffer.alloc(70_000, 0x20)]) }));
    let outcome: RunOutcome;
    try {
      outcome = await big.run(fault('padded', 'order_list_schema', chain(pad('getOrder'), pad('getOrderHistory'), pad('listOrderDocuments'))), { maxBodyBytes: 65_536, maxOrders: 300 });
    } finally {
      await big.close();
    }
    const { report, exitCode } = outcome;
    expect(exitCode).toBe(1);
    expect(report.problems.length).toBe(101);
    const last = report.problems[100] ?? '';
    const more = Number(/… and (\d+) more problem\(s\) \((\d+) in all/.exec(last)?.[1]);
    expect(more).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'conformance-problems-'));
    try {
      await writeReports(report, loadSpec(), dir);
      const md = readFileSync(join(dir, 'summary.md'), 'utf8');
      expect(Buffer.byteLength(md)).toBeLessThan(1024 * 1024);
      expect(md).toContain(`and ${more} more problem(s)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

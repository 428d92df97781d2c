/**
 * `--concurrency auto` against a target that refuses load: the reference
 * server behind a proxy on 127.0.0.1 that adds 50 ms to every answer and
 * answers 429 (Retry-After: 0) to any request above 16 in flight. The run
 * backs off, PASSes as a fixed run does, and its report says what it
 * settled on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonAnswer } from '../faults/proxy.ts';
import { startTarget, type Target } from '../faults/target.ts';

let target: Target;
beforeAll(async () => {
  target = await startTarget({ orders: 160 });
});
afterAll(async () => {
  await target?.close();
});

describe('--concurrency auto', () => {
  it('a target that answers 429 above 16 in flight: PASS, settled between 8 and 16, with decreases, and the 429s were few', async () => {
    let inFlight = 0;
    let refused = 0;
    let answered = 0;
    const { report, exitCode } = await target.run(
      {
        name: 'busy-above-16',
        breaks: 'none',
        requirement: 'none',
        description: 'answers 429 to a request above 16 in flight, and every answer 50 ms late',
        transform: async (req, ctx) => {
          if (inFlight >= 16) {
            refused++;
            return jsonAnswer(429, { detail: 'Request was throttled.' }, { 'retry-after': '0' });
          }
          inFlight++;
          try {
            await sleep(50);
            answered++;
            return await ctx.forward(req);
          } finally {
            inFlight--;
          }
        },
      },
      { concurrency: 'auto', maxConcurrency: 64, maxOrders: 150, allowWrites: false, allowExport: false },
    );
    expect(
      report.verdict,
      report.results
        .filter((r) => r.status === 'fail')
        .map((r) => `${r.check}: ${r.message}`)
        .join('\n'),
    ).toBe('PASS');
    expect(exitCode).toBe(0);
    const c = report.concurrency;
    expect(c?.mode).toBe('auto');
    expect(c?.max).toBe(64);
    expect(c?.settled).toBeGreaterThanOrEqual(8);
    expect(c?.settled).toBeLessThanOrEqual(16);
    expect(c?.decreases).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    // backing off: a few percent of the requests were refused, not one in two
    expect(refused).toBeLessThan(answered * 0.05);
  }, 60_000);
});

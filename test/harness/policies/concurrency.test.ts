/**
 * The adaptive concurrency policy (--concurrency auto) on simulated targets:
 * a virtual clock, requests always waiting, each answered after latency(n)
 * for n in flight, and a 429 (or 503) above the target's capacity. No
 * server, no timer: the controller is data in, a limit out.
 */
import { describe, expect, it } from 'vitest';
import { AimdConcurrency, FixedConcurrency, START } from '../../../src/harness/policies/concurrency.ts';

interface Target {
  /** ms an answer takes with n in flight */
  latency: (n: number) => number;
  /** answers above this many in flight are refused */
  capacity?: number;
  refusal?: 429 | 503;
}

/** Runs `answers` requests against a simulated target through the controller; its limits over time and the throughput. */
function simulate(target: Target, answers: number, max = 64) {
  const limits: number[] = [];
  let limit = 0;
  const aimd = new AimdConcurrency(max, (n) => {
    limit = n;
  });
  limit = aimd.limit;
  let now = 0;
  let inFlight = 0;
  let done = 0;
  let ok = 0;
  let peak = 0;
  const pending: { at: number; status: number; ms: number }[] = [];
  while (done < answers) {
    while (inFlight < limit) {
      inFlight++;
      peak = Math.max(peak, inFlight);
      const refused = target.capacity !== undefined && inFlight > target.capacity;
      const ms = refused ? 1 : target.latency(inFlight);
      pending.push({ at: now + ms, status: refused ? (target.refusal ?? 429) : 200, ms });
    }
    pending.sort((a, b) => a.at - b.at);
    const next = pending.shift() as { at: number; status: number; ms: number };
    now = next.at;
    inFlight--;
    done++;
    if (next.status === 200) ok++;
    aimd.observe({ status: next.status, durationMs: next.ms, timeout: false });
    limits.push(aimd.limit);
  }
  return { summary: aimd.summary(), limits, peak, perSecond: (ok / now) * 1000, aimd };
}

describe('--concurrency auto', () => {
  it('starts at 4, and the fixed policy never moves', () => {
    expect(new AimdConcurrency(64).limit).toBe(START);
    expect(new AimdConcurrency(2).limit).toBe(2);
    const fixed = new FixedConcurrency(8);
    fixed.observe();
    expect(fixed.summary()).toEqual({ mode: 'fixed', settled: 8, max: 8, decreases: 0, increases: 0 });
  });

  it('a target that answers 429 above 16 in flight (50 ms answers): settles on 16, backs off on the 429s, and keeps ≥ 90% of the best fixed throughput', () => {
    const { summary, perSecond, peak } = simulate({ latency: () => 50, capacity: 16 }, 20_000);
    expect(summary.mode).toBe('auto');
    expect(summary.settled).toBe(16);
    expect(summary.decreases).toBeGreaterThan(0);
    expect(summary.increases).toBeGreaterThan(12);
    expect(peak).toBeLessThanOrEqual(17);
    // the best fixed concurrency here is 16: 16 answers per 50 ms
    expect(perSecond).toBeGreaterThan(0.9 * (16 / 50) * 1000);
  });

  it('a 503 above 8 in flight: settles at or below 8', () => {
    const { summary } = simulate({ latency: () => 20, capacity: 8, refusal: 503 }, 10_000);
    expect(summary.settled).toBeLessThanOrEqual(8);
    expect(summary.settled).toBeGreaterThanOrEqual(6);
    expect(summary.decreases).toBeGreaterThan(0);
  });

  it('latency that rises past 10 in flight (no refusal at all): held where latency stays under twice the baseline', () => {
    // 20 ms up to 10 in flight, then growing with the square of the load: 45 ms (2×20 + 5) at 15
    const { summary, limits } = simulate({ latency: (n) => (n <= 10 ? 20 : 20 * (n / 10) ** 2) }, 20_000);
    expect(summary.settled).toBeGreaterThanOrEqual(10);
    expect(summary.settled).toBeLessThanOrEqual(15);
    expect(Math.max(...limits)).toBeLessThanOrEqual(15);
  });

  it('latency that jumps fivefold past 10 in flight: halved, then held at 10', () => {
    const { summary, limits } = simulate({ latency: (n) => (n <= 10 ? 20 : 100) }, 20_000);
    expect(summary.decreases).toBeGreaterThan(0);
    expect(summary.settled).toBe(10);
    expect(Math.min(...limits.slice(100))).toBeGreaterThanOrEqual(5);
  });

  it('a target with room to spare: climbs to the maximum and never past it', () => {
    const { summary, peak } = simulate({ latency: () => 10 }, 5_000, 12);
    expect(summary.settled).toBe(12);
    expect(summary.decreases).toBe(0);
    expect(peak).toBe(12);
  });

  it('a timeout halves the limit (at least 1), and the answers sent before it do not halve it again', () => {
    const aimd = new AimdConcurrency(64, () => undefined, 20);
    aimd.observe({ status: undefined, durationMs: 10_000, timeout: true });
    expect(aimd.limit).toBe(10);
    for (let i = 0; i < 19; i++) aimd.observe({ status: 429, durationMs: 5, timeout: false });
    expect(aimd.limit).toBe(10);
    aimd.observe({ status: 429, durationMs: 5, timeout: false });
    expect(aimd.limit).toBe(5);
    const one = new AimdConcurrency(64, () => undefined, 1);
    one.observe({ status: 503, durationMs: 5, timeout: false });
    expect(one.limit).toBe(1);
  });

  it('answers that never reached the limit (a serial phase) do not raise it', () => {
    const aimd = new AimdConcurrency(64);
    for (let i = 0; i < 1000; i++) aimd.observe({ status: 200, durationMs: 50, timeout: false, pressed: false });
    expect(aimd.limit).toBe(START);
    for (let i = 0; i < 8; i++) aimd.observe({ status: 200, durationMs: 50, timeout: false, pressed: i === 3 });
    expect(aimd.limit).toBe(START + 1);
  });

  it('a streamed answer (no latency) counts for congestion only', () => {
    const aimd = new AimdConcurrency(64);
    for (let i = 0; i < 100; i++) aimd.observe({ status: 200, durationMs: undefined, timeout: false });
    expect(aimd.limit).toBe(START);
    aimd.observe({ status: 429, durationMs: undefined, timeout: false });
    expect(aimd.limit).toBe(2);
  });
});

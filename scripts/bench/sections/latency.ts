/**
 * Latency-bound run (issue 16): the reference server with 1,000 orders of
 * customer A behind a proxy that adds 50 ms to every answer, and one
 * read-only conformance run that examines every order (--max-orders 1000).
 * Little's law bounds such a run from below: with `concurrency` requests in
 * flight and each taking at least the added latency, it cannot take less
 * than requests × latency ÷ concurrency. The figure is the wall time over
 * that floor (target ≤ 1.15×); the phase lines say where the rest went.
 */
import { median, runChild, startChild } from '../lib.ts';
import { mockOrdersFor, startMockChild } from './suite.ts';
import type { Log, Row, Section } from './types.ts';

interface LatencyRun {
  ms: number;
  requests: number;
  verdict: string;
  failed: string[];
  problems: string[];
  phaseLog: { atMs: number; line: string }[];
}

/** The floor of Little's law: `requests` each taking `latencyMs`, `concurrency` at a time. */
export function littleFloorMs(requests: number, latencyMs: number, concurrency: number): number {
  return (requests * latencyMs) / concurrency;
}

export async function benchLatency({ orders, delayMs, concurrency, reps, log }: { orders: number; delayMs: number; concurrency: number; reps: number; log: Log }): Promise<Section> {
  const mock = await startMockChild(mockOrdersFor(orders));
  const proxy = await startChild<{ baseUrl: string }>('serve-delay.ts', { upstream: mock.message.baseUrl, delayMs }, { timeoutMs: 60_000 });
  try {
    const runs: (LatencyRun & { floorMs: number; ratio: number; upstreamMs: number; meanInFlight: number })[] = [];
    for (let i = 1; i <= reps; i++) {
      const before = await stats(proxy.message.baseUrl);
      const r = await runChild<LatencyRun>('suite-child.ts', { baseUrl: proxy.message.baseUrl, token: mock.message.tokens.customerA_user1, maxOrders: orders, concurrency, phaseLog: true, seed: i });
      const after = await stats(proxy.message.baseUrl);
      const floorMs = littleFloorMs(r.requests, delayMs, concurrency);
      // the upstream's own time per answer over this run (the proxy's delay comes on top of it)
      const upstreamMs = (after.upstreamMs * after.answered - before.upstreamMs * before.answered) / Math.max(1, after.answered - before.answered);
      // how many requests the run kept in flight, on average, over its own wall time
      const meanInFlight = (after.inFlightMs - before.inFlightMs) / r.ms;
      runs.push({ ...r, floorMs, ratio: r.ms / floorMs, upstreamMs, meanInFlight });
      log(`latency #${i}: ${(r.ms / 1000).toFixed(2)} s for ${r.requests} requests (floor ${(floorMs / 1000).toFixed(2)} s) → ${(r.ms / floorMs).toFixed(3)}×, verdict ${r.verdict}; upstream ${upstreamMs.toFixed(2)} ms per answer, ${meanInFlight.toFixed(2)} requests in flight on average`);
      for (const p of r.phaseLog) if (/^(•|  \S.* done in )/.test(p.line)) log(`  ${(p.atMs / 1000).toFixed(2).padStart(6)} s ${p.line.trim()}`);
    }
    const wallS = median(runs.map((r) => r.ms)) / 1000;
    const floorS = median(runs.map((r) => r.floorMs)) / 1000;
    const ratio = median(runs.map((r) => r.ratio));
    const requests = runs[0]?.requests ?? 0;
    const label = `${orders.toLocaleString('en-US')} orders, +${delayMs} ms, concurrency ${concurrency}`;
    const rows: Row[] = [
      { figure: `latency ${label}: wall time (${requests.toLocaleString('en-US')} requests)`, value: wallS, unit: 's' },
      { figure: `latency ${label}: Little's-law floor (requests × ${delayMs} ms ÷ ${concurrency})`, value: floorS, unit: 's' },
      { figure: `latency ${label}: wall time / floor`, value: ratio, unit: '×', target: '≤ 1.15×', met: ratio <= 1.15 },
    ];
    return { name: 'latency', rows, details: { orders, mockOrders: mockOrdersFor(orders), delayMs, concurrency, reps, runs } };
  } finally {
    await proxy.stop();
    await mock.stop();
  }
}

async function stats(baseUrl: string): Promise<{ answered: number; upstreamMs: number; inFlightMs: number; at: number }> {
  const res = await fetch(`${baseUrl}/_delay/stats`);
  return (await res.json()) as { answered: number; upstreamMs: number; inFlightMs: number; at: number };
}

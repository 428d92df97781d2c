/**
 * Latency-bound run (issue 16): the reference server with 1,000 orders of
 * customer A behind a proxy that adds 50 ms to every answer, and one
 * read-only conformance run that examines every order (--max-orders 1000).
 * Little's law bounds such a run from below: with `concurrency` requests in
 * flight and each taking at least the added latency, it cannot take less
 * than requests × latency ÷ concurrency. The figure is the wall time over
 * that floor (target ≤ 1.15×); the phase lines say where the rest went.
 * On a busy machine every answer is late beyond the 50 ms (the server's own
 * time, and three event loops waiting for a core): the second ratio puts the
 * latency the kit measured for its exchanges in place of the 50 ms, so that
 * what is left is the kit's own scheduling (serial steps, idle slots).
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
  /** the run's exchanges' durations, summed (as the kit measured them) */
  exchangeMs: number;
}

/** The floor of Little's law: `requests` each taking `latencyMs`, `concurrency` at a time. */
export function littleFloorMs(requests: number, latencyMs: number, concurrency: number): number {
  return (requests * latencyMs) / concurrency;
}

export async function benchLatency({ orders, delayMs, concurrency, reps, log }: { orders: number; delayMs: number; concurrency: number; reps: number; log: Log }): Promise<Section> {
  const mock = await startMockChild(mockOrdersFor(orders));
  const proxy = await startChild<{ baseUrl: string }>('serve-delay.ts', { upstream: mock.message.baseUrl, delayMs }, { timeoutMs: 60_000 });
  try {
    const runs: (LatencyRun & { floorMs: number; ratio: number; upstreamMs: number; meanInFlight: number; kitInFlight: number; seenMs: number; seenFloorMs: number })[] = [];
    for (let i = 1; i <= reps; i++) {
      const before = await stats(proxy.message.baseUrl);
      const r = await runChild<LatencyRun>('suite-child.ts', { baseUrl: proxy.message.baseUrl, token: mock.message.tokens.customerA_user1, maxOrders: orders, concurrency, phaseLog: true, seed: i });
      const after = await stats(proxy.message.baseUrl);
      const floorMs = littleFloorMs(r.requests, delayMs, concurrency);
      // the upstream's own time per answer over this run (the proxy's delay comes on top of it)
      const upstreamMs = (after.upstreamMs * after.answered - before.upstreamMs * before.answered) / Math.max(1, after.answered - before.answered);
      // how many requests the run kept in flight, on average, over its own wall time
      const meanInFlight = (after.inFlightMs - before.inFlightMs) / r.ms;
      // the same as the kit saw it (its exchanges' durations), and the latency each had: what the floor would be with it
      const kitInFlight = r.exchangeMs / r.ms;
      const seenMs = r.exchangeMs / Math.max(1, r.requests);
      const seenFloorMs = littleFloorMs(r.requests, seenMs, concurrency);
      runs.push({ ...r, floorMs, ratio: r.ms / floorMs, upstreamMs, meanInFlight, kitInFlight, seenMs, seenFloorMs });
      log(
        `latency #${i}: ${(r.ms / 1000).toFixed(2)} s for ${r.requests} requests (floor ${(floorMs / 1000).toFixed(2)} s) → ${(r.ms / floorMs).toFixed(3)}×, verdict ${r.verdict}; upstream ${upstreamMs.toFixed(2)} ms per answer; in flight on average ${meanInFlight.toFixed(2)} at the proxy, ${kitInFlight.toFixed(2)} as the kit saw them (${seenMs.toFixed(1)} ms each: floor ${(seenFloorMs / 1000).toFixed(2)} s, ${(r.ms / seenFloorMs).toFixed(3)}×)`,
      );
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
      // the machine's share: each answer as the kit timed it (50 ms, the server, both event loops) in place of the 50 ms
      { figure: `latency ${label}: wall time / floor at the latency the kit saw (${fmtMs(median(runs.map((r) => r.seenMs)))} ms)`, value: median(runs.map((r) => r.ms / r.seenFloorMs)), unit: '×' },
    ];
    return { name: 'latency', rows, details: { orders, mockOrders: mockOrdersFor(orders), delayMs, concurrency, reps, runs } };
  } finally {
    await proxy.stop();
    await mock.stop();
  }
}

const fmtMs = (ms: number): string => ms.toFixed(1);

async function stats(baseUrl: string): Promise<{ answered: number; upstreamMs: number; inFlightMs: number; at: number }> {
  const res = await fetch(`${baseUrl}/_delay/stats`);
  return (await res.json()) as { answered: number; upstreamMs: number; inFlightMs: number; at: number };
}

/**
 * `--concurrency auto` against a target that refuses load (issue 17): the
 * reference server behind the delay proxy, 50 ms added to every answer and
 * a 429 (Retry-After: 1) to any request that arrives while 16 are in
 * flight. The same read-only run (every one of `orders` orders examined) at
 * fixed concurrencies and at auto; the figure is auto's throughput over the
 * best fixed one's (target ≥ 90%). Throughput is the work done: orders
 * examined per second of wall time, and the target's useful answers (not
 * 429) per second.
 */
import { median, runChild, startChild } from '../lib.ts';
import { mockOrdersFor, startMockChild } from './suite.ts';
import type { Log, Row, Section } from './types.ts';

interface AutoRun {
  ms: number;
  orders: number;
  requests: number;
  verdict: string;
  failed: string[];
  concurrency?: { mode: string; settled: number; max: number; decreases: number; increases: number };
}

interface Measured {
  concurrency: number | 'auto';
  ms: number;
  orders: number;
  requests: number;
  answered: number;
  refused: number;
  ordersPerS: number;
  answersPerS: number;
  verdict: string;
  failed: string[];
  settled?: number;
  decreases?: number;
  increases?: number;
}

export async function benchAuto({ orders, delayMs, busyAbove, fixed, reps, log }: { orders: number; delayMs: number; busyAbove: number; fixed: number[]; reps: number; log: Log }): Promise<Section> {
  const mock = await startMockChild(mockOrdersFor(orders));
  const proxy = await startChild<{ baseUrl: string }>('serve-delay.ts', { upstream: mock.message.baseUrl, delayMs, busyAbove }, { timeoutMs: 60_000 });
  try {
    const runs: Measured[] = [];
    // the concurrencies far below the target's capacity once; those around it and auto `reps` times, alternated (a busy machine drifts)
    const around = [...fixed.filter((c) => c >= busyAbove), 'auto' as const];
    const order: (number | 'auto')[] = [...fixed.filter((c) => c < busyAbove), ...Array.from({ length: reps }, () => around).flat()];
    for (const concurrency of order) {
      const before = await stats(proxy.message.baseUrl);
      const r = await runChild<AutoRun>('suite-child.ts', { baseUrl: proxy.message.baseUrl, token: mock.message.tokens.customerA_user1, maxOrders: orders, concurrency, maxConcurrency: 64, seed: 1 }, 1_800_000);
      const after = await stats(proxy.message.baseUrl);
      const answered = after.answered - before.answered;
      const refused = after.refused - before.refused;
      const m: Measured = {
        concurrency,
        ms: r.ms,
        orders: r.orders,
        requests: r.requests,
        answered,
        refused,
        ordersPerS: (orders / r.ms) * 1000,
        answersPerS: (answered / r.ms) * 1000,
        verdict: r.verdict,
        failed: r.failed,
        ...(r.concurrency?.mode === 'auto' ? { settled: r.concurrency.settled, decreases: r.concurrency.decreases, increases: r.concurrency.increases } : {}),
      };
      runs.push(m);
      log(
        `auto: concurrency ${concurrency}: ${(r.ms / 1000).toFixed(1)} s, ${m.ordersPerS.toFixed(1)} orders/s, ${m.answersPerS.toFixed(0)} answers/s, ${refused} refused (429), ${r.requests} requests, verdict ${r.verdict}${m.settled !== undefined ? `; settled on ${m.settled} (${m.increases} up, ${m.decreases} down)` : ''}`,
      );
    }
    // one row per concurrency: the median run's figures
    const byConcurrency = [...fixed, 'auto' as const].map((c) => {
      const of = runs.filter((r) => r.concurrency === c).sort((a, b) => a.ordersPerS - b.ordersPerS);
      return { c, runs: of, mid: of[Math.floor((of.length - 1) / 2)] as Measured, ordersPerS: median(of.map((r) => r.ordersPerS)) };
    });
    const fixedRows = byConcurrency.filter((b) => b.c !== 'auto');
    const best = fixedRows.reduce((a, b) => (b.ordersPerS > a.ordersPerS ? b : a));
    const auto = byConcurrency.find((b) => b.c === 'auto') as (typeof byConcurrency)[number];
    const label = `${orders.toLocaleString('en-US')} orders, +${delayMs} ms, 429 above ${busyAbove} in flight`;
    const rows: Row[] = byConcurrency.map((b) => ({
      figure: `auto ${label}: concurrency ${b.c}${b.mid.settled !== undefined ? ` (settled on ${b.runs.map((r) => r.settled).join(', ')}; ${b.runs.map((r) => r.decreases).join(', ')} down)` : ''}: orders/s, ${b.runs.length > 1 ? `median of ${b.runs.length}` : 'one run'} (${b.mid.answersPerS.toFixed(0)} answers/s, ${b.mid.refused} refused, ${b.runs.map((r) => r.verdict).join('/')})`,
      value: b.ordersPerS,
      unit: 'orders/s',
    }));
    const ratio = auto.ordersPerS / best.ordersPerS;
    rows.push({ figure: `auto ${label}: auto ÷ best fixed (${best.c})`, value: ratio * 100, unit: '%', target: '≥ 90%', met: ratio >= 0.9 });
    return { name: 'auto', rows, details: { orders, mockOrders: mockOrdersFor(orders), delayMs, busyAbove, reps, runs } };
  } finally {
    await proxy.stop();
    await mock.stop();
  }
}

async function stats(baseUrl: string): Promise<{ answered: number; refused: number }> {
  const res = await fetch(`${baseUrl}/_delay/stats`);
  return (await res.json()) as { answered: number; refused: number };
}

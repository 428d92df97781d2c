/**
 * What recording costs: the same run over N orders against the reference
 * server (in a child process), without and with `--record FILE`, in
 * alternation after a warm-up of each, the ratio the median of the pairs'.
 * Also the cassette's size and how long `conformance judge` takes on it.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { MiB, median, runChild } from '../lib.ts';
import { mockOrdersFor, startMockChild } from './suite.ts';
import type { Log, Row, Section } from './types.ts';

interface SuiteResult {
  ms: number;
  cpuMs: number;
  requests: number;
  verdict: string;
  peakRss: number;
}

export async function benchCassette({ n, reps, concurrency, work, log }: { n: number; reps: number; concurrency: number; work: string; log: Log }): Promise<Section> {
  const mock = await startMockChild(mockOrdersFor(n));
  try {
    const token = mock.message.tokens.customerA_user1!;
    const file = join(work, `cassette-${n}.jsonl`);
    const args = (record: boolean): Record<string, unknown> => ({ baseUrl: mock.message.baseUrl, token, maxOrders: n, concurrency, ...(record ? { cassette: file } : {}) });
    await runChild<SuiteResult>('suite-child.ts', args(false));
    await runChild<SuiteResult>('suite-child.ts', args(true));
    const pairs: { bare: SuiteResult; recorded: SuiteResult; ratio: number }[] = [];
    for (let i = 1; i <= reps; i++) {
      // the order alternates, so that a machine slowing down over time weighs on both
      const first = i % 2 === 0;
      const a = await runChild<SuiteResult>('suite-child.ts', args(first));
      const b = await runChild<SuiteResult>('suite-child.ts', args(!first));
      const [recorded, bare] = first ? [a, b] : [b, a];
      pairs.push({ bare, recorded, ratio: recorded.ms / bare.ms });
      log(`cassette N=${n} #${i}: without ${(bare.ms / 1000).toFixed(2)} s, with --record ${(recorded.ms / 1000).toFixed(2)} s → ${(recorded.ms / bare.ms).toFixed(3)}× (CPU ${(recorded.cpuMs / bare.cpuMs).toFixed(3)}×; ${recorded.requests} requests, ${recorded.verdict})`);
    }
    const size = statSync(file).size;
    const judged = await runChild<{ ms: number; verdict: string; requests: number; peakRss: number }>('judge-child.ts', { cassette: file }, 600_000);
    log(`cassette N=${n}: ${(size / MiB).toFixed(1)} MiB; judged offline in ${(judged.ms / 1000).toFixed(2)} s (${judged.verdict})`);
    const ratio = median(pairs.map((p) => p.ratio));
    const label = `N=${n.toLocaleString('en-US')}`;
    const rows: Row[] = [
      { figure: `cassette ${label}: run without --record`, value: median(pairs.map((p) => p.bare.ms)) / 1000, unit: 's' },
      { figure: `cassette ${label}: run with --record`, value: median(pairs.map((p) => p.recorded.ms)) / 1000, unit: 's' },
      { figure: `cassette ${label}: with / without --record`, value: ratio, unit: '×', target: '≤ 1.10×', met: ratio <= 1.1 },
      // CPU time of the run's process: what recording costs, less exposed than wall time to other work on the machine
      { figure: `cassette ${label}: CPU time with / without --record`, value: median(pairs.map((p) => p.recorded.cpuMs / p.bare.cpuMs)), unit: '×' },
      { figure: `cassette ${label}: cassette size (${pairs[0]?.recorded.requests ?? 0} exchanges)`, value: size / MiB, unit: 'MiB' },
      { figure: `cassette ${label}: conformance judge of it (${judged.verdict})`, value: judged.ms / 1000, unit: 's' },
    ];
    return { name: 'cassette', rows, details: { n, mockOrders: mockOrdersFor(n), concurrency, reps, pairs: pairs.map((p) => ({ withoutMs: p.bare.ms, withMs: p.recorded.ms, ratio: p.ratio, withoutCpuMs: p.bare.cpuMs, withCpuMs: p.recorded.cpuMs, requests: p.recorded.requests, withPeakMiB: p.recorded.peakRss / MiB, withoutPeakMiB: p.bare.peakRss / MiB })), ratio, bytes: size, judge: judged } };
  } finally {
    await mock.stop();
  }
}

/**
 * What recording costs: the same run over N orders against the reference
 * server (in a child process), without and with `--record FILE`, in
 * alternation after a warm-up of each, the ratio the median of the pairs'.
 * Also the cassette's size, how long `conformance judge` takes on it, and
 * the recorder alone (record-child.ts): the CPU time of writing the
 * cassette of one run's exchanges again, beside that run's own, a figure far
 * less exposed than two whole runs to other work on a shared machine.
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
    const alone = await runChild<{ runCpuMs: number; exchanges: number; passes: { ms: number; cpuMs: number }[] }>('record-child.ts', { ...args(false), cassette: join(work, `cassette-${n}-alone.jsonl`), reps: 5 });
    const aloneCpu = Math.min(...alone.passes.map((p) => p.cpuMs));
    log(`cassette N=${n}: the recorder alone, ${alone.exchanges} exchanges: ${alone.passes.map((p) => p.cpuMs.toFixed(0)).join(', ')} ms CPU per pass; the run itself ${alone.runCpuMs.toFixed(0)} ms CPU → ${((aloneCpu / alone.runCpuMs) * 100).toFixed(1)} %`);
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
      // the fastest of five passes: the recorder's own cost, with as little of the machine's other work as could be had
      { figure: `cassette ${label}: the recorder alone (CPU, fastest of 5 passes)`, value: aloneCpu, unit: 'ms' },
      { figure: `cassette ${label}: the recorder alone / the run's CPU`, value: aloneCpu / alone.runCpuMs, unit: '×' },
      { figure: `cassette ${label}: cassette size (${pairs[0]?.recorded.requests ?? 0} exchanges)`, value: size / MiB, unit: 'MiB' },
      { figure: `cassette ${label}: conformance judge of it (${judged.verdict})`, value: judged.ms / 1000, unit: 's' },
    ];
    return {
      name: 'cassette',
      rows,
      details: {
        n,
        mockOrders: mockOrdersFor(n),
        concurrency,
        reps,
        pairs: pairs.map((p) => ({ withoutMs: p.bare.ms, withMs: p.recorded.ms, ratio: p.ratio, withoutCpuMs: p.bare.cpuMs, withCpuMs: p.recorded.cpuMs, requests: p.recorded.requests, withPeakMiB: p.recorded.peakRss / MiB, withoutPeakMiB: p.bare.peakRss / MiB })),
        ratio,
        bytes: size,
        judge: judged,
        alone,
      },
    };
  } finally {
    await mock.stop();
  }
}

/**
 * Suite overhead: a conformance run over N orders against the reference
 * server (in a child process), divided by a bare undici loop making exactly
 * the requests that run made (recorded through the harness's listeners), at
 * the same concurrency, against the same server. Each repetition is a pair
 * (bare replay of the previous run's requests, then a new run), after one
 * warm-up run; the ratio is the median of the pairs' ratios.
 *
 * At 10,000 orders and more, a calibration: the bare loop again, spinning
 * after each answer for the CPU per request the run spent over the bare
 * loop, and for half of it. Where the line through the two crosses 1.25× is
 * the kit's CPU per request that the target allows on this machine.
 *
 * Memory: one run over 100,000 orders, its peak resident memory.
 */
import { join } from 'node:path';
import { MiB, median, runChild, startChild } from '../lib.ts';
import type { Log, Row, Section } from './types.ts';

interface MockReady {
  baseUrl: string;
  tokens: Record<string, string>;
  startMs: number;
}

interface SuiteResult {
  ms: number;
  /** CPU time of the run's process (user + system): less noisy than wall time on a shared machine */
  cpuMs: number;
  requests: number;
  recorded: number;
  verdict: string;
  errors: number;
  failed: string[];
  problems: string[];
  peakRss: number;
}

interface BareResult {
  ms: number;
  cpuMs: number;
  requests: number;
  bytes: number;
  statuses: Record<string, number>;
  /** with validate: answers that did not parse or did not match their schema */
  invalid: number;
  peakRss: number;
}

/** Seeded orders the server needs so that customer A (3 in 4, index mod 4 ≠ 3) owns `n`. */
export function mockOrdersFor(n: number): number {
  let m = Math.ceil((n * 4) / 3);
  while (m - Math.floor(m / 4) < n) m++;
  while (m > 0 && m - 1 - Math.floor((m - 1) / 4) >= n) m--;
  return m;
}

export async function startMockChild(orders: number, extra: Record<string, unknown> = {}): Promise<Awaited<ReturnType<typeof startChild<MockReady>>>> {
  return startChild<MockReady>('serve-mock.ts', { seed: 42, orders, ...extra }, { timeoutMs: 120_000 });
}

export async function benchSuite({ sizes, concurrency, work, log }: { sizes: { n: number; reps: number }[]; concurrency: number; work: string; log: Log }): Promise<Section> {
  const rows: Row[] = [];
  const details: Record<string, unknown> = { concurrency };
  for (const { n, reps } of sizes) {
    const mock = await startMockChild(mockOrdersFor(n));
    try {
      const token = mock.message.tokens.customerA_user1!;
      const suiteArgs = (recordTo: string): Record<string, unknown> => ({ baseUrl: mock.message.baseUrl, token, maxOrders: n, concurrency, recordTo });
      let recording = join(work, `requests-${n}-0.json`);
      const warm = await runChild<SuiteResult>('suite-child.ts', suiteArgs(recording));
      log(`suite N=${n}: warm-up run ${(warm.ms / 1000).toFixed(1)} s, ${warm.requests} requests, verdict ${warm.verdict}`);
      const pairs: { suite: SuiteResult; bare: BareResult; checker: BareResult; ratio: number }[] = [];
      const secs = (r: { ms: number; cpuMs: number }): string => `${(r.ms / 1000).toFixed(2)} s (CPU ${(r.cpuMs / 1000).toFixed(2)} s)`;
      for (let i = 1; i <= reps; i++) {
        const replay = { baseUrl: mock.message.baseUrl, concurrency, requestsFrom: recording };
        const bare = await runChild<BareResult>('bare-child.ts', replay);
        // the checker floor: the same replay, every JSON answer also parsed and checked against its schema
        const checker = await runChild<BareResult>('bare-child.ts', { ...replay, validate: true });
        recording = join(work, `requests-${n}-${i}.json`);
        const suite = await runChild<SuiteResult>('suite-child.ts', suiteArgs(recording));
        pairs.push({ suite, bare, checker, ratio: suite.ms / bare.ms });
        log(`suite N=${n} #${i}: run ${secs(suite)}, bare ${secs(bare)}, checker floor ${secs(checker)}, ${bare.requests} requests → ${(suite.ms / bare.ms).toFixed(2)}× bare, ${(suite.ms / checker.ms).toFixed(2)}× checker`);
      }
      const ratio = median(pairs.map((p) => p.ratio));
      // the run's own CPU per request, over the bare loop's: the kit's work (parsing, validating, judging, its harness)
      const extraUs = median(pairs.map((p) => ((p.suite.cpuMs - p.bare.cpuMs) * 1000) / Math.max(1, p.bare.requests)));
      // calibration (N ≥ 10,000): the bare loop spending that much CPU per request, and half as much, as busy work; the
      // 1.25× target then reads as a CPU budget per request on this machine, interpolated between the two
      const calibration: { us: number; ratio: number }[] = [];
      if (n >= 10_000 && extraUs > 0) {
        for (const us of [extraUs / 2, extraUs]) {
          const replay = { baseUrl: mock.message.baseUrl, concurrency, requestsFrom: recording };
          const bare = await runChild<BareResult>('bare-child.ts', replay);
          const busy = await runChild<BareResult>('bare-child.ts', { ...replay, busyUs: us });
          calibration.push({ us, ratio: busy.ms / bare.ms });
          log(`suite N=${n}: calibration, bare loop + ${us.toFixed(0)} µs of CPU per request: ${(busy.ms / 1000).toFixed(2)} s against ${(bare.ms / 1000).toFixed(2)} s → ${(busy.ms / bare.ms).toFixed(2)}×`);
        }
      }
      const suiteS = median(pairs.map((p) => p.suite.ms)) / 1000;
      const bareS = median(pairs.map((p) => p.bare.ms)) / 1000;
      const checkerS = median(pairs.map((p) => p.checker.ms)) / 1000;
      const cpu = (pick: (p: (typeof pairs)[number]) => { cpuMs: number }): number => median(pairs.map((p) => pick(p).cpuMs)) / 1000;
      const big = n >= 10_000;
      const label = `N=${n.toLocaleString('en-US')}`;
      rows.push(
        { figure: `suite ${label}: conformance run`, value: suiteS, unit: 's', ...(big ? { target: '< 60 s', met: suiteS < 60 } : {}) },
        { figure: `suite ${label}: bare undici loop, same ${pairs[0]?.bare.requests ?? 0} requests`, value: bareS, unit: 's' },
        { figure: `suite ${label}: run / bare loop`, value: ratio, unit: '×', ...(big ? { target: '≤ 1.25×', met: ratio <= 1.25 } : {}) },
        { figure: `suite ${label}: checker floor (the bare loop, each JSON answer parsed and schema-checked)`, value: checkerS, unit: 's' },
        { figure: `suite ${label}: checker floor / bare loop`, value: median(pairs.map((p) => p.checker.ms / p.bare.ms)), unit: '×' },
        { figure: `suite ${label}: run / checker floor`, value: median(pairs.map((p) => p.suite.ms / p.checker.ms)), unit: '×' },
        { figure: `suite ${label}: CPU time of the client, run`, value: cpu((p) => p.suite), unit: 's' },
        { figure: `suite ${label}: CPU time of the client, bare loop`, value: cpu((p) => p.bare), unit: 's' },
        { figure: `suite ${label}: CPU time of the client, checker floor`, value: cpu((p) => p.checker), unit: 's' },
        { figure: `suite ${label}: the run's CPU per request over the bare loop's (start-up included)`, value: extraUs, unit: 'µs' },
      );
      const [half, full] = calibration;
      if (half && full) {
        rows.push({ figure: `suite ${label}: calibration, bare loop + ${half.us.toFixed(0)} µs of CPU per request / bare loop`, value: half.ratio, unit: '×' }, { figure: `suite ${label}: calibration, bare loop + ${full.us.toFixed(0)} µs of CPU per request / bare loop`, value: full.ratio, unit: '×' });
        // where the line through the two calibration points crosses 1.25× (outside them: not estimated)
        const budget = full.ratio > half.ratio ? half.us + ((1.25 - half.ratio) * (full.us - half.us)) / (full.ratio - half.ratio) : Number.NaN;
        if (budget >= half.us && budget <= full.us) rows.push({ figure: `suite ${label}: CPU per request the 1.25× target allows on this machine (interpolated)`, value: budget, unit: 'µs' });
        else log(`suite N=${n}: calibration, 1.25× lies outside ${half.ratio.toFixed(2)}×–${full.ratio.toFixed(2)}×: the CPU budget per request is not estimated`);
      }
      details[label] = {
        mockOrders: mockOrdersFor(n),
        reps,
        warm: { ms: warm.ms, requests: warm.requests, verdict: warm.verdict, errors: warm.errors, failed: warm.failed, problems: warm.problems },
        pairs: pairs.map((p) => ({
          suiteMs: p.suite.ms,
          suiteCpuMs: p.suite.cpuMs,
          bareMs: p.bare.ms,
          bareCpuMs: p.bare.cpuMs,
          checkerMs: p.checker.ms,
          checkerCpuMs: p.checker.cpuMs,
          checkerInvalid: p.checker.invalid,
          ratio: p.ratio,
          requests: p.suite.requests,
          recorded: p.suite.recorded,
          replayed: p.bare.requests,
          statuses: p.bare.statuses,
          suitePeakMiB: p.suite.peakRss / MiB,
          barePeakMiB: p.bare.peakRss / MiB,
          verdict: p.suite.verdict,
        })),
        ratio,
        extraUs,
        calibration,
        serverPeakMiB: (mock.peakRss() ?? NaN) / MiB,
      };
    } finally {
      await mock.stop();
    }
  }
  return { name: 'suite', rows, details };
}

export async function benchMemory({ n, concurrency, log }: { n: number; concurrency: number; log: Log }): Promise<Section> {
  const mock = await startMockChild(mockOrdersFor(n));
  try {
    const token = mock.message.tokens.customerA_user1!;
    const r = await runChild<SuiteResult>('suite-child.ts', { baseUrl: mock.message.baseUrl, token, maxOrders: n, concurrency }, 900_000);
    const mib = r.peakRss / MiB;
    log(`memory N=${n}: ${(r.ms / 1000).toFixed(1)} s, ${r.requests} requests, peak ${mib.toFixed(0)} MiB, verdict ${r.verdict}`);
    const label = `N=${n.toLocaleString('en-US')}`;
    return {
      name: 'memory',
      rows: [
        { figure: `suite ${label}: peak memory of the run`, value: mib, unit: 'MiB', target: '≤ 512 MB', met: r.peakRss <= 512 * 1e6 },
        { figure: `suite ${label}: duration (${r.requests.toLocaleString('en-US')} requests)`, value: r.ms / 1000, unit: 's' },
      ],
      details: { n, mockOrders: mockOrdersFor(n), ...r, serverPeakMiB: (mock.peakRss() ?? NaN) / MiB },
    };
  } finally {
    await mock.stop();
  }
}

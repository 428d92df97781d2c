/**
 * Fuzzing: the time of one fuzz case divided by the time of one bare request
 * to the same server. The fuzz phase runs alone (scripts/bench/fuzz-child.ts,
 * reads only); its requests are recorded and replayed one at a time by the
 * bare undici loop (the fuzzer sends one request at a time). Also: the fuzz
 * phase divided by that replay (what fast-check and the judging add).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT, median, runChild } from '../lib.ts';
import { mockOrdersFor, startMockChild } from './suite.ts';
import type { Log, Section } from './types.ts';

interface FuzzResult {
  ms: number;
  cases: number;
  requests: number;
  properties: { property: string; cases: number; failed: boolean; interrupted: boolean; ms: number }[];
  failed: string[];
}

export async function benchFuzz({ reps, numRuns, work, log }: { reps: number; numRuns: number; work: string; log: Log }): Promise<Section> {
  if (!existsSync(resolve(ROOT, 'src/fuzz/index.ts'))) {
    log('fuzz: src/fuzz does not exist: not measured');
    return { name: 'fuzz', rows: [{ figure: 'fuzz: time per case / one bare request', value: undefined, unit: '×', note: 'not measured: no src/fuzz' }], details: {} };
  }
  const mock = await startMockChild(mockOrdersFor(500));
  const runs: { fuzz: FuzzResult; bareMs: number; perCaseMs: number; perRequestMs: number }[] = [];
  try {
    const baseUrl = mock.message.baseUrl;
    const token = mock.message.tokens.customerA_user1!;
    for (let i = 0; i < reps + 1; i++) {
      const recordTo = join(work, `fuzz-${i}.json`);
      const fuzz = await runChild<FuzzResult>('fuzz-child.ts', { baseUrl, token, numRuns, recordTo });
      const bare = await runChild<{ ms: number; requests: number }>('bare-child.ts', { baseUrl, concurrency: 1, requestsFrom: recordTo });
      if (i === 0) {
        log(`fuzz: warm-up ${fuzz.cases} cases, ${fuzz.requests} requests in ${(fuzz.ms / 1000).toFixed(1)} s`);
        continue; // warm-up
      }
      const perCaseMs = fuzz.ms / Math.max(1, fuzz.cases);
      const perRequestMs = bare.ms / Math.max(1, bare.requests);
      runs.push({ fuzz, bareMs: bare.ms, perCaseMs, perRequestMs });
      log(`fuzz #${i}: ${fuzz.cases} cases, ${fuzz.requests} requests in ${(fuzz.ms / 1000).toFixed(2)} s; bare replay ${(bare.ms / 1000).toFixed(2)} s → ${(perCaseMs / perRequestMs).toFixed(1)} bare requests per case`);
    }
  } finally {
    await mock.stop();
  }
  const ratio = median(runs.map((r) => r.perCaseMs / r.perRequestMs));
  return {
    name: 'fuzz',
    rows: [
      { figure: 'fuzz: time per case', value: median(runs.map((r) => r.perCaseMs)), unit: 'ms' },
      { figure: 'fuzz: time of one bare request (same requests, one at a time)', value: median(runs.map((r) => r.perRequestMs)), unit: 'ms' },
      { figure: `fuzz: time per case / one bare request (${(median(runs.map((r) => r.fuzz.requests / Math.max(1, r.fuzz.cases)))).toFixed(1)} requests per case)`, value: ratio, unit: '×' },
      { figure: 'fuzz: fuzz phase / bare replay of its requests', value: median(runs.map((r) => r.fuzz.ms / r.bareMs)), unit: '×' },
    ],
    details: { numRuns, mockOrders: mockOrdersFor(500), runs },
  };
}

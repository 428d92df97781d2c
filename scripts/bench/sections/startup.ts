/**
 * Start-up: spec load and validator compilation, each in a fresh process
 * (scripts/bench/startup-child.ts), median of several. Validators compile
 * lazily, on first use: "as a run does it" compiles the validators a
 * read-only run over 20 orders compiled (recorded from such a run first);
 * "every schema" is `compileAll`, the most any run could compile.
 */
import { median, runChild } from '../lib.ts';
import { mockOrdersFor, startMockChild } from './suite.ts';
import type { Log, Section } from './types.ts';

interface StartupResult {
  importMs: number;
  loadMs: number;
  createMs: number;
  compileMs: number;
  compiled: number;
}

export async function benchStartup({ reps, log }: { reps: number; log: Log }): Promise<Section> {
  // what a run compiles
  const mock = await startMockChild(mockOrdersFor(20));
  let keys: string[];
  try {
    const r = await runChild<{ compiled: string[] }>('suite-child.ts', { baseUrl: mock.message.baseUrl, token: mock.message.tokens.customerA_user1, maxOrders: 20, concurrency: 8 });
    keys = r.compiled;
  } finally {
    await mock.stop();
  }
  const asRun: StartupResult[] = [];
  const all: StartupResult[] = [];
  for (let i = 0; i < reps; i++) {
    asRun.push(await runChild<StartupResult>('startup-child.ts', { keys }, 60_000));
    all.push(await runChild<StartupResult>('startup-child.ts', {}, 60_000));
  }
  const m = (runs: StartupResult[], f: (r: StartupResult) => number): number => median(runs.map(f));
  const load = m(asRun.concat(all), (r) => r.loadMs);
  const run = m(asRun, (r) => r.loadMs + r.createMs + r.compileMs);
  const every = m(all, (r) => r.loadMs + r.createMs + r.compileMs);
  log(`startup: load ${load.toFixed(0)} ms; load + compile as a run does it ${run.toFixed(0)} ms (${keys.length} validators); with every schema ${every.toFixed(0)} ms`);
  return {
    name: 'startup',
    rows: [
      { figure: 'start-up: spec load (read, YAML, index)', value: load, unit: 'ms' },
      { figure: `start-up: spec load + validators as a run compiles them (${keys.length}, lazily)`, value: run, unit: 'ms', target: '≤ 300 ms', met: run <= 300 },
      { figure: `start-up: spec load + every schema compiled (${all[0]?.compiled ?? 0})`, value: every, unit: 'ms' },
    ],
    details: { reps, keys, asRun, all },
  };
}

/**
 * Start-up: spec load and validator compilation, each in a fresh process
 * (scripts/bench/startup-child.ts), median of several.
 */
import { median, runChild } from '../lib.ts';
import type { Log, Section } from './types.ts';

interface StartupResult {
  importMs: number;
  loadMs: number;
  createMs: number;
  compileAllMs: number;
  compiled: number;
}

export async function benchStartup({ reps, log }: { reps: number; log: Log }): Promise<Section> {
  const runs: StartupResult[] = [];
  for (let i = 0; i < reps; i++) runs.push(await runChild<StartupResult>('startup-child.ts', {}, 60_000));
  const m = (f: (r: StartupResult) => number): number => median(runs.map(f));
  const total = m((r) => r.loadMs + r.createMs + r.compileAllMs);
  log(`startup: load ${m((r) => r.loadMs).toFixed(0)} ms, compile all ${m((r) => r.compileAllMs).toFixed(0)} ms`);
  return {
    name: 'startup',
    rows: [
      { figure: 'start-up: spec load (read, YAML, index)', value: m((r) => r.loadMs), unit: 'ms' },
      { figure: `start-up: compile every validator (${runs[0]?.compiled ?? 0} schemas)`, value: m((r) => r.createMs + r.compileAllMs), unit: 'ms' },
      { figure: 'start-up: spec load + compile', value: total, unit: 'ms', target: '≤ 300 ms', met: total <= 300 },
    ],
    details: { reps, runs },
  };
}

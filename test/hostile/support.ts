/**
 * Helpers shared by the hostile tests: one faulty target per file (a proxy
 * in front of the reference server, started before the file's tests and
 * closed after them), hostile modes as faults, and RSS sampling.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Fault, Transform } from '../faults/proxy.ts';
import { startTarget, type Target } from '../faults/target.ts';

/** Starts one target for the calling test file; the returned function gives it to the tests. */
export function fileTarget(opts: Parameters<typeof startTarget>[0]): () => Target {
  let target: Target | undefined;
  beforeAll(async () => {
    target = await startTarget(opts);
  }, 30_000);
  afterAll(async () => {
    await target?.close();
  });
  return () => {
    if (!target) throw new Error('the target is not started');
    return target;
  };
}

/** A hostile mode as a fault of the proxy (`breaks`: the check that must catch it). */
export function fault(name: string, breaks: string, transform: Transform): Fault {
  return { name, breaks, requirement: '', description: name, transform };
}

/** Runs `fn` while sampling this process's RSS every 20 ms; resolves to the RSS at the start and the peak. */
export async function sampleRss(fn: () => Promise<void>): Promise<{ start: number; peak: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    await fn();
  } finally {
    clearInterval(sampler);
  }
  return { start, peak };
}

/**
 * One reference server behind one faulty proxy, reused for many runs.
 *
 * The reference server runs on an injected clock that jumps an hour after
 * every run: orders a run created or terminated finish moving, and the
 * per-user export window (60 s, so that a loaded machine cannot stretch a
 * run's two export starts apart past it) passes, so each run meets a settled
 * server, as a fresh one would be, without paying for a new one.
 */
import { DEMO_TOKENS, startMock } from '../../mock/index.ts';
import { CHECK_BY_NAME } from '../../src/checks/catalog.ts';
import { resolveOptions } from '../../src/engine/options.ts';
import { runConformance, type RunOutcome } from '../../src/engine/run.ts';
import { startProxy, type Fault, type FaultyProxy } from './proxy.ts';

export interface Target {
  proxy: FaultyProxy;
  /** runs the suite through the proxy with `fault` in place (undefined: none); `during` runs after the run, the fault still in place */
  run(fault: Fault | undefined, options?: Record<string, unknown>, during?: (outcome: RunOutcome) => Promise<void>): Promise<RunOutcome>;
  close(): Promise<void>;
}

export const HOUR = 3_600_000;

/**
 * The options a fault is judged with (kill.test.ts, kill-variants.test.ts):
 * only the check that guards it selected (`--checks` runs that check and the
 * drivers it needs, nothing else), so the kill is the guard's own; a fault
 * only fuzzing can find gets enough cases to find it, every other none; a
 * fault with options of its own (a termination body the user vouches for)
 * runs with them.
 */
export function faultOptions({ breaks, options = {} }: Fault): Record<string, unknown> {
  const needs: readonly string[] = CHECK_BY_NAME.get(breaks)?.needs ?? [];
  return { ...options, ...(needs.includes('fuzz') ? { fuzzRuns: 100, fuzzBudgetMs: 20_000, checks: breaks } : { checks: breaks }) };
}

/** Options of a fast, complete run against the proxy (writes and export on, every state sampled). */
export function runOptions(baseUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    baseUrl,
    token: DEMO_TOKENS.customerA_user1,
    tokenOtherUser: DEMO_TOKENS.customerA_user2,
    tokenOtherTenant: DEMO_TOKENS.customerB_user1,
    allowWrites: true,
    allowExport: true,
    fuzzRuns: 0,
    maxOrders: 8,
    seed: 11,
    timeoutMs: 5_000,
    waitMs: 2_000,
    concurrency: 8,
    ...extra,
  };
}

export async function startTarget(opts: { seed?: number; orders?: number; tokenMap?: Record<string, string>; variants?: string[] } = {}): Promise<Target> {
  let offset = 0;
  const mock = await startMock({ seed: opts.seed ?? 7, orders: opts.orders ?? 30, stepMs: 40, exportMs: 80, exportWindowS: 60, now: () => Date.now() + offset, ...(opts.variants ? { variants: opts.variants } : {}) });
  let proxy: FaultyProxy;
  try {
    proxy = await startProxy({ upstream: mock.baseUrl, tokenMap: opts.tokenMap, ...(opts.variants?.includes('token-auth') ? { authScheme: 'Token' } : {}) });
  } catch (err) {
    await mock.close();
    throw err;
  }
  return {
    proxy,
    async run(fault, options = {}, during) {
      proxy.use(fault);
      try {
        const outcome = await runConformance(resolveOptions(runOptions(proxy.baseUrl, options)));
        await during?.(outcome);
        return outcome;
      } finally {
        proxy.use(undefined);
        offset += HOUR;
      }
    },
    async close() {
      await proxy.close();
      await mock.close();
    },
  };
}

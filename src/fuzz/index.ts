/**
 * The fuzz phase (issue 5): property-based fuzzing with fast-check of the
 * query parameters, path parameters and (with `--allow-writes`) request
 * bodies, testing what parameters mean as well as that the server survives
 * them. Properties are in ./properties.ts, their arbitraries in
 * ./arbitraries.ts, the fast-check driver in ./runner.ts.
 *
 * Bounds: `--fuzz-runs` cases per property; `--fuzz-budget-ms` for the whole
 * phase, shared among the properties still to run (time one leaves unused
 * goes to the next); shrinking capped in steps and time. `--seed` replays a
 * run; `fuzzTarget(ctx, name, {replay: {seed, path}})` replays one reported
 * counterexample. Arbitraries draw on the target's data (its order
 * references, filter values, reasons), so a replay means the same data: the
 * same reference-server seed, or an unchanged target.
 *
 * Fuzz requests carry no operationId in the harness, so the run-wide
 * watchers (HTTP-STATUS-DECLARED, HTTP-JSON) leave them to ./judge.ts, which
 * accepts a 4xx refusal of bad input whether or not it is declared; a 5xx is
 * still seen by `no_server_errors` as well.
 */
import type { RunContext } from '../engine/context.ts';
import { discover, type FuzzData } from './data.ts';
import type { FuzzCheck } from './judge.ts';
import { FuzzEnv, filterProperty, paginationProperty, pathProperty, productOrderBodyProperty, queryProperty, terminationBodyProperty } from './properties.ts';
import { propertySeed, runProperty, type FuzzProperty, type PropertyOutcome } from './runner.ts';

export { propertySeed, type PropertyOutcome } from './runner.ts';

/** The fuzz checks of the catalogue. */
export const FUZZ_CHECKS = ['fuzz_no_server_errors', 'fuzz_response_documented', 'fuzz_path_params', 'fuzz_filters', 'fuzz_pagination', 'fuzz_invalid_body', 'fuzz_invalid_product_order'] as const satisfies readonly FuzzCheck[];

/** Property name → its builder and the checks it needs on to be worth running. */
const PROPERTIES: Record<string, { build: (env: FuzzEnv) => FuzzProperty<unknown>; needs: FuzzCheck[] }> = {
  order_list_query: { build: (env) => queryProperty(env, 'orders'), needs: ['fuzz_no_server_errors', 'fuzz_response_documented', 'fuzz_pagination'] },
  order_requests_query: { build: (env) => queryProperty(env, 'requests'), needs: ['fuzz_no_server_errors', 'fuzz_response_documented', 'fuzz_pagination', 'fuzz_filters'] },
  order_requests_filter: { build: (env) => filterProperty(env), needs: ['fuzz_filters'] },
  pagination: { build: (env) => paginationProperty(env), needs: ['fuzz_pagination'] },
  path_params: { build: (env) => pathProperty(env), needs: ['fuzz_no_server_errors', 'fuzz_response_documented', 'fuzz_path_params'] },
  termination_body: { build: (env) => terminationBodyProperty(env), needs: ['fuzz_invalid_body'] },
  product_order_body: { build: (env) => productOrderBodyProperty(env), needs: ['fuzz_invalid_product_order'] },
};

export const FUZZ_PROPERTIES = Object.keys(PROPERTIES);

export interface FuzzOptions {
  /** only these properties (names of FUZZ_PROPERTIES) */
  only?: string[];
  /** cases per property (default `ctx.options.fuzzRuns`) */
  numRuns?: number;
  /** budget of the whole phase (default `ctx.options.fuzzBudgetMs`) */
  budgetMs?: number;
  /** most shrink steps per failure (default 100) */
  maxShrinks?: number;
  /** most time spent shrinking one failure (default 10 s, and never past the property's share of the budget) */
  shrinkMs?: number;
  /** replays one counterexample of one property (with `only: [that property]`) */
  replay?: { seed: number; path: string };
  /** data already discovered (a replay against an unchanged target) */
  data?: FuzzData;
}

export const DEFAULT_MAX_SHRINKS = 100;
export const DEFAULT_SHRINK_MS = 10_000;

/** Runs the fuzz properties against the context's target and records their findings. */
export async function runFuzz(ctx: RunContext, options: FuzzOptions = {}): Promise<PropertyOutcome[]> {
  const on = new Set<FuzzCheck>(FUZZ_CHECKS.filter((c) => ctx.enabled(c)));
  if (on.size === 0) return [];
  const numRuns = options.numRuns ?? ctx.options.fuzzRuns;
  const budgetMs = options.budgetMs ?? ctx.options.fuzzBudgetMs;
  const deadline = performance.now() + budgetMs;
  const data = options.data ?? (await discover(ctx));
  const env = new FuzzEnv(ctx, data, on);
  const names = FUZZ_PROPERTIES.filter((n) => (options.only ? options.only.includes(n) : true) && PROPERTIES[n]?.needs.some((c) => on.has(c)));
  const outcomes: PropertyOutcome[] = [];
  for (const [i, name] of names.entries()) {
    if (ctx.http.unavailable) break;
    const def = PROPERTIES[name];
    if (!def) continue;
    const prop = def.build(env);
    const share = Math.max(1, (deadline - performance.now()) / (names.length - i));
    const seed = options.replay?.seed ?? propertySeed(ctx.options.seed, name);
    const outcome = await runProperty(ctx, prop, on, {
      seed,
      numRuns,
      timeLimitMs: share,
      maxShrinks: options.maxShrinks ?? DEFAULT_MAX_SHRINKS,
      shrinkMs: Math.min(options.shrinkMs ?? DEFAULT_SHRINK_MS, share),
      ...(options.replay ? { path: options.replay.path } : {}),
    });
    // a property that could not run (prop.unavailable) says why, never "passed"
    const how = outcome.failed ? `failed (shrunk ${outcome.shrinks}×)` : outcome.interrupted ? 'interrupted' : outcome.cases === 0 && outcome.stopped !== undefined ? `not run: ${outcome.stopped}` : 'passed';
    ctx.log(`  fuzz ${name}: ${outcome.cases} case(s), ${how} in ${outcome.durationMs} ms`);
    // a check this property would have judged, had it not stopped at another check's failure, says so if it stays unexamined
    if (outcome.failure) {
      for (const c of def.needs) if (c !== outcome.failure.check && on.has(c)) ctx.check(c).skip(`fuzz ${name} stopped at its first failure (${outcome.failure.check}) after ${outcome.cases} case(s), before it could judge this check`);
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

/**
 * Runs one property: `fuzzTarget(ctx, 'pagination')`, or replays a reported
 * counterexample with `fuzzTarget(ctx, 'pagination', {replay: {seed, path}})`.
 */
export async function fuzzTarget(ctx: RunContext, name: string, options: Omit<FuzzOptions, 'only'> = {}): Promise<PropertyOutcome | undefined> {
  if (!PROPERTIES[name]) throw new Error(`unknown fuzz property ${name} (one of ${FUZZ_PROPERTIES.join(', ')})`);
  return (await runFuzz(ctx, { ...options, only: [name] }))[0];
}

/**
 * Runs one fuzz property with fast-check and records what it found on the
 * catalogued checks.
 *
 * - Reproducible: the property's seed derives from the run's `--seed` and its
 *   name; a failure's evidence carries fast-check's seed and counterexample
 *   path (`fuzz: {seed, path, numRuns, shrunk}`) and the shrunk request as a
 *   `curl`. `replay: {seed, path}` re-runs exactly that counterexample.
 * - Bounded: `numRuns` cases, a wall-clock limit (fast-check's
 *   `interruptAfterTimeLimit`), and shrinking capped in steps and time (once
 *   the cap is hit, every further shrink candidate is declined without a
 *   request, so fast-check settles on the smallest failure found so far).
 * - Focused: shrinking keeps to the check the first failure broke (a smaller
 *   case failing another rule is not taken as "the same failure").
 * - Honest: a property cut short by the budget, or stopped because the target
 *   went away, is reported on its check as a warning ("interrupted after N
 *   runs"), never as a pass. One that finds nothing to run on before its
 *   first case (verdict `no-input`: no order in a state it needs) could not
 *   be exercised, as one `unavailable` from the start: skipped with the reason.
 */
import * as fc from 'fast-check';
import type { RunContext } from '../engine/context.ts';
import type { Evidence } from '../report/types.ts';
import type { Fail, FuzzCheck, Verdict } from './judge.ts';

export interface FuzzProperty<T> {
  /** stable name, the `--seed` stream and the prefix of every message */
  name: string;
  /** the check interruptions are reported on */
  check: FuzzCheck;
  /** what the property addresses, for evidence without an exchange: `GET /api/v1/order/` */
  endpoint: { method: string; path: string };
  arbitrary: fc.Arbitrary<T>;
  run(value: T): Promise<Verdict>;
  /** most shrink steps (requests-making predicate calls after the first failure) */
  maxShrinks?: number;
  /** why the property cannot run on this target (it is then skipped with this reason) */
  unavailable?: string;
}

export interface RunBounds {
  seed: number;
  numRuns: number;
  timeLimitMs: number;
  maxShrinks: number;
  shrinkMs: number;
  /** replays one counterexample (fast-check's `path`, with `seed`) */
  path?: string;
}

export interface PropertyOutcome {
  property: string;
  seed: number;
  /** cases judged before the first failure (or in all) */
  cases: number;
  failed: boolean;
  interrupted: boolean;
  stopped: string | undefined;
  /** the failure as recorded, with its evidence */
  failure?: { check: FuzzCheck; message: string; evidence: Evidence };
  counterexample?: unknown;
  path?: string;
  shrinks: number;
  durationMs: number;
}

/** FNV-1a then a murmur3 finaliser: the seed of a property from the run's seed and its name. */
export function propertySeed(runSeed: number, name: string): number {
  let h = 0x811c9dc5 ^ (runSeed | 0);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** A short, readable form of a counterexample. */
export function shrunkText(value: unknown, max = 2000): string {
  const s = fc.stringify(value);
  return s.length > max ? `${s.slice(0, max)}…(${s.length} chars)` : s;
}

export async function runProperty<T>(ctx: RunContext, prop: FuzzProperty<T>, on: ReadonlySet<FuzzCheck>, bounds: RunBounds): Promise<PropertyOutcome> {
  const started = performance.now();
  if (prop.unavailable !== undefined) {
    ctx.check(prop.check).skip(`fuzz ${prop.name}: ${prop.unavailable}`);
    return { property: prop.name, seed: bounds.seed, cases: 0, failed: false, interrupted: false, stopped: prop.unavailable, shrinks: 0, durationMs: 0 };
  }
  const passes = new Map<FuzzCheck, number>();
  let cases = 0;
  let firstCheck: FuzzCheck | undefined;
  let failing: { value: T; verdict: Fail } | undefined;
  let shrinkCalls = 0;
  let shrinkStart = 0;
  let stopped: string | undefined;
  /** the property found nothing to run on before its first case */
  let noInput = false;
  let closed = false;
  let inflight: Promise<unknown> = Promise.resolve();
  const maxShrinks = Math.min(bounds.maxShrinks, prop.maxShrinks ?? Infinity);

  const predicate = async (value: T): Promise<boolean> => {
    if (closed || stopped !== undefined) return true;
    if (firstCheck !== undefined && (++shrinkCalls > maxShrinks || performance.now() - shrinkStart > bounds.shrinkMs)) return true;
    let verdict: Verdict;
    try {
      verdict = await prop.run(value);
    } catch (err) {
      // a bug of the property, not of the target: stop and say so rather than pass
      verdict = { kind: 'abort', reason: `the property itself failed (${(err as Error).message})` };
    }
    if (closed) return true;
    switch (verdict.kind) {
      case 'abort':
        stopped ??= verdict.reason;
        return true;
      case 'no-input':
        if (stopped === undefined && cases === 0 && firstCheck === undefined) noInput = true;
        stopped ??= verdict.reason;
        return true;
      case 'skip':
        return true;
      case 'ok':
        if (firstCheck === undefined) {
          cases++;
          for (const c of verdict.checks) passes.set(c, (passes.get(c) ?? 0) + 1);
        }
        return true;
      case 'fail':
        if (!on.has(verdict.check)) return true;
        if (firstCheck === undefined) {
          cases++;
          firstCheck = verdict.check;
          shrinkStart = performance.now();
        } else if (verdict.check !== firstCheck) return true;
        failing = { value, verdict };
        return false;
    }
  };
  const property = fc.asyncProperty(prop.arbitrary, (value) => {
    const p = predicate(value);
    inflight = p.catch(() => undefined);
    return p;
  });
  const params: fc.Parameters<[T]> = {
    seed: bounds.seed,
    numRuns: Math.max(1, bounds.numRuns),
    plugins: [fc.interruptAfterTimeLimit(Math.max(1, bounds.timeLimitMs))],
  };
  if (bounds.path !== undefined) {
    params.path = bounds.path;
    params.endOnFailure = true;
  }
  const details = await fc.check(property, params);
  closed = true;
  await inflight; // an interrupted case may still be waiting for its answer

  for (const [check, n] of passes) ctx.check(check).pass(n);
  const outcome: PropertyOutcome = {
    property: prop.name,
    seed: details.seed,
    cases,
    failed: false,
    interrupted: details.interrupted,
    stopped,
    shrinks: details.numShrinks,
    durationMs: Math.round(performance.now() - started),
  };
  const fallback = { method: prop.endpoint.method, url: ctx.http.origin + prop.endpoint.path };

  if (failing && details.failed && details.counterexample !== null && details.counterexamplePath !== null) {
    const v = failing.verdict;
    const fuzz = { seed: details.seed, path: details.counterexamplePath, numRuns: details.numRuns, shrunk: shrunkText(failing.value) };
    const base = v.ex ? ctx.http.evidence(v.ex, { ...v.extra, fuzz }) : ctx.http.redactor.value<Evidence>({ ...fallback, ...(v.url ? { url: v.url } : {}), ...v.extra, fuzz });
    const shrinkNote = details.interrupted ? ' (shrinking was cut short by the fuzz budget)' : '';
    const message = `fuzz ${prop.name}: ${v.message}`;
    ctx.check(v.check).fail(message, { ...base, note: `replay with seed ${fuzz.seed} and path "${fuzz.path}"; shrunk ${details.numShrinks} time(s) from the case of run ${details.numRuns}${shrinkNote}` }, v.severity);
    Object.assign(outcome, { failed: true, failure: { check: v.check, message, evidence: base }, counterexample: failing.value, path: details.counterexamplePath });
    return outcome;
  }
  const runs = bounds.path === undefined ? Math.max(1, bounds.numRuns) : 1;
  if (noInput && stopped !== undefined && cases === 0) {
    // nothing to run on from the start: not a provider finding, not a pass
    ctx.check(prop.check).skip(`fuzz ${prop.name}: ${stopped}`);
    return outcome;
  }
  if (stopped !== undefined || (details.interrupted && cases < runs)) {
    const why = stopped ?? `the fuzz budget (${Math.round(bounds.timeLimitMs)} ms for this property) ran out`;
    // a property the run could not finish says nothing of a rule: a warning in every profile, strict included (as an
    // unconfirmed finding; strict raises inferred rules, not the kit's own budget or a target that went away)
    ctx.check(prop.check).fail(`fuzz ${prop.name}: interrupted after ${cases} runs of ${runs}: ${why}`, { ...fallback, expected: `${runs} runs`, received: `${cases} runs` }, 'unconfirmed');
    outcome.interrupted = true;
  }
  return outcome;
}

/**
 * The fast-check driver (src/fuzz/runner.ts) on properties that make no
 * request: shrinking is bounded in steps and time and keeps to the rule the
 * first failure broke; a property cut short is reported, not passed; replay
 * data is recorded; seeds derive from the run's seed and the property's name.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fail, ok, type FuzzCheck, type Verdict } from '../../src/fuzz/judge.ts';
import { propertySeed, runProperty, type FuzzProperty, type RunBounds } from '../../src/fuzz/runner.ts';
import { contextFor } from './support.ts';

// no request is made: the address is never contacted
const c = contextFor('http://127.0.0.1:9');
afterAll(() => c.close());

const ON = new Set<FuzzCheck>(['fuzz_filters', 'fuzz_pagination', 'fuzz_no_server_errors']);
const BOUNDS: RunBounds = { seed: 42, numRuns: 50, timeLimitMs: 10_000, maxShrinks: 100, shrinkMs: 10_000 };

function property<T>(name: string, arbitrary: fc.Arbitrary<T>, run: (v: T) => Promise<Verdict> | Verdict, extra: Partial<FuzzProperty<T>> = {}): FuzzProperty<T> {
  return { name, check: 'fuzz_filters', endpoint: { method: 'GET', path: '/api/v1/order_request/' }, arbitrary, run: async (v) => run(v), ...extra };
}

describe('runProperty', () => {
  it('caps shrinking at maxShrinks predicate calls after the first failure', async () => {
    let calls = 0;
    let firstFailureAt = -1;
    const prop = property('cap_steps', fc.string({ minLength: 100, maxLength: 400 }), (s) => {
      calls++;
      if (s.length >= 3) {
        if (firstFailureAt < 0) firstFailureAt = calls;
        return fail('fuzz_filters', `length ${s.length}`);
      }
      return ok('fuzz_filters');
    });
    const out = await runProperty(c.ctx, prop, ON, { ...BOUNDS, maxShrinks: 5 });
    expect(out.failed).toBe(true);
    expect(calls - firstFailureAt).toBeLessThanOrEqual(5);
    expect(out.shrinks).toBeLessThanOrEqual(5);
  });

  it('caps shrinking in time', async () => {
    let afterFirst = 0;
    let failed = false;
    const prop = property('cap_time', fc.string({ minLength: 100, maxLength: 400 }), async (s) => {
      if (failed) afterFirst++;
      await sleep(20);
      if (s.length >= 3) {
        failed = true;
        return fail('fuzz_filters', `length ${s.length}`);
      }
      return ok('fuzz_filters');
    });
    const t0 = performance.now();
    const out = await runProperty(c.ctx, prop, ON, { ...BOUNDS, shrinkMs: 150 });
    expect(out.failed).toBe(true);
    expect(afterFirst).toBeLessThanOrEqual(10);
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  it('shrinks within the rule the first failure broke', async () => {
    // ≥ 100 breaks the filter rule; once it has, smaller values break another rule
    let broken = false;
    const prop = property('same_rule', fc.integer({ min: 0, max: 10_000 }), (n) => {
      if (n >= 100) {
        broken = true;
        return fail('fuzz_filters', `n=${n}`);
      }
      return broken && n >= 1 ? fail('fuzz_pagination', `n=${n}`) : ok('fuzz_filters');
    });
    const out = await runProperty(c.ctx, prop, ON, { ...BOUNDS, numRuns: 200 });
    expect(out.failed).toBe(true);
    expect(out.failure?.check).toBe('fuzz_filters');
    expect(out.counterexample).toBe(100);
  });

  it('records the failure with fast-check replay data, and the replay finds the same counterexample', async () => {
    const ctx = contextFor('http://127.0.0.1:9');
    const prop = property('replay', fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 20 }), (xs) => (xs.some((x) => x > 500) ? fail('fuzz_filters', `${xs.length} values`) : ok('fuzz_filters')));
    const out = await runProperty(ctx.ctx, prop, ON, BOUNDS);
    const ev = ctx.result('fuzz_filters').evidence[0];
    expect(ev?.fuzz).toEqual({ seed: 42, path: out.path, numRuns: expect.any(Number), shrunk: '[501]' });
    expect(ev?.note).toMatch(/^fuzz replay: 1 values — replay with seed 42 and path "[\d:]+"/);

    const again = contextFor('http://127.0.0.1:9');
    const replay = await runProperty(again.ctx, prop, ON, { ...BOUNDS, path: out.path });
    expect(replay.counterexample).toEqual([501]);
    expect(replay.cases).toBe(1);
    await Promise.all([ctx.close(), again.close()]);
  });

  // in the strict profile too: the run could not finish the property, which breaks no rule
  for (const profile of ['documented', 'strict'] as const) {
    it(`reports a property cut short by its time limit as interrupted (a warning in the ${profile} profile), never a pass`, async () => {
      const ctx = contextFor('http://127.0.0.1:9', { profile });
      const prop = property('slow', fc.integer(), async () => {
        await sleep(25);
        return ok('fuzz_filters');
      });
      const out = await runProperty(ctx.ctx, prop, ON, { ...BOUNDS, numRuns: 100, timeLimitMs: 120 });
      expect(out.interrupted).toBe(true);
      const r = ctx.result('fuzz_filters');
      expect(r.status).toBe('warn');
      expect(r.violations).toBeGreaterThan(0);
      expect(r.message).toMatch(new RegExp(`^fuzz slow: interrupted after ${out.cases} runs of 100`));
      await ctx.close();
    });
  }

  it('skips, with the reason, a property the target offers nothing to', async () => {
    const ctx = contextFor('http://127.0.0.1:9');
    const out = await runProperty(
      ctx.ctx,
      property('nothing', fc.integer(), () => ok('fuzz_filters'), { unavailable: 'no order in state active' }),
      ON,
      BOUNDS,
    );
    expect(out.cases).toBe(0);
    expect(ctx.result('fuzz_filters').status).toBe('skip');
    expect(ctx.result('fuzz_filters').skipReason).toBe('fuzz nothing: no order in state active');
    await ctx.close();
  });

  it('skips, with the reason, a property that finds nothing to run on at its first case (no-input), never "interrupted after 0 runs"', async () => {
    const ctx = contextFor('http://127.0.0.1:9');
    const out = await runProperty(
      ctx.ctx,
      property('none_left', fc.integer(), () => ({ kind: 'no-input', reason: 'no order left in state active' })),
      ON,
      BOUNDS,
    );
    expect([out.cases, out.interrupted, out.failed]).toEqual([0, false, false]);
    expect(ctx.result('fuzz_filters').status).toBe('skip');
    expect(ctx.result('fuzz_filters').skipReason).toBe('fuzz none_left: no order left in state active');
    await ctx.close();
  });

  it('reports a property whose input ran out after some cases as interrupted (a warning), never a pass nor a skip', async () => {
    const ctx = contextFor('http://127.0.0.1:9');
    let calls = 0;
    const out = await runProperty(
      ctx.ctx,
      property('ran_out', fc.integer(), () => (++calls <= 2 ? ok('fuzz_filters') : { kind: 'no-input', reason: 'no order left in state active' })),
      ON,
      BOUNDS,
    );
    expect(out.cases).toBe(2);
    const r = ctx.result('fuzz_filters');
    expect(r.status).toBe('warn');
    expect(r.message).toBe('fuzz ran_out: interrupted after 2 runs of 50: no order left in state active');
    await ctx.close();
  });
});

describe('propertySeed', () => {
  it('derives a 32-bit seed from the run seed and the property name, the same every time', () => {
    expect(propertySeed(1, 'pagination')).toBe(propertySeed(1, 'pagination'));
    expect(propertySeed(1, 'pagination')).not.toBe(propertySeed(2, 'pagination'));
    expect(propertySeed(1, 'pagination')).not.toBe(propertySeed(1, 'path_params'));
    expect(Number.isInteger(propertySeed(7, 'x'))).toBe(true);
    expect(Math.abs(propertySeed(7, 'x'))).toBeLessThan(2 ** 31 + 1);
  });
});

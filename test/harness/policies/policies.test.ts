/**
 * The harness's small policies on data: the run's time limit, the budget,
 * the breaker, the size cap, the credential watch and the limiter whose
 * limit may change while requests wait.
 */
import { describe, expect, it } from 'vitest';
import { Breaker } from '../../../src/harness/policies/breaker.ts';
import { Budget } from '../../../src/harness/policies/budget.ts';
import { CredentialWatch } from '../../../src/harness/policies/credential-watch.ts';
import { RunDeadline } from '../../../src/harness/policies/deadline.ts';
import { Limiter } from '../../../src/harness/policies/limiter.ts';
import { BodyCap } from '../../../src/harness/policies/size-cap.ts';

describe('the run deadline', () => {
  it("cuts an exchange's deadline to what the run has left, and passes", () => {
    let t = 1000;
    const run = new RunDeadline(5000, () => t);
    expect(run.exchangeMs(10_000)).toBe(5000);
    expect(run.exchangeMs(2000)).toBe(2000);
    t = 5999;
    expect(run.passed()).toBe(false);
    expect(run.exchangeMs(2000)).toBe(1);
    t = 6000;
    expect(run.passed()).toBe(true);
    expect(run.message()).toMatch(/--max-run-s 5\)/);
    const none = new RunDeadline(undefined, () => t);
    expect(none.passed()).toBe(false);
    expect(none.leftS()).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('the budget', () => {
  it('allows `limit` requests, and says its first refusal once', () => {
    const b = new Budget(2);
    b.spend();
    expect(b.allows()).toBe(true);
    b.spend();
    expect(b.allows()).toBe(false);
    expect([b.firstRefusal(), b.firstRefusal()]).toEqual([true, false]);
  });
});

describe('the breaker', () => {
  it('opens at the threshold of failures in a row, an answer between resets the count, and it stays open', () => {
    const b = new Breaker(3);
    expect([b.failure('x'), b.failure('x')]).toEqual([undefined, undefined]);
    b.success();
    expect([b.failure('x'), b.failure('x')]).toEqual([undefined, undefined]);
    expect(b.failure('reset')).toMatch(/failed 3 requests in a row \(last: reset\)/);
    expect(b.failure('reset')).toBeUndefined();
    b.success();
    expect(b.reason).toMatch(/failed 3 requests/);
  });

  it('a trip keeps the first reason', () => {
    const b = new Breaker();
    b.trip('credential');
    b.trip('budget');
    expect(b.reason).toBe('credential');
  });
});

describe('the size cap', () => {
  it('counts chunks and cuts past the cap', () => {
    const c = new BodyCap(10);
    expect(c.add(6)).toBe(true);
    expect(c.add(4)).toBe(true);
    expect(c.add(1)).toBe(false);
    expect([c.bytes, c.truncated]).toEqual([11, true]);
  });
});

describe('the credential watch', () => {
  it('ten 401s in a row are due for a confirmation; an answer between starts again; a forgiven 401 does not count', () => {
    const w = new CredentialWatch();
    for (let i = 0; i < 9; i++) w.observe(401);
    w.forgive();
    w.observe(401);
    expect(w.due()).toBe(false);
    w.observe(401);
    expect(w.due()).toBe(true);
    expect(w.take()).toBe(10);
    expect(w.due()).toBe(false);
    expect(w.message(10)).not.toMatch(/after it had worked/);
    w.observe(200);
    expect(w.message(10)).toMatch(/after it had worked/);
  });
});

describe('the limiter', () => {
  const tick = () => new Promise<void>((r) => setImmediate(r));

  it('holds at most its limit, lets waiters in in order, and a limit changed while they wait neither drops nor duplicates one', async () => {
    const l = new Limiter(2);
    const order: number[] = [];
    const releases: (() => void)[] = [];
    let peak = 0;
    const all = Array.from({ length: 10 }, (_, i) =>
      l.acquire().then((release) => {
        order.push(i);
        peak = Math.max(peak, l.inFlight);
        releases.push(release);
      }),
    );
    await tick();
    expect([l.inFlight, l.waiting, order]).toEqual([2, 8, [0, 1]]);
    l.setLimit(5);
    await tick();
    expect([l.inFlight, l.waiting]).toEqual([5, 5]);
    l.setLimit(1);
    // four releases bring it to the new limit: nobody is let in meanwhile
    for (const r of releases.splice(0, 4)) r();
    await tick();
    expect([l.inFlight, l.waiting]).toEqual([1, 5]);
    releases.splice(0, 1)[0]?.();
    releases.splice(0, 1)[0]?.();
    await tick();
    expect([l.inFlight, l.waiting]).toEqual([1, 4]);
    l.setLimit(8);
    await tick();
    expect([l.inFlight, l.waiting]).toEqual([5, 0]);
    for (const r of releases.splice(0)) r();
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBeLessThanOrEqual(5);
    expect([l.inFlight, l.waiting]).toEqual([0, 0]);
  });

  it('a release given twice frees one slot', async () => {
    const l = new Limiter(1);
    const release = await l.acquire();
    release();
    release();
    expect(l.inFlight).toBe(0);
  });

  it('a slot handed to a waiter is not taken by a request that arrives meanwhile', async () => {
    const l = new Limiter(1);
    const first = await l.acquire();
    const waiter = l.acquire();
    first();
    // arrives after the release, before the waiter has run
    const late = l.acquire();
    await waiter;
    expect([l.inFlight, l.waiting]).toEqual([1, 1]);
    void late;
  });
});

/**
 * A live staging changes under a run (ANALYSIS.md, "Judging a target we did
 * not write", rule 2): another client creates, terminates, cancels and
 * changes orders on the reference server while the run walks the lists,
 * examines orders, fuzzes and exports. A contradiction counts only once
 * confirmed, so what the other client did gives no error, and every warning
 * it causes says that it is not confirmed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunOutcome } from '../../src/engine/run.ts';
import { DEMO_TOKENS } from '../../mock/index.ts';
import { loadSpec } from '../../src/contract/load.ts';
import type { Fault } from '../faults/proxy.ts';
import { HOUR, startTarget, type Target } from '../faults/target.ts';
import { COLLEAGUE_ACTIONS, startColleague, withColleague, type Colleague } from '../support/colleague.ts';

let target: Target;
beforeAll(async () => {
  target = await startTarget({ orders: 40, seed: 33 });
});
afterAll(async () => {
  await target?.close();
});

describe('a target that changes under the run', () => {
  it('orders created by a colleague during the run (list walk, examination, export) give no error', async () => {
    const body = loadSpec().doc.components as { examples: Record<string, { value: Record<string, unknown> }> };
    let running = true;
    let created = 0;
    const other = (async () => {
      // bounded: at most 300 creations, one every 10 ms, while the run lasts
      for (let i = 0; running && i < 300; i++) {
        const res = await fetch(`${target.proxy.baseUrl}/api/v1/product_order/`, {
          method: 'POST',
          headers: { authorization: `Bearer ${DEMO_TOKENS.customerA_user2}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ...body.examples.ProductOrderCreate!.value, external_id: `colleague-${i}` }),
        });
        if (res.status === 201) created++;
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    let outcome: RunOutcome;
    try {
      outcome = await target.run(undefined, { fuzzRuns: 3, maxOrders: 60 });
    } finally {
      running = false;
      await other;
    }
    expect(created).toBeGreaterThan(10);
    const errors = outcome.report.results.filter((r) => r.status === 'fail').map((r) => `${r.check}: ${r.message}`);
    expect(errors).toEqual([]);
    if (process.env.LIVE_DEBUG) console.log(outcome.report.results.filter((r) => r.status === 'warn').map((r) => `${r.check}: ${r.message}`));
    expect(outcome.report.verdict).toBe('PASS');
    expect(outcome.report.results.find((r) => r.check === 'export_content')?.status).not.toBe('skip');
  }, 90_000);
});

/**
 * A colleague (customer A's second user, test/support/colleague.ts) acting
 * every 20-50 ms: creates product orders, terminates and changes active
 * orders, cancels orders in progress, never the run's own. Found by the
 * random sweep (scripts/sweep.ts --background): before dad7f99, 65d63b2 and
 * f71ded3 these runs gave false verdicts: order_requests_filter FAILed on an
 * order request created between the unfiltered and the filtered walks,
 * fuzz_pagination warned "expected the same count whatever the page size"
 * on a list that grew between its readings, and the strict profile turned the
 * "not confirmed" warnings into errors. The parameters (100 orders, 10 fuzz
 * runs, those seeds) reproduce them in most runs on that code. With more
 * than a page of order requests (100), an order request created while
 * order_requests_filter read the unfiltered list a second time made a false
 * FAIL too; that is the deterministic test at the end of this file.
 */
describe('a colleague who creates, terminates, cancels and changes orders during the run', () => {
  async function liveRun(o: { profile: 'documented' | 'strict'; mockSeed: number; colleagueSeed: number; kitSeed: number }): Promise<{ outcome: RunOutcome; colleague: Colleague }> {
    const live = await startTarget({ orders: 100, seed: o.mockSeed });
    try {
      const { result, colleague } = await withColleague({ baseUrl: live.proxy.baseUrl, intervalMs: [20, 50], maxActions: 300, seed: o.colleagueSeed }, () => live.run(undefined, { fuzzRuns: 10, maxOrders: 40, seed: o.kitSeed, profile: o.profile }));
      return { outcome: result, colleague };
    } finally {
      await live.close();
    }
  }

  function expectHonest({ outcome, colleague }: { outcome: RunOutcome; colleague: Colleague }): void {
    const { report } = outcome;
    if (process.env.LIVE_DEBUG)
      console.log(
        colleague.done,
        colleague.refused,
        report.results.filter((r) => r.status === 'warn').map((r) => `${r.check}: ${r.message}`),
      );
    // the colleague really acted, each kind of action at least once
    for (const action of COLLEAGUE_ACTIONS) expect(colleague.done[action], `${action}s acknowledged (log: ${colleague.log.slice(-5).join('; ')})`).toBeGreaterThan(0);
    expect(report.results.filter((r) => r.status === 'fail').map((r) => `${r.check}: ${r.message}`)).toEqual([]);
    expect(report.summary.errors).toBe(0);
    expect(report.verdict).toBe('PASS');
    expect(report.complete).toBe(true);
    // what the colleague did may warn, only as what it is: not confirmed
    expect(report.results.filter((r) => r.status === 'warn' && !r.message.includes('not confirmed')).map((r) => `${r.check}: ${r.message}`)).toEqual([]);
    expect(report.results.find((r) => r.check === 'export_content')?.status).not.toBe('skip');
  }

  it('documented profile: PASS, zero errors, the run complete, every warning one that is not confirmed', async () => {
    expectHonest(await liveRun({ profile: 'documented', mockSeed: 33, colleagueSeed: 1, kitSeed: 3 }));
  }, 30_000);

  it('strict profile: PASS too (an unconfirmed finding stays a warning), zero errors, the run complete', async () => {
    expectHonest(await liveRun({ profile: 'strict', mockSeed: 34, colleagueSeed: 2, kitSeed: 21 }));
  }, 30_000);
});

describe('order requests created while the run confirms a filter finding (the unfiltered list read again, and changing as it is read)', () => {
  it('a colleague asks for a change just before the first filtered walk, and again while the unfiltered list is read a second time (its page 2): no error; the list is read once more and settles it', async () => {
    // deterministic: a proxy transform makes the colleague act at those two moments (found by `npm run sweep -- --background`)
    const live = await startTarget({ orders: 250, seed: 33 });
    // the colleague acts only when the transform below says (its own pace is never reached)
    const other = startColleague({ baseUrl: live.proxy.baseUrl, intervalMs: [HOUR, HOUR], seed: 1 });
    const change = (): Promise<void> => other.act('change');
    let firstPages = 0;
    // the first change, made before any filtered walk is answered (they go out together: each waits for it)
    let first: Promise<void> | undefined;
    const colleague: Fault = {
      name: 'live-colleague',
      breaks: 'order_requests_filter',
      requirement: 'REQ-FILTER',
      description: 'another user asks for changes while the run reads the order requests (no fault: a live target)',
      async transform(req, ctx) {
        if (req.method === 'GET' && req.pathname === '/api/v1/order_request/' && req.caller === 'main') {
          const filtered = req.query.has('action') || req.query.has('order_reference');
          const later = req.query.has('page') || req.query.has('offset');
          if (!filtered && !later) firstPages++;
          if (filtered) await (first ??= change());
          else if (later && first && firstPages >= 2 && other.done.change === 1) await change();
        }
        return ctx.forward(req);
      },
    };
    try {
      const { report } = await live.run(colleague, { checks: 'order_requests_filter', profile: 'documented' });
      expect(other.done.change, other.log.join('; ')).toBe(2);
      const r = report.results.find((x) => x.check === 'order_requests_filter');
      expect(r?.status, r?.message).toBe('pass');
      expect(report.summary.errors).toBe(0);
      expect(report.verdict).toBe('PASS');
    } finally {
      await other.stop();
      await live.close();
    }
  }, 30_000);
});

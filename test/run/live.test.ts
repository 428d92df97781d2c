/**
 * A live staging changes under a run (ANALYSIS.md, "Judging a target we did
 * not write", rule 2): another client creates orders on the reference server
 * while the run walks the list, examines orders and exports. A contradiction
 * counts only once confirmed, so what the other client did gives no error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunOutcome } from '../../src/engine/run.ts';
import { DEMO_TOKENS } from '../../mock/index.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { startTarget, type Target } from '../faults/target.ts';

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

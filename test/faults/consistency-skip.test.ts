/**
 * A skip says what really stopped it (issues 12 and 18): when the detail of
 * an order shows a state outside the vocabulary, the list and the detail
 * disagree, and state_consistency says so instead of "nothing to examine".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from './proxy.ts';
import { startTarget, type Target } from './target.ts';

let target: Target;
beforeAll(async () => {
  target = await startTarget({ orders: 20 });
});
afterAll(async () => {
  await target?.close();
});

const misspelt: Fault = {
  name: 'detail-state-misspelt',
  breaks: 'state_consistency',
  requirement: 'ORD-CONSISTENT',
  description: "writes every order detail's state in capitals",
  transform: async (req, ctx) => {
    const res = await ctx.forward(req);
    if (req.operation !== 'getOrder' || res.status !== 200) return res;
    const body = JSON.parse(res.body.toString('utf8')) as { state?: string };
    body.state = String(body.state).toUpperCase();
    return { ...res, body: Buffer.from(JSON.stringify(body)) };
  },
};

describe('state_consistency on a detail whose state is not an order state', () => {
  it('reports the disagreement between the list and the detail, not "nothing to examine"', async () => {
    const { report } = await target.run(misspelt, { checks: 'state_consistency,order_state_enum' });
    const r = report.results.find((x) => x.check === 'state_consistency');
    expect(r?.status).not.toBe('skip');
    expect(r?.message).toMatch(/the list says "[a-z_]+" but the detail says "[A-Z_]+"/);
    expect(report.results.find((x) => x.check === 'order_state_enum')?.status).toBe('fail');
  });
});

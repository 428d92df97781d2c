/**
 * A fault is blamed on the rule it breaks: a paginator that drops the last
 * row of each full page while `count` stays right contradicts its own count
 * (ORD-LIST-PAGING, an error once a second walk confirms it), and the
 * order-request filters, which are fine, are not blamed for the rows the
 * unfiltered walk lost. A list that lags behind its orders' details and
 * histories, still behind when its page is read again, is a confirmed
 * state_consistency failure, not the warning of an order that moved during
 * the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_BY_NAME } from './faults.ts';
import { startTarget, type Target } from './target.ts';

let target: Target;

beforeAll(async () => {
  target = await startTarget({ orders: 30 });
});

afterAll(async () => {
  await target?.close();
});

describe('attribution', () => {
  it('paging-drops-last-row fails order_list_paging at error severity in the documented profile, not order_requests_filter', async () => {
    const { report } = await target.run(FAULT_BY_NAME.get('paging-drops-last-row'));
    const paging = report.results.find((r) => r.check === 'order_list_paging');
    expect(paging?.status, paging?.message).toBe('fail');
    expect(paging?.severity).toBe('error');
    expect(paging?.message).toMatch(/announces in count \/ received .* confirmed by a second walk/);
    const filter = report.results.find((r) => r.check === 'order_requests_filter');
    expect(filter?.status, filter?.message).toBe('pass');
    expect(report.verdict).toBe('FAIL');
  });

  it('list-lags-behind fails state_consistency at error severity: its page read again after the detail still lags (looked at twice)', async () => {
    const { report } = await target.run(FAULT_BY_NAME.get('list-lags-behind'), { checks: 'state_consistency' });
    const r = report.results.find((x) => x.check === 'state_consistency');
    expect(r?.status, r?.message).toBe('fail');
    expect(r?.severity).toBe('error');
    expect(r?.message).toMatch(/the list, read again after the detail and the history, still says "in_progress" \(confirmed/);
    expect(report.verdict).toBe('FAIL');
  });
});

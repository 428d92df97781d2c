/**
 * A provider whose lifecycle is slower than --wait-ms (the documentation sets
 * no pace for production): the run's own order is not active in time, so the
 * write checks that need it are skipped, never failed, and the reason says
 * how far the run's order got and that a longer --wait-ms may let it get
 * there (not only --disposable-order, which a user may have no order for).
 * On the reference server, phase 1 creates the order 3 steps after the
 * product order, and the order is active 13 steps later.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../mock/index.ts';
import { resolveOptions } from '../../src/engine/options.ts';
import { certify } from '../../src/engine/run.ts';
import type { Report } from '../../src/report/types.ts';
import { runOptions } from '../faults/target.ts';

const mocks: RunningMock[] = [];
afterAll(async () => {
  await Promise.all(mocks.map((m) => m.close()));
});

async function run(stepMs: number, waitMs: number): Promise<Report> {
  const mock = await startMock({ seed: 3, orders: 20, stepMs, exportMs: 80, exportWindowS: 60 });
  mocks.push(mock);
  const options = resolveOptions(runOptions(mock.baseUrl, { waitMs, checks: 'terminate_active,action_invalid_body' }));
  return (await certify({ ...options, baseUrl: mock.baseUrl }, false)).report;
}

function expectSkipped(report: Report, reason: RegExp): void {
  expect(report.results.filter((r) => r.status === 'fail').map((r) => `${r.check}: ${r.message}`)).toEqual([]);
  for (const check of ['terminate_active', 'action_invalid_body']) {
    const r = report.results.find((x) => x.check === check);
    expect(r?.status, check).toBe('skip');
    expect(r?.skipReason, check).toMatch(reason);
  }
}

describe('a lifecycle slower than --wait-ms: the write checks that need an active order skip, naming --wait-ms', () => {
  it('no order created yet (a step every 5 s, a wait of 300 ms): "the target accepted the run\'s product order, but it had created no order within --wait-ms 300"', async () => {
    expectSkipped(await run(5_000, 300), /\(the target accepted the run's product order, but it had created no order within --wait-ms 300: a longer --wait-ms may let it\); name one with --disposable-order REF$/);
  });

  it('the order created but not yet active (a step every 300 ms, a wait of 2 s): the state it was last seen in, and --wait-ms', async () => {
    expectSkipped(await run(300, 2_000), /\(orders it may write to: CMD_\S+, last seen (confirmed|in_progress); the run's own order had not got there within --wait-ms 2000: a longer --wait-ms may let it\); name one with --disposable-order REF$/);
  });
});

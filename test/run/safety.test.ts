/**
 * Safe on a real staging (ANALYSIS.md, "Safety against a real server" and
 * "Writes on a target we did not write"): a recording proxy in front of a
 * reference server that is NOT the bundled one sees every request the run
 * sends. Off means off, whatever the spelling; with writes on, nothing that
 * existed before the run receives a write unless the user named it
 * disposable; a dry run sends no write and lists what it would have sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunOutcome } from '../../src/engine/run.ts';
import { DEMO_TOKENS } from '../../mock/index.ts';
import { mergeSources, MOCK_OPTIONS, optionsFromEnv, resolveMockOptions, resolveOptions, RUN_OPTIONS } from '../../src/engine/options.ts';
import { runConformance } from '../../src/engine/run.ts';
import { ConformanceError } from '../../src/errors.ts';
import type { Fault, ProxyRequest } from '../faults/proxy.ts';
import { runOptions, startTarget, type Target } from '../faults/target.ts';
import { runCli } from './cli.ts';

let target: Target;
const seen: ProxyRequest[] = [];
/** a pass-through "fault" that records every request the proxy receives */
const recorder: Fault = {
  name: 'recorder',
  breaks: 'none',
  requirement: 'none',
  description: 'records every request and forwards it unchanged',
  transform: async (req, ctx) => {
    seen.push(req);
    return ctx.forward(req);
  },
};

const writesOf = (reqs: ProxyRequest[]): ProxyRequest[] => reqs.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
/** the order reference an action request addresses (`/api/v1/order/{ref}/{action}/`) */
const actionRef = (r: ProxyRequest): string | undefined => (r.operation === 'requestOrderAction' ? decodeURIComponent(r.segments[3] ?? '') : undefined);

/** Every order of customer A before the run, read straight from the proxy (reference and state). */
async function ordersNow(): Promise<{ ref: string; state: string }[]> {
  const res = await fetch(`${target.proxy.baseUrl}/api/v1/order/?page_size=1000`, { headers: { authorization: `Bearer ${DEMO_TOKENS.customerA_user1}` } });
  const body = (await res.json()) as { results: { order_reference: string; state: string }[] };
  return body.results.map((o) => ({ ref: o.order_reference, state: o.state }));
}

/** One run through the recording proxy; returns the report and the requests it sent. */
async function recorded(options: Record<string, unknown>) {
  seen.length = 0;
  const before = await ordersNow();
  seen.length = 0;
  const outcome = await target.run(recorder, { fuzzRuns: 3, fuzzBudgetMs: 10_000, waitMs: 5_000, ...options });
  return { ...outcome, requests: [...seen], before };
}

beforeAll(async () => {
  target = await startTarget({ orders: 40, seed: 21 });
}, 30_000);

afterAll(async () => {
  await target?.close();
});

describe('one rule for every boolean, flag or variable', () => {
  const off = ['false', '0', 'no', 'off', '', 'FALSE', ' Off '];
  const on = ['true', '1', 'yes', 'on', 'TRUE', 'Yes'];
  it.each(off)('%j is off for --allow-writes, --allow-export, --dry-run, --require-complete (run), --provider-states (mock) and the suites', (v) => {
    const env = { CONFORMANCE_ALLOW_WRITES: v, CONFORMANCE_ALLOW_EXPORT: v, CONFORMANCE_DRY_RUN: v, CONFORMANCE_REQUIRE_COMPLETE: v, CONFORMANCE_MOCK_PROVIDER_STATES: v };
    const o = resolveOptions(mergeSources({}, env, RUN_OPTIONS));
    expect([o.allowWrites, o.allowExport, o.dryRun, o.requireComplete]).toEqual([false, false, false, false]);
    expect(resolveMockOptions(mergeSources({}, env, MOCK_OPTIONS)).providerStates).toBe(false);
    const suites = optionsFromEnv(env);
    expect([suites.allowWrites, suites.allowExport]).toEqual([false, false]);
  });
  it.each(on)('%j is on', (v) => {
    const o = resolveOptions(mergeSources({}, { CONFORMANCE_ALLOW_WRITES: v, CONFORMANCE_ALLOW_EXPORT: v }, RUN_OPTIONS));
    expect([o.allowWrites, o.allowExport]).toEqual([true, true]);
    expect(resolveMockOptions(mergeSources({}, { CONFORMANCE_MOCK_PROVIDER_STATES: v }, MOCK_OPTIONS)).providerStates).toBe(true);
  });
  it.each(['maybe', '2', 'enable', 'n'])('%j is CONF_ERR_BAD_OPTION naming the option', (v) => {
    expect.assertions(2);
    try {
      resolveOptions(mergeSources({}, { CONFORMANCE_ALLOW_WRITES: v }, RUN_OPTIONS));
    } catch (e) {
      expect((e as ConformanceError).code).toBe('CONF_ERR_BAD_OPTION');
      expect((e as Error).message).toMatch(/--allow-writes/);
    }
  });
  it('a flag on the command line wins over the variable', () => {
    expect(resolveOptions(mergeSources({ allowWrites: true }, { CONFORMANCE_ALLOW_WRITES: 'false' }, RUN_OPTIONS)).allowWrites).toBe(true);
  });
  it('an empty base URL is an error; only its absence means the bundled server', () => {
    expect(() => resolveOptions(mergeSources({}, { CONFORMANCE_BASE_URL: '' }, RUN_OPTIONS))).toThrow(/--base-url is empty/);
    expect(() => resolveOptions({ baseUrl: '  ' })).toThrow(/--base-url is empty/);
    expect(resolveOptions(mergeSources({}, {}, RUN_OPTIONS)).baseUrl).toBeUndefined();
  });
});

describe('a non-bundled target, through a recording proxy', () => {
  it('read-only by default: nothing set sends no request other than GET or HEAD, and no export start at all', async () => {
    const { requests, report } = await recorded({ allowWrites: undefined, allowExport: undefined });
    expect(requests.length).toBeGreaterThan(50);
    expect(writesOf(requests).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    expect(requests.filter((r) => r.operation === 'startOrderExport')).toEqual([]);
    expect(report.writes.sent).toBe(0);
    // the checks that would write are skipped with the option that enables them, never passed
    expect(report.results.find((r) => r.check === 'terminate_active')?.skipReason).toMatch(/--allow-writes/);
    expect(report.results.find((r) => r.check === 'export_start')?.skipReason).toMatch(/--allow-export/);
    expect(report.verdictLabel).toBe('PASS (partial)');
  }, 60_000);

  it('the command line with CONFORMANCE_ALLOW_WRITES=false and CONFORMANCE_ALLOW_EXPORT=no sends no write', async () => {
    seen.length = 0;
    target.proxy.use(recorder);
    try {
      const out = await runCli(['run', '--base-url', target.proxy.baseUrl, '--fuzz-runs', '3', '--max-orders', '6', '--report-dir', `/tmp/conformance-safety-${process.pid}`], {
        env: {
          CONFORMANCE_TOKEN: DEMO_TOKENS.customerA_user1,
          CONFORMANCE_TOKEN_OTHER_USER: DEMO_TOKENS.customerA_user2,
          CONFORMANCE_TOKEN_OTHER_TENANT: DEMO_TOKENS.customerB_user1,
          CONFORMANCE_ALLOW_WRITES: 'false',
          CONFORMANCE_ALLOW_EXPORT: 'no',
        },
      });
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toMatch(/Read-only run: nothing on .* will be changed/);
      expect(out.stdout).toMatch(/Verdict: PASS \(partial\)/);
    } finally {
      target.proxy.use(undefined);
    }
    expect(seen.length).toBeGreaterThan(50);
    expect(writesOf(seen).map((r) => `${r.method} ${r.url}`)).toEqual([]);
  }, 90_000);

  it('writes on, no disposable order: every write goes to the order the run created, none to an order that existed before', async () => {
    const { requests, before, report } = await recorded({});
    const existing = new Set(before.map((o) => o.ref));
    const actions = writesOf(requests).filter((r) => r.operation === 'requestOrderAction');
    expect(actions.length).toBeGreaterThan(5);
    const refs = new Set(actions.map(actionRef));
    expect([...refs].filter((ref) => ref !== undefined && existing.has(ref))).toEqual([]);
    expect([...refs]).toEqual(report.writes.created);
    // the other writes are the product order and the export starts, nothing else
    expect(new Set(writesOf(requests).map((r) => r.operation))).toEqual(new Set(['createProductOrder', 'requestOrderAction', 'startOrderExport']));
    // and every write check still ran, on the run's own order
    for (const c of ['product_order_status', 'terminate_active', 'action_precondition', 'action_invalid_body', 'fuzz_invalid_body']) {
      expect(report.results.find((r) => r.check === c)?.status, c).toBe('pass');
    }
    expect(report.verdict).toBe('PASS');
    expect(report.writes.blocked).toEqual([]);
  }, 60_000);

  it('--disposable-order REF: of the orders that existed before the run, writes reach that order only', async () => {
    const all = await ordersNow();
    const disposable = all.find((o) => o.state === 'active')?.ref as string;
    expect(disposable).toBeDefined();
    const { requests, before, report } = await recorded({ disposableOrders: [disposable] });
    const existing = new Set(before.map((o) => o.ref));
    const touched = new Set(
      writesOf(requests)
        .map(actionRef)
        .filter((r): r is string => r !== undefined && existing.has(r)),
    );
    expect([...touched]).toEqual([disposable]);
    expect(report.results.find((r) => r.check === 'terminate_active')?.status).toBe('pass');
    expect(report.writes.disposable).toEqual([disposable]);
  }, 60_000);

  it('--dry-run: the reads are made, zero writes are sent, and every write and export it would have sent is listed with its purpose', async () => {
    const logged: string[] = [];
    seen.length = 0;
    target.proxy.use(recorder);
    let outcome: RunOutcome;
    try {
      outcome = await runConformance(resolveOptions(runOptions(target.proxy.baseUrl, { dryRun: true, fuzzRuns: 3 })), { log: (l) => logged.push(l) });
    } finally {
      target.proxy.use(undefined);
    }
    const { report } = outcome;
    expect(seen.length).toBeGreaterThan(50);
    expect(writesOf(seen)).toEqual([]);
    expect(report.writes.dryRun).toBe(true);
    const planned = report.writes.planned.map((p) => `${p.method} ${p.path} ${p.as}`);
    expect(planned).toContain('POST /api/v1/product_order/ main');
    expect(planned).toContain('POST /api/v1/order/export/csv/ main');
    expect(planned).toContain('POST /api/v1/order/export/csv/ otherUser');
    expect(planned).toContain('POST /api/v1/order/{ref}/terminate/ main');
    for (const p of report.writes.planned) expect(p.purpose.length).toBeGreaterThan(20);
    expect(logged.join('\n')).toMatch(/Dry run: these writes and exports would be sent to/);
    expect(report.results.find((r) => r.check === 'terminate_active')?.skipReason).toMatch(/dry run/);
    expect(report.verdictLabel).toBe('PASS (partial)');
  }, 60_000);

  it('the plan is printed before the first write or export is sent', async () => {
    const order: string[] = [];
    const watch: Fault = {
      ...recorder,
      transform: async (req, ctx) => {
        if (req.method !== 'GET') order.push(`write ${req.method} ${req.pathname}`);
        return ctx.forward(req);
      },
    };
    target.proxy.use(watch);
    try {
      await runConformance(resolveOptions(runOptions(target.proxy.baseUrl, { fuzzRuns: 0 })), {
        log: (l) => {
          if (/^This run will change/.test(l)) order.push('plan');
        },
      });
    } finally {
      target.proxy.use(undefined);
    }
    expect(order[0]).toBe('plan');
    expect(order.length).toBeGreaterThan(3);
  }, 60_000);
});

describe('the write guard, under every driver', () => {
  it('refuses, before sending, any write to an order neither created by the run nor named disposable, and anything not a write the kit sends', async () => {
    const { RunContext } = await import('../../src/engine/context.ts');
    const { harnessFor } = await import('../../src/engine/run.ts');
    const { writeGuard } = await import('../../src/engine/safety.ts');
    const { loadSpec } = await import('../../src/contract/load.ts');
    const options = resolveOptions({ baseUrl: 'http://127.0.0.1:9/prefix', allowWrites: true, allowExport: false, disposableOrders: ['MINE 1'] });
    const http = harnessFor({ ...options, baseUrl: 'http://127.0.0.1:9/prefix' });
    const ctx = new RunContext(loadSpec(), http, options, () => undefined);
    ctx.created('CREATED_1');
    const guard = writeGuard(ctx);
    expect(guard('GET', '/prefix/api/v1/order/OTHER/')).toBeUndefined();
    expect(guard('POST', '/prefix/api/v1/order/MINE%201/terminate/')).toBeUndefined();
    expect(guard('POST', '/prefix/api/v1/order/CREATED_1/cancel/')).toBeUndefined();
    expect(guard('POST', '/prefix/api/v1/product_order/')).toBeUndefined();
    expect(guard('POST', '/prefix/api/v1/order/OTHER/terminate/')).toMatch(/neither created by this run nor named with --disposable-order/);
    expect(guard('POST', '/prefix/api/v1/order/CREATED_1%2F..%2FOTHER/terminate/')).toMatch(/neither created/);
    expect(guard('POST', '/prefix/api/v1/order/export/csv/')).toMatch(/--allow-export/);
    expect(guard('DELETE', '/prefix/api/v1/order/CREATED_1/')).toMatch(/not a write this kit sends/);
    expect(guard('PUT', '/prefix/api/v1/order/CREATED_1/terminate/')).toMatch(/not a write this kit sends/);
    // without the guard the harness sends the write (nothing listens on port 9: refused)...
    const ex = await http.request({ method: 'POST', path: '/api/v1/order/OTHER/terminate/', json: { reason: 'x' }, retry429: false });
    expect(ex.error?.code).toBe('refused');
    expect(http.writesSent).toBe(1);
    // ...with it, a blocked write never leaves the kit: the harness answers it itself
    http.setWriteGuard(guard);
    const blocked = await http.request({ method: 'POST', path: '/api/v1/order/OTHER/terminate/', json: { reason: 'x' } });
    expect(blocked.error?.code).toBe('blocked');
    expect(http.writesSent).toBe(1);
    expect(http.blocked.join('\n')).toMatch(/OTHER/);
    await http.close();
  });
});

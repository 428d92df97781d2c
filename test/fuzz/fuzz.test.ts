/**
 * The fuzz phase (src/fuzz): silent on the reference server at the default
 * number of runs; on a faulty server in front of it, the fault is found, the
 * shrunk counterexample in the report is small enough to read, and replaying
 * its seed and path reproduces it; bounded by its budget.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_TOKENS, startMock } from '../../mock/index.ts';
import { resolveOptions } from '../../src/engine/options.ts';
import { runConformance } from '../../src/engine/run.ts';
import { FUZZ_CHECKS, fuzzTarget, runFuzz } from '../../src/fuzz/index.ts';
import type { Evidence, Result } from '../../src/report/types.ts';
import { contextFor, fuzzEvidence } from './support.ts';
import { actionFilterIgnored, invalidReasonAccepted, json, longReference500, pageRepeatsLastRow, pageSizeUnicode500, slow, startFaulty, type Fault } from './faulty.ts';

const open: { close(): Promise<void> }[] = [];

afterAll(async () => {
  for (const s of open.reverse()) await s.close();
});

/** A fresh reference server, behind `fault` when given; closed in afterAll. */
async function target(fault?: Fault, orders = 120): Promise<string> {
  const mock = await startMock({ seed: 42, orders, stepMs: 40, exportMs: 80 });
  open.push(mock);
  if (!fault) return mock.baseUrl;
  const proxy = await startFaulty(mock.baseUrl, fault);
  open.push(proxy);
  return proxy.baseUrl;
}

/** Runs the fuzz phase on `baseUrl` and returns its context's results. */
/**
 * The active orders of the reference server behind `baseUrl`: the tests name
 * them disposable (the run writes to no other existing order), as a user names
 * the orders of a sandbox with --disposable-order.
 */
async function activeOrders(baseUrl: string): Promise<string[]> {
  const res = await fetch(`${baseUrl}/api/v1/order/?page_size=500`, { headers: { authorization: `Bearer ${DEMO_TOKENS.customerA_user1}` } });
  const body = (await res.json()) as { results?: { order_reference: string; state: string }[] };
  return (body.results ?? [])
    .filter((o) => o.state === 'active')
    .map((o) => o.order_reference)
    .slice(0, 30);
}

async function fuzz(baseUrl: string, raw: Record<string, unknown> = {}) {
  const c = contextFor(baseUrl, { seed: 1, disposableOrders: await activeOrders(baseUrl), ...raw });
  open.push(c);
  const outcomes = await runFuzz(c.ctx);
  return { ...c, outcomes };
}

/** The property a fuzz finding names ("fuzz <property>: …"). */
function propertyOf(e: Evidence): string {
  const m = /^fuzz (\S+):/.exec(e.note ?? '');
  if (!m?.[1]) throw new Error(`no property in ${e.note}`);
  return m[1];
}

function firstFinding(r: Result): Evidence & { fuzz: NonNullable<Evidence['fuzz']> } {
  const found = fuzzEvidence(r);
  expect(found.length, `${r.check}: ${r.message}`).toBeGreaterThan(0);
  const e = found[0] as Evidence & { fuzz: NonNullable<Evidence['fuzz']> };
  expect(e.fuzz.path).toMatch(/^\d+(:\d+)*$/);
  expect(Number.isInteger(e.fuzz.seed)).toBe(true);
  expect(e.fuzz.numRuns).toBeGreaterThan(0);
  expect(e.curl).toMatch(/^curl /);
  expect(e.curl).not.toContain('demo-token');
  return e;
}

/** Not a pass: `fail` for a documented requirement, at least `warn` for an inferred one. */
function expectFound(r: Result): void {
  expect(r.status === 'fail' || r.status === 'warn', `${r.check}: ${r.status} ${r.message}`).toBe(true);
  expect(r.violations).toBeGreaterThan(0);
}

describe('fuzzing the reference server', () => {
  it('finds nothing at the default number of runs, and every fuzz check examines cases', async () => {
    const { results, outcomes } = await fuzz(await target());
    const fuzzResults = results().filter((r) => r.check.startsWith('fuzz_'));
    expect(fuzzResults.map((r) => `${r.check}: ${r.status} ${r.message}`).filter((s) => !/: pass /.test(s))).toEqual([]);
    expect(fuzzResults.map((r) => r.check).sort()).toEqual([...FUZZ_CHECKS].sort());
    for (const r of fuzzResults) expect(r.examined, r.check).toBeGreaterThan(0);
    for (const o of outcomes) expect(o.cases, o.property).toBe(25);
  });
});

describe('faulty servers: the fault is found and shrunk to a readable case', () => {
  it('500 for a page_size holding a non-ASCII character → fuzz_no_server_errors, shrunk to one page_size of one character', async () => {
    const { result } = await fuzz(await target(pageSizeUnicode500));
    const r = result('fuzz_no_server_errors');
    expectFound(r);
    const e = firstFinding(r);
    expect(e.status).toBe(500);
    const shrunk = JSON.parse(e.fuzz.shrunk) as { name: string; value: string; raw?: boolean }[];
    expect(shrunk).toHaveLength(1);
    expect(shrunk[0]?.name).toBe('page_size');
    expect(shrunk[0]?.value.length).toBeLessThanOrEqual(6);
    expect(e.curl).toMatch(/\?page_size=[^&']*'/);
  });

  it('500 for an order_reference filter over 100 characters → fuzz_no_server_errors, shrunk to just over 100 characters', async () => {
    const { result } = await fuzz(await target(longReference500));
    const r = result('fuzz_no_server_errors');
    expectFound(r);
    const e = firstFinding(r);
    const shrunk = JSON.parse(e.fuzz.shrunk) as unknown;
    const value = Array.isArray(shrunk) ? (shrunk as { name: string; value: string }[]).find((p) => p.name === 'order_reference')?.value : (shrunk as { order_reference?: string }).order_reference;
    if (Array.isArray(shrunk)) expect(shrunk).toHaveLength(1);
    expect(value?.length).toBeGreaterThan(100);
    expect(value?.length).toBeLessThanOrEqual(110);
  });

  it('the action filter ignored → fuzz_filters fails, shrunk to an action filter alone', async () => {
    const { result } = await fuzz(await target(actionFilterIgnored));
    const r = result('fuzz_filters');
    expect(r.status).toBe('fail'); // REQ-FILTER is documented
    const e = firstFinding(r);
    const shrunk = JSON.parse(e.fuzz.shrunk) as unknown;
    if (Array.isArray(shrunk)) expect((shrunk as { name: string }[]).map((p) => p.name)).toEqual(['action']);
    else expect(Object.keys(shrunk as object)).toEqual(['action']);
    expect(r.message).toMatch(/expected only rows with action .* \/ received a row with action/);
    expect(e.curl).toMatch(/order_request\/\?action=/);
  });

  it('a row repeated across pages → fuzz_pagination, shrunk to one list and one small page size', async () => {
    const { result } = await fuzz(await target(pageRepeatsLastRow));
    const r = result('fuzz_pagination');
    expectFound(r);
    const e = firstFinding(r);
    const shrunk = JSON.parse(e.fuzz.shrunk) as { list: string; page_size: number };
    expect(shrunk.list).toBe('orders');
    expect(shrunk.page_size).toBeLessThanOrEqual(10);
    expect(r.message).toMatch(/expected each row once .* received CMD_\S+ again/);
    expect(e.curl).toContain(`page_size=${shrunk.page_size}`);
  });

  it('an invalid termination body accepted (201, recorded) → fuzz_invalid_body, shrunk to a one-property body', async () => {
    const { result } = await fuzz(await target(invalidReasonAccepted("Cessation d'activité")));
    const r = result('fuzz_invalid_body');
    expectFound(r);
    const e = firstFinding(r);
    expect(e.status).toBe(201);
    const shrunk = JSON.parse(e.fuzz.shrunk) as { json?: Record<string, unknown> };
    expect(Object.keys(shrunk.json ?? {})).toEqual(['reason']);
    expect(e.fuzz.shrunk.length).toBeLessThanOrEqual(40);
    expect(e.curl).toContain('--data-raw');
    expect(e.curl).toMatch(/\/terminate\//);
  });
});

describe('a live target: the lists change while the fuzzer reads them', () => {
  // found by a random sweep with another user acting during the run: "expected the same count whatever the page size (166 with the default) / received count 164 with page_size=9", a false warning (strict: FAIL)
  it('an order request added before every read of the list is no fuzz_pagination finding: the case is made again between two readings of the list, which differ, so it is not judged', async () => {
    const mock = await startMock({ seed: 42, orders: 120, stepMs: 40, exportMs: 80 });
    open.push(mock);
    const a2 = { authorization: `Bearer ${DEMO_TOKENS.customerA_user2}`, 'content-type': 'application/json' };
    let added = 0;
    // customer A's second user asks for a change of an active order (a new order request) just before each walk of the order requests reads its first page
    const live: Fault = async (req, forward) => {
      // at most 8 (the walks' page cap, set from the count read at the start, leaves room for 5 more pages of the smallest page size)
      if (req.method === 'GET' && req.path === '/api/v1/order_request/' && !req.query.has('page') && added < 8) {
        const rows = ((await (await fetch(`${mock.baseUrl}/api/v1/order/?page_size=500`, { headers: a2 })).json()) as { results: { order_reference: string; state: string }[] }).results;
        const o = rows.filter((r) => r.state === 'active')[added % 5];
        if (o && (await fetch(`${mock.baseUrl}/api/v1/order/${o.order_reference}/change/`, { method: 'POST', headers: a2, body: JSON.stringify({ reason: 'Modification du contact', message: 'live' }) })).status < 300) added++;
      }
      return forward(req);
    };
    const proxy = await startFaulty(mock.baseUrl, live);
    open.push(proxy);
    const c = contextFor(proxy.baseUrl, { seed: 1, fuzzRuns: 12, checks: 'fuzz_pagination' });
    open.push(c);
    const outcomes = await runFuzz(c.ctx, { only: ['pagination'] });
    const r = c.result('fuzz_pagination');
    expect([r.status, r.violations, r.message]).toEqual([r.examined > 0 ? 'pass' : 'skip', 0, r.examined > 0 ? `${r.examined} examined, all as expected` : r.message]);
    expect(outcomes[0]?.failed).toBe(false);
    expect(added).toBe(8);
  });
});

describe('reproducible', () => {
  it('replaying the reported seed and path reproduces the same failure', async () => {
    const url = await target(pageSizeUnicode500);
    const first = await fuzz(url);
    const e = firstFinding(first.result('fuzz_no_server_errors'));
    const property = propertyOf(e);

    const again = contextFor(url, { seed: 999 });
    open.push(again);
    const outcome = await fuzzTarget(again.ctx, property, { replay: { seed: e.fuzz.seed, path: e.fuzz.path } });
    expect(outcome?.failed).toBe(true);
    expect(outcome?.cases).toBe(1);
    const replayed = firstFinding(again.result('fuzz_no_server_errors'));
    expect(replayed.fuzz.shrunk).toBe(e.fuzz.shrunk);
    expect(replayed.curl).toBe(e.curl);
    expect(replayed.status).toBe(e.status);
  });

  it('the same --seed on the same data gives the same counterexamples', async () => {
    const strip = (e: Evidence) => ({ fuzz: e.fuzz, curl: e.curl?.replace(/127\.0\.0\.1:\d+/, 'HOST'), note: e.note });
    const a = await fuzz(await target(pageRepeatsLastRow), { seed: 7 });
    const b = await fuzz(await target(pageRepeatsLastRow), { seed: 7 });
    const ea = fuzzEvidence(a.result('fuzz_pagination')).map(strip);
    expect(ea.length).toBeGreaterThan(0);
    expect(fuzzEvidence(b.result('fuzz_pagination')).map(strip)).toEqual(ea);
  });
});

describe('bounded', () => {
  it('a property cut short by the budget is reported as interrupted, never passed', async () => {
    const url = await target(slow(40), 20);
    const { results, outcomes } = await fuzz(url, { fuzzBudgetMs: 300 });
    const cut = outcomes.filter((x) => x.interrupted && !x.failed);
    expect(cut.length).toBeGreaterThan(0);
    for (const o of cut) {
      const r = results().find((x) => x.evidence.some((e) => e.note?.startsWith(`fuzz ${o.property}: interrupted after ${o.cases} runs`)));
      expect(r, o.property).toBeDefined();
      expect(r?.status, o.property).not.toBe('pass');
    }
  });

  it('a check left unexamined because its property stopped at another check\'s failure says so, not "nothing to examine"', async () => {
    // every GET with a path parameter answers 500: path_params stops at its first case, on fuzz_no_server_errors
    const everyPath500: Fault = async (req, forward) => (/^\/api\/v1\/(order|product_order)\/[^/]+\//.test(req.path) && req.method === 'GET' ? json(500, { detail: 'boom' }) : forward(req));
    const { result, outcomes } = await fuzz(await target(everyPath500, 20), { checks: 'fuzz_no_server_errors,fuzz_path_params' });
    expect(outcomes.find((o) => o.property === 'path_params')?.failure?.check).toBe('fuzz_no_server_errors');
    const r = result('fuzz_path_params');
    expect(r.status).toBe('skip');
    expect(r.skipReason).toMatch(/^fuzz path_params stopped at its first failure \(fuzz_no_server_errors\) after 1 case\(s\)/);
  });

  it('a property that cannot run (page_size ignored by both lists) logs "not run" and why, never "passed"', async () => {
    const mock = await startMock({ seed: 42, orders: 60, stepMs: 40, exportMs: 80, variants: ['fixed-page-size'] });
    open.push(mock);
    const c = contextFor(mock.baseUrl, { seed: 1 });
    open.push(c);
    const lines: string[] = [];
    c.ctx.log = (line) => void lines.push(line);
    const outcomes = await runFuzz(c.ctx, { only: ['pagination'] });
    expect(outcomes.map((o) => [o.property, o.cases])).toEqual([['pagination', 0]]);
    const line = lines.find((l) => l.includes('fuzz pagination:'));
    expect(line).toMatch(/fuzz pagination: 0 case\(s\), not run: page_size is not honoured by either list/);
    expect(line).not.toMatch(/passed/);
    expect(c.result('fuzz_pagination').status).toBe('skip');
  });

  it('invalid termination bodies with no order in state active to send them to (the run\'s own not yet active after --wait-ms) skip fuzz_invalid_body with the states seen, not "interrupted after 0 runs"', async () => {
    // found by a random sweep: a lifecycle slower than --wait-ms (stepMs 500, waitMs 5000) left the run's order in_progress; the property warned (strict: failed)
    const baseUrl = await target(undefined, 40);
    const res = await fetch(`${baseUrl}/api/v1/order/?page_size=500`, { headers: { authorization: `Bearer ${DEMO_TOKENS.customerA_user1}` } });
    const rows = ((await res.json()) as { results: { order_reference: string; state: string }[] }).results;
    const notActive = rows.filter((o) => o.state === 'in_progress' || o.state === 'confirmed').slice(0, 2);
    expect(notActive.length).toBeGreaterThan(0);
    const c = contextFor(baseUrl, { seed: 1, fuzzRuns: 5, disposableOrders: notActive.map((o) => o.order_reference) });
    open.push(c);
    const lines: string[] = [];
    c.ctx.log = (line) => void lines.push(line);
    const outcomes = await runFuzz(c.ctx, { only: ['termination_body'] });
    expect(outcomes.map((o) => [o.property, o.cases, o.interrupted])).toEqual([['termination_body', 0, false]]);
    const r = c.result('fuzz_invalid_body');
    expect(r.status).toBe('skip');
    expect(r.skipReason).toContain(`fuzz termination_body: no order of the run's own, nor a disposable one, left in state active to send invalid bodies to (${notActive.map((o) => `${o.order_reference}: ${o.state}`).join(', ')})`);
    expect(lines.find((l) => l.includes('fuzz termination_body:'))).toMatch(/0 case\(s\), not run: /);
  });

  it('--fuzz-runs 0 skips every fuzz check, with the reason', async () => {
    const { results, outcomes } = await fuzz(await target(undefined, 20), { fuzzRuns: 0 });
    expect(outcomes).toEqual([]);
    for (const r of results().filter((x) => x.check.startsWith('fuzz_'))) {
      expect(r.status).toBe('skip');
      expect(r.skipReason).toMatch(/--fuzz-runs 0/);
    }
  });
});

describe('the conformance run', () => {
  it('runs the fuzz phase after the writes (bundled reference server, fuzz checks only)', async () => {
    const { report } = await runConformance(resolveOptions({ seed: 3, fuzzRuns: 5, checks: FUZZ_CHECKS.join(',') }));
    const fuzz = report.results.filter((r) => r.check.startsWith('fuzz_'));
    expect(fuzz).toHaveLength(FUZZ_CHECKS.length);
    expect(fuzz.filter((r) => r.status !== 'pass').map((r) => `${r.check}: ${r.status} ${r.message}`)).toEqual([]);
  });
});

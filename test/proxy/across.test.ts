/**
 * The provider judged across what the client saw (issue 15), each judgement
 * on a recorded exchange set that breaks it, beside one that keeps it
 * (unit tests on data: no server; the careful client through the reference
 * server and its variants is variants.test.ts):
 * - order_list_paging on the walk the client made: an order on two pages of
 *   one walk, a whole walk whose rows fall short of its count (a warning:
 *   no second walk confirms it); a walk left halfway compares no count;
 * - state_consistency: a detail behind the list row seen just before
 *   (x-lifecycle allows only forward moves) warns; one moved forward passes;
 *   past the window, not compared;
 * - export_content: the downloaded CSV missing an order the list showed, or
 *   giving it a state behind the listed one, warns; rows the list did not
 *   show say nothing.
 */
import { describe, expect, it } from 'vitest';
import type { ExchangeRecord } from '../../src/cassette/record.ts';
import { exportFeed, TrafficJudge } from '../../src/proxy/judge.ts';
import { loadSpec } from '../../src/contract/load.ts';

const spec = loadSpec();
const BASE = 'http://127.0.0.1:9';
const T0 = Date.parse('2026-12-01T12:00:00.000Z');

type Row = { order_reference: string; state: string };
const row = (n: number, state = 'active'): Row => ({ order_reference: `CMD_${n}`, state });

function rec(seq: number, s: number, method: string, path: string, status: number, body: unknown, type = 'application/json'): ExchangeRecord {
  return {
    seq,
    at: new Date(T0 + s * 1000).toISOString(),
    durationMs: 2,
    request: { method, url: `${BASE}${path}`, headers: { authorization: 'Bearer $CLIENT_CREDENTIAL_1' } },
    response: { status, headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) },
  };
}

const page = (seq: number, s: number, n: number, rows: Row[], count: number, next: number | null) => rec(seq, s, 'GET', `/api/v1/order/?page=${n}&page_size=2`, 200, { count, next: next === null ? null : `${BASE}/api/v1/order/?page=${next}&page_size=2`, previous: null, results: rows });
const detail = (seq: number, s: number, r: Row) => rec(seq, s, 'GET', `/api/v1/order/${r.order_reference}/`, 200, { ...r });
const csv = (seq: number, s: number, rows: Row[]) => rec(seq, s, 'GET', '/api/v1/order/export/0b7e4c4e-6d7a-4a8e-9d3e-1f0c2b3a4d5e/download/', 200, `order_reference,state\n${rows.map((r) => `${r.order_reference},${r.state}`).join('\n')}\n`, 'text/csv');

async function judged(records: ExchangeRecord[], check: string) {
  const judge = new TrafficJudge({ spec });
  for (const r of records) judge.add(r);
  await judge.settled();
  const r = judge.results().provider.find((x) => x.check === check);
  expect(r, check).toBeDefined();
  return r!;
}

describe('order_list_paging over the walk the client made', () => {
  it('a whole walk that agrees with its count passes; an order on two of its pages is a finding', async () => {
    const good = [page(1, 0, 1, [row(1), row(2)], 3, 2), page(2, 1, 2, [row(3)], 3, null)];
    expect(await judged(good, 'order_list_paging')).toMatchObject({ status: 'pass', examined: 2 });
    const twice = [page(1, 0, 1, [row(1), row(2)], 3, 2), page(2, 1, 2, [row(2)], 3, null)];
    const r = await judged(twice, 'order_list_paging');
    expect(r.status).not.toBe('pass');
    expect(r.message).toMatch(/order CMD_2 appears twice in the list/);
    expect(r.evidence[0]?.url).toContain('page=2');
  });

  it('a whole walk short of its count warns, unconfirmed; a walk left halfway compares no count', async () => {
    const short = [page(1, 0, 1, [row(1), row(2)], 5, 2), page(2, 1, 2, [row(3)], 5, null)];
    const r = await judged(short, 'order_list_paging');
    expect(r.status).toBe('warn');
    expect(r.message).toMatch(/expected the 5 rows the order list \(as the client walked it\) announces in count \/ received 3 across 2 page\(s\); not confirmed: no second walk was made/);
    const halfway = [page(1, 0, 1, [row(1), row(2)], 5, 2), page(2, 1, 2, [row(3), row(4)], 5, 3)];
    expect(await judged(halfway, 'order_list_paging')).toMatchObject({ status: 'pass' });
  });
});

describe('state_consistency: a detail against the list row just before it', () => {
  it('a state behind the listed one warns; a forward move (x-lifecycle) passes; past the window it is not compared', async () => {
    const behind = await judged([page(1, 0, 1, [row(1, 'terminated')], 1, null), detail(2, 5, row(1, 'active'))], 'state_consistency');
    expect(behind.status).toBe('warn');
    expect(behind.message).toMatch(/the list says "terminated" but the detail 5\.0 s later says "active" \(not confirmed/);
    expect(await judged([page(1, 0, 1, [row(1, 'active')], 1, null), detail(2, 5, row(1, 'terminated'))], 'state_consistency')).toMatchObject({ status: 'pass', examined: 1 });
    expect(await judged([page(1, 0, 1, [row(1, 'terminated')], 1, null), detail(2, 600, row(1, 'active'))], 'state_consistency')).toMatchObject({ status: 'skip' });
  });
});

describe('export_content: the CSV downloaded against the lists before it', () => {
  const listed = page(1, 0, 1, [row(1, 'active'), row(2, 'in_progress')], 2, null);
  it('rows for the orders the list showed, in states they can move to, pass; an order the list did not show says nothing', async () => {
    expect(await judged([listed, csv(2, 10, [row(1, 'terminated'), row(2, 'active'), row(9, 'active')])], 'export_content')).toMatchObject({ status: 'pass', examined: 2 });
  });
  it('an order missing from the CSV warns', async () => {
    const r = await judged([listed, csv(2, 10, [row(1, 'active')])], 'export_content');
    expect(r.status).toBe('warn');
    expect(r.message).toMatch(/1 of the 2 order\(s\) the lists showed missing from the export, e.g. CMD_2 .*not confirmed/);
  });
  it('a state behind the listed one warns', async () => {
    const r = await judged([listed, csv(2, 10, [row(1, 'active'), row(2, 'confirmed')])], 'export_content');
    expect(r.status).toBe('warn');
    expect(r.message).toMatch(/states the listed ones cannot move to: CMD_2 listed in_progress, exported confirmed/);
  });
  it('no list before the download: not judged, and why', async () => {
    expect(await judged([csv(1, 0, [row(1)])], 'export_content')).toMatchObject({ status: 'skip', skipReason: expect.stringMatching(/no order was seen in a list/) });
  });
});

describe('an export compared as it streams through (exportFeed)', () => {
  const listed = new Map([['CMD_A', { state: 'active', t: 0 }]]);
  it('compares the rows written to it once it ends', async () => {
    const feed = exportFeed(listed);
    feed.write(Buffer.from('order_reference,state\n'));
    feed.write(Buffer.from('CMD_A,active\nCMD_B,terminated\n'));
    feed.end();
    const { summary, skip } = await feed.summary;
    expect(skip).toBeUndefined();
    expect(summary).toBeDefined();
  });
  it('a download that did not end whole is not compared, and says so', async () => {
    const feed = exportFeed(listed);
    feed.write(Buffer.from('order_reference,state\nCMD_A,act'));
    feed.abort();
    expect(await feed.summary).toEqual({ skip: 'the download did not end whole, so its rows were not compared' });
  });
  it('past 16 MiB waiting unread, the comparison is given up, and says so', async () => {
    const feed = exportFeed(listed);
    feed.write(Buffer.from('order_reference,state\n'));
    const row = Buffer.from('CMD_A,active\n'.repeat(10_000));
    // written in one turn of the event loop: the cross-check reads nothing meanwhile
    for (let i = 0; i < 140; i++) feed.write(row);
    feed.end();
    expect(await feed.summary).toEqual({ skip: 'the export came faster than it could be compared (over 16 MiB waiting), so its rows were not compared' });
  });
});

/**
 * Shards (issue 17): 4 runs with `--shard K/4` against one reference server,
 * then `conformance merge`, judge as one unsharded run of the same seed
 * against a second reference server of the same data: the same verdict, the
 * same status per check, the same examined orders, histories and documents.
 * Each order is examined by exactly one shard; the 4 shards spend the
 * exports and the writes of one run. A fault that only the whole set shows
 * (the export missing a row: the list against the export) is not a FAIL in
 * the other shards' reports, and is one in the merge. A set that is not one
 * run's is refused, CONF_ERR_MERGE (exit 2), naming the shards.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TOKENS } from '../../mock/index.ts';
import { parseCassette, type Cassette } from '../../src/cassette/file.ts';
import { judge, judgeCassette } from '../../src/cassette/judge.ts';
import { judgeMerged, mergeCassettes, mergeShards, readShards, whoseRequest } from '../../src/cassette/merge.ts';
import type { ExchangeRecord } from '../../src/cassette/record.ts';
import { resolveOptions } from '../../src/engine/options.ts';
import type { RunOutcome } from '../../src/engine/run.ts';
import { examines, shardOf } from '../../src/engine/shard.ts';
import { ConformanceError } from '../../src/errors.ts';
import type { Report } from '../../src/report/types.ts';
import { FAULT_BY_NAME } from '../faults/faults.ts';
import { startTarget, type Target } from '../faults/target.ts';
import { runCli } from './cli.ts';

const N = 4;
const SEED = 9;
/** every order examined; a little fuzzing, so that the fuzz checks are compared too */
const OPTIONS = { seed: SEED, maxOrders: 'all', fuzzRuns: 3, fuzzBudgetMs: 10_000, waitMs: 5_000 };
/** the shards in the order they run: the global one (1) last, so that its writes cannot change the list the others crawl */
const ORDER = [2, 3, 4, 1];

let sharded: Target;
let single: Target;
let dir: string;
const shards = new Map<number, { outcome: RunOutcome; cassette: Cassette; dir: string }>();
let whole: { outcome: RunOutcome; cassette: Cassette };
let merged: Awaited<ReturnType<typeof mergeShards>>;
/** every order reference of customer A before any run */
let listed: string[];

const readCassetteAt = (path: string): Cassette => parseCassette(readFileSync(path, 'utf8'), path);
const statuses = (r: Report): Record<string, string> => Object.fromEntries(r.results.map((x) => [x.check, x.status]));
const examined = (r: Report, check: string): number | undefined => r.results.find((x) => x.check === check)?.examined;
const isWrite = (r: ExchangeRecord): boolean => r.request.method !== 'GET' && r.request.method !== 'HEAD';
const exportStarts = (rs: ExchangeRecord[]): number => rs.filter((r) => r.operationId === 'startOrderExport' && r.response !== undefined && r.response.status < 400).length;
/** the order a main-principal detail read addresses */
const detailRef = (r: ExchangeRecord): string | undefined => (r.operationId === 'getOrder' && (r.principal ?? 'main') === 'main' ? decodeURIComponent(/\/order\/([^/?]+)\//.exec(r.request.url)?.[1] ?? '') : undefined);

async function runShard(target: Target, k: number, fault?: string, extra: Record<string, unknown> = {}): Promise<{ outcome: RunOutcome; cassette: Cassette; dir: string }> {
  const at = join(dir, `${fault ?? 'clean'}-${k}`);
  mkdirSync(at, { recursive: true });
  const outcome = await target.run(fault ? FAULT_BY_NAME.get(fault) : undefined, { ...OPTIONS, shard: `${k}/${N}`, reportDir: at, ...extra });
  return { outcome, cassette: readCassetteAt(join(at, 'cassette.jsonl')), dir: at };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conformance-shards-'));
  [sharded, single] = await Promise.all([startTarget({ orders: 80, seed: SEED }), startTarget({ orders: 80, seed: SEED })]);
  const res = await fetch(`${sharded.proxy.baseUrl}/api/v1/order/?page_size=1000`, { headers: { authorization: `Bearer ${DEMO_TOKENS.customerA_user1}` } });
  listed = ((await res.json()) as { results: { order_reference: string }[] }).results.map((o) => o.order_reference);
  // the unsharded run, against its own server, side by side with the shards
  const unsharded = (async () => {
    const file = join(dir, 'single.jsonl');
    const outcome = await single.run(undefined, { ...OPTIONS, record: file });
    whole = { outcome, cassette: readCassetteAt(file) };
  })();
  for (const k of ORDER) shards.set(k, await runShard(sharded, k));
  await unsharded;
  merged = await mergeShards(
    ORDER.map((k) => (shards.get(k) as { dir: string }).dir),
    { reportDir: join(dir, 'merged') },
  );
}, 240_000);

afterAll(async () => {
  await Promise.all([sharded?.close(), single?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('--shard K/N and conformance merge', () => {
  it('splits the orders by a hash of the reference, every order in one shard, none empty here', () => {
    const per = Array.from({ length: N }, (_, i) => listed.filter((ref) => shardOf(ref, N) === i + 1).length);
    expect(per.reduce((a, b) => a + b, 0)).toBe(listed.length);
    for (const n of per) expect(n).toBeGreaterThan(0);
    for (const ref of listed) expect([1, 2, 3, 4].filter((k) => examines({ k, n: N }, ref))).toEqual([shardOf(ref, N)]);
    // stable: the first 4 bytes of sha256, mod N, plus one
    expect(shardOf('ORDER-1', 4)).toBe(shardOf('ORDER-1', 4));
    expect(shardOf('anything', 1)).toBe(1);
  });

  it('merges to the unsharded verdict: the same status per check and the same examined orders, histories and documents', () => {
    const one = whole.outcome.report;
    const all = merged.report;
    expect(one.verdict).toBe('PASS');
    expect(all.verdict).toBe(one.verdict);
    expect(all.complete).toBe(true);
    expect(statuses(all)).toEqual(statuses(one));
    for (const check of ['order_detail_schema', 'state_consistency', 'history_schema', 'history_order', 'documents_schema', 'document_download', 'export_content', 'tenant_isolation', 'order_list_schema']) {
      expect(examined(all, check), check).toBe(examined(one, check));
    }
    // every order of the list examined (one consistency judgement per order)
    expect(examined(all, 'state_consistency')).toBe(listed.length);
    expect(all.shard).toEqual({ k: 'all', n: N, global: 1 });
    expect(all.incomplete).toBeUndefined();
    // the other shards' copies of the list crawl are spare, not a problem
    expect(all.problems.filter((p) => /not asked for/.test(p))).toEqual([]);
  });

  it('examines each order in exactly one shard', () => {
    const seen = new Map<string, number[]>();
    for (const [k, s] of shards)
      for (const r of s.cassette.records) {
        const ref = detailRef(r);
        if (ref !== undefined && listed.includes(ref) && r.purpose === undefined) seen.set(ref, [...new Set([...(seen.get(ref) ?? []), k])]);
      }
    expect(seen.size).toBe(listed.length);
    for (const ref of listed) {
      const k = shardOf(ref, N);
      // shard 1 reads some orders again in its global phases (isolation, fuzzing): only as the global shard
      expect(
        (seen.get(ref) ?? []).filter((x) => x !== 1),
        ref,
      ).toEqual(k === 1 ? [] : [k]);
    }
    // every other shard's detail reads are of its own orders only
    for (const k of [2, 3, 4]) {
      const refs = (shards.get(k) as { cassette: Cassette }).cassette.records.map(detailRef).filter((r): r is string => r !== undefined);
      expect(refs.length).toBe(listed.filter((ref) => shardOf(ref, N) === k).length);
      for (const ref of refs) expect(shardOf(ref, N)).toBe(k);
    }
  });

  it('spends the exports and the writes of one run: all in shard 1, none in the others', () => {
    const records = [...shards.values()].flatMap((s) => s.cassette.records);
    expect(exportStarts(records)).toBe(exportStarts(whole.cassette.records));
    expect(exportStarts(records)).toBeGreaterThan(0);
    expect(records.filter(isWrite).length).toBe(whole.cassette.records.filter(isWrite).length);
    for (const k of [2, 3, 4]) {
      const s = shards.get(k) as { outcome: RunOutcome; cassette: Cassette };
      expect(s.cassette.records.filter(isWrite), `shard ${k}`).toEqual([]);
      expect(s.outcome.report.writes.sent).toBe(0);
      expect(s.outcome.report.writes.planned).toEqual([]);
    }
    expect((shards.get(1) as { outcome: RunOutcome }).outcome.report.writes.sent).toBe(whole.outcome.report.writes.sent);
  });

  it('reports the global checks as not run in the other shards, never as passed', () => {
    const two = (shards.get(2) as { outcome: RunOutcome }).outcome.report;
    expect(two.shard).toEqual({ k: 2, n: N, global: 1 });
    for (const check of ['export_content', 'auth_missing_credentials', 'tenant_isolation', 'terminate_active', 'fuzz_pagination', 'terminate_reasons_schema']) {
      const r = two.results.find((x) => x.check === check);
      expect(r?.status, check).toBe('skip');
      expect(r?.skipReason, check).toBe('run by shard 1 of 4');
    }
    expect(two.results.find((x) => x.check === 'order_detail_schema')?.status).toBe('pass');
    expect(two.verdict).toBe('PASS');
    expect(two.complete).toBe(false);
    const header = (shards.get(2) as { cassette: Cassette }).cassette.header;
    expect(header.shard).toEqual({ k: 2, n: N, global: 1 });
    expect(statuses((shards.get(1) as { outcome: RunOutcome }).outcome.report)).toEqual(statuses(whole.outcome.report));
  });

  it("judges one shard's cassette offline as that shard (conformance judge)", async () => {
    const two = shards.get(2) as { outcome: RunOutcome; cassette: Cassette };
    const again = await judge(two.cassette, { reportDir: join(dir, 'judged-2') });
    expect(again.report.shard).toEqual({ k: 2, n: N, global: 1 });
    expect(statuses(again.report)).toEqual(statuses(two.outcome.report));
    expect(examined(again.report, 'state_consistency')).toBe(examined(two.outcome.report, 'state_consistency'));
  });

  it('catches through the merge a fault only the whole set shows: the export missing a row', async () => {
    const set = new Map<number, { outcome: RunOutcome; dir: string }>();
    // only the guarding check: the other shards still crawl and examine their orders, which the merge judges it with
    for (const k of ORDER) set.set(k, await runShard(sharded, k, 'export-csv-row-missing', { fuzzRuns: 0, checks: 'export_content' }));
    for (const k of [2, 3, 4]) {
      const r = (set.get(k) as { outcome: RunOutcome }).outcome.report;
      expect(r.verdict, `shard ${k}`).not.toBe('FAIL');
      expect(r.results.find((x) => x.check === 'export_content')?.skipReason).toBe('run by shard 1 of 4');
    }
    const out = await mergeShards(
      [...set.values()].map((s) => s.dir),
      { reportDir: join(dir, 'merged-fault') },
    );
    expect(out.report.incomplete).toBeUndefined();
    const r = out.report.results.find((x) => x.check === 'export_content');
    expect(r?.status, r?.message).toBe('fail');
    expect(out.report.verdict).toBe('FAIL');
    expect(out.exitCode).toBe(1);
  }, 120_000);
});

describe('conformance merge on the command line', () => {
  it("writes the merged reports and, with --merged-cassette, the merged cassette: every shard's records, G first", async () => {
    const out = join(dir, 'merged-cli');
    const cli = await runCli(['merge', ...ORDER.map((k) => (shards.get(k) as { dir: string }).dir), '--report-dir', out, '--merged-cassette', '--quiet']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/^Verdict: PASS — 44 passed/m);
    const report = JSON.parse(readFileSync(join(out, 'conformance.json'), 'utf8')) as Report;
    expect(statuses(report)).toEqual(statuses(whole.outcome.report));
    const cassette = readCassetteAt(join(out, 'merged-cassette.jsonl'));
    expect(cassette.header.shard).toEqual({ k: 'all', n: N, global: 1 });
    expect(cassette.records.length).toBe([...shards.values()].reduce((n, s) => n + s.cassette.records.length, 0));
    expect(cassette.records.map((r) => r.seq)).toEqual(cassette.records.map((_r, i) => i + 1));
    expect(cassette.records[0]?.shard).toBe(1);
    expect(cassette.records.at(-1)?.shard).toBe(4);
    // judged again by `judge`, as the merge judged it
    const again = await judgeCassette(join(out, 'merged-cassette.jsonl'), { reportDir: join(dir, 'merged-judged') });
    expect(again.report.incomplete).toBeUndefined();
    expect(again.report.shard).toEqual({ k: 'all', n: N, global: 1 });
    expect(statuses(again.report)).toEqual(statuses(report));
  });
});

describe('conformance merge of shards too large to hold (cassettes read a line at a time)', () => {
  it('merges to the same records and judges to the same results', async () => {
    const dirs = ORDER.map((k) => (shards.get(k) as { dir: string }).dir);
    const held = mergeCassettes(readShards(dirs));
    const large = mergeCassettes(readShards(dirs, { heldWhole: 0 }));
    try {
      expect(large.close).toBeTypeOf('function');
      expect(JSON.stringify(large.records)).toBe(JSON.stringify(held.records));
      const judged = await judgeMerged(large, { reportDir: join(dir, 'merged-large') });
      expect(judged.report.incomplete).toBeUndefined();
      expect(statuses(judged.report)).toEqual(statuses(merged.report));
      for (const check of ['order_detail_schema', 'document_download', 'export_content']) expect(examined(judged.report, check), check).toBe(examined(merged.report, check));
    } finally {
      large.close?.();
    }
  });
});

describe('conformance merge refuses a set that is not one run', () => {
  /** a copy of shard k's cassette in its own folder, its header edited */
  function edited(k: number, edit: (h: Cassette['header']) => void): string {
    const src = (shards.get(k) as { dir: string }).dir;
    const lines = readFileSync(join(src, 'cassette.jsonl'), 'utf8').split('\n');
    const header = JSON.parse(lines[0] as string) as Cassette['header'];
    edit(header);
    const at = mkdtempSync(join(dir, `edited-${k}-`));
    writeFileSync(join(at, 'cassette.jsonl'), [JSON.stringify(header), ...lines.slice(1)].join('\n'));
    return at;
  }
  const dirOf = (k: number): string => (shards.get(k) as { dir: string }).dir;
  async function refusal(inputs: string[]): Promise<ConformanceError> {
    const e = await mergeShards(inputs, { reportDir: join(dir, 'refused') }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ConformanceError);
    expect((e as ConformanceError).code).toBe('CONF_ERR_MERGE');
    expect((e as ConformanceError).exitCode).toBe(2);
    return e as ConformanceError;
  }

  it('one shard missing: exit 2, CONF_ERR_MERGE, naming it and those given (the command line)', async () => {
    const cli = await runCli(['merge', dirOf(1), dirOf(2), dirOf(4), '--report-dir', join(dir, 'refused-cli')]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/shard 3 of 4 is missing \(given: shard 1 of 4 \(.*clean-1\/cassette\.jsonl\), shard 2 of 4 .*shard 4 of 4 .*\) \[CONF_ERR_MERGE\]/);
  });

  it('a shard twice', async () => {
    const e = await refusal([dirOf(1), dirOf(2), dirOf(2), dirOf(3), dirOf(4)]);
    expect(e.message).toMatch(/shard 2 of 4 is given 2 times \(.*clean-2\/cassette\.jsonl, .*clean-2\/cassette\.jsonl\)/);
  });

  it('two seeds', async () => {
    const e = await refusal([dirOf(1), dirOf(2), edited(3, (h) => void (h.seed = SEED + 1)), dirOf(4)]);
    expect(e.message).toMatch(new RegExp(`their seeds differ \\(shard 1 of 4 \\(.*\\): ${SEED}; shard 3 of 4 \\(.*edited-3-.*\\): ${SEED + 1}\\)`));
  });

  it('two contract digests', async () => {
    const e = await refusal([dirOf(1), edited(2, (h) => void (h.contract = 'f'.repeat(64))), dirOf(3), dirOf(4)]);
    expect(e.message).toMatch(/their contract digests differ \(shard 1 of 4 .*; shard 2 of 4 \(.*edited-2-.*\): sha256 ffffffffffff…\)/);
  });

  it('two option sets, and a folder with reports but no cassette', async () => {
    const e = await refusal([dirOf(1), dirOf(2), dirOf(3), edited(4, (h) => void (h.options = { ...h.options, maxOrders: 10 }))]);
    expect(e.message).toMatch(/their options differ .*shard 4 of 4/);
    const bare = mkdtempSync(join(dir, 'reports-only-'));
    writeFileSync(join(bare, 'conformance.json'), '{}');
    const e2 = await refusal([dirOf(1), bare]);
    expect(e2.message).toMatch(/no cassette here; .*a shard's reports alone cannot be merged/);
  });

  it('a request the shards did not record: INCOMPLETE, CONF_ERR_CASSETTE, naming the shard that should have', async () => {
    const src = (shards.get(3) as { dir: string }).dir;
    const lines = readFileSync(join(src, 'cassette.jsonl'), 'utf8').split('\n');
    const gone = lines.findIndex((l, i) => i > 0 && l !== '' && detailRef(JSON.parse(l) as ExchangeRecord) !== undefined);
    const ref = detailRef(JSON.parse(lines[gone] as string) as ExchangeRecord) as string;
    const at = mkdtempSync(join(dir, 'lacking-3-'));
    writeFileSync(join(at, 'cassette.jsonl'), lines.filter((_l, i) => i !== gone).join('\n'));
    const out = await mergeShards([dirOf(1), dirOf(2), at, dirOf(4)], { reportDir: join(dir, 'lacking') });
    expect(out.report.verdict).toBe('INCOMPLETE');
    expect(out.exitCode).toBe(2);
    expect(out.report.incomplete?.code).toBe('CONF_ERR_CASSETTE');
    expect(out.report.incomplete?.message).toContain(`order ${ref} falls in shard 3 of 4: shard 3 should have recorded it`);
  });

  it('names the shard that should have recorded a request the merged traffic lacks', () => {
    const ref = listed.find((r) => shardOf(r, N) === 3) as string;
    expect(whoseRequest({ operationId: 'getOrder', ref, principal: 'main' }, N, 1)).toMatch(/shard 3 should have recorded it/);
    expect(whoseRequest({ operationId: 'startOrderExport', principal: 'main' }, N, 1)).toMatch(/shard 1 of 4, the global shard/);
  });
});

describe('the merged cassette (on data)', () => {
  const header = (k: number, n: number, global: number): Cassette['header'] => ({
    cassette: 1,
    tool: { name: 'order-tracking-conformance', version: '0' },
    contract: 'c',
    suite: 's',
    seed: 1,
    target: 'http://t',
    options: { maxOrders: 0 },
    principals: ['main'],
    shard: { k, n, global },
    startedAt: '2026-01-01T00:00:00Z',
  });
  const rec = (seq: number, what: string): ExchangeRecord => ({ seq, operationId: what, request: { method: 'GET', url: `http://t/${what}` }, response: { status: 200 } });
  const shard = (k: number, n: number, global: number, records: ExchangeRecord[]) => ({ path: `s${k}/cassette.jsonl`, cassette: { header: header(k, n, global), kind: 'run' as const, records }, k, n, global });

  it('puts the global shard first (here 3 of 3), each shard in its own order, seq renumbered, each record marked', () => {
    const m = mergeCassettes([shard(1, 3, 3, [rec(2, 'b1'), rec(1, 'a1')]), shard(3, 3, 3, [rec(1, 'a3'), rec(2, 'b3')]), shard(2, 3, 3, [rec(1, 'a2')])]);
    expect(m.header.shard).toEqual({ k: 'all', n: 3, global: 3 });
    expect(m.records.map((r) => [r.seq, r.shard, r.operationId])).toEqual([
      [1, 3, 'a3'],
      [2, 3, 'b3'],
      [3, 1, 'a1'],
      [4, 1, 'b1'],
      [5, 2, 'a2'],
    ]);
  });

  it('refuses shards of different N or global shards', () => {
    expect(() => mergeCassettes([shard(1, 2, 1, []), shard(2, 3, 1, [])])).toThrow(/their shard counts \(N\) differ \(shard 1 of 2 \(s1\/cassette.jsonl\): 2; shard 2 of 3 \(s2\/cassette.jsonl\): 3\)/);
    expect(() => mergeCassettes([shard(1, 2, 1, []), shard(2, 2, 2, [])])).toThrow(/their global shards \(--global-shard\) differ/);
  });
});

describe('the options', () => {
  it('take K/N with 1 ≤ K ≤ N ≤ 1024 and G ≤ N; --max-orders all is 0, every order', () => {
    expect(resolveOptions({ shard: '2/4', seed: 3, reportDir: 'out/s2' })).toMatchObject({ shard: { k: 2, n: 4 }, globalShard: 1, record: 'out/s2/cassette.jsonl' });
    expect(resolveOptions({ shard: '1024/1024', seed: 3, globalShard: '1024', record: 'x.jsonl' })).toMatchObject({ shard: { k: 1024, n: 1024 }, globalShard: 1024, record: 'x.jsonl' });
    for (const bad of ['0/4', '5/4', '1/1025', '2', 'a/b', '1/0']) expect(() => resolveOptions({ shard: bad, seed: 3 }), bad).toThrow(/--shard takes K\/N/);
    expect(() => resolveOptions({ shard: '1/4', seed: 3, globalShard: 5 })).toThrow(/--global-shard 5 names no shard of 4/);
    expect(() => resolveOptions({ shard: '1/4', seed: 3, globalShard: 0 })).toThrow(/--global-shard must be a whole number from 1 to 1024/);
    expect(() => resolveOptions({ shard: '1/4' })).toThrow(/--shard needs --seed/);
    expect(() => resolveOptions({ globalShard: 2 })).toThrow(/--global-shard 2 needs --shard K\/N/);
    expect(resolveOptions({ globalShard: '1' }).shard).toBeUndefined();
    for (const e of [() => resolveOptions({ shard: '9/4', seed: 1 }), () => resolveOptions({ shard: '1/4' })]) expect(e).toThrow(expect.objectContaining({ code: 'CONF_ERR_BAD_OPTION' }));
    expect(resolveOptions({ maxOrders: 'all' }).maxOrders).toBe(0);
    expect(resolveOptions({ maxOrders: '0' }).maxOrders).toBe(0);
    expect(() => resolveOptions({ maxOrders: '-1' })).toThrow(/--max-orders/);
  });
});

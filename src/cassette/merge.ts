/**
 * `conformance merge DIR|FILE...`: the shards of one `run --shard K/N` set
 * (src/engine/shard.ts) judged as one unsharded run.
 *
 * It builds on `conformance judge`: the shards' cassettes become one merged
 * cassette, judged with the shards' options and `shard: { k: 'all', n, G }`
 * (examine every shard's orders, take the global choices as shard G did).
 * Checks that compare across orders (the list against the export, counts,
 * state coverage) are then judged on the union of the traffic, as one run
 * would judge them.
 *
 * The merged cassette holds shard G's records first, in their order, then
 * each other shard's in shard order (seq renumbered, each record marked with
 * its shard): the list crawl and the preflight, which every shard made, are
 * answered from shard G's copy, and the other copies are spare. Only shard
 * G's records move the virtual clock: the others were made on other
 * machines' time, and the merged run keeps G's.
 *
 * Refused (CONF_ERR_MERGE, exit 2) before anything is judged: a shard missing
 * or given twice, and shards that are not of one run (N, global shard, seed,
 * contract, suite, target, options but the shard and the paths). A request
 * the merged cassette does not hold is CONF_ERR_CASSETTE, as in judge, with
 * the shard that should have recorded it.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConformanceError } from '../errors.ts';
import type { RunHooks, RunOutcome } from '../engine/run.ts';
import { shardOf } from '../engine/shard.ts';
import { readCassette, renumbered, type Cassette } from './file.ts';
import { judge, type JudgeOverrides } from './judge.ts';
import type { ExchangeRecord } from './record.ts';
import type { Miss } from './replay.ts';

const mergeError = (msg: string): ConformanceError => new ConformanceError('CONF_ERR_MERGE', msg);

export interface ShardCassette {
  /** the file it was read from */
  path: string;
  cassette: Cassette;
  k: number;
  n: number;
  global: number;
}

/** The cassette of a shard: a file, or `<dir>/cassette.jsonl` (where `run --shard` records by default). */
export function cassettePath(input: string): string {
  let dir = false;
  try {
    dir = statSync(input).isDirectory();
  } catch {
    // named as given: the check below says it is missing
  }
  const path = dir ? join(input, 'cassette.jsonl') : input;
  if (!existsSync(path)) {
    throw mergeError(`${path}: no cassette here; merge judges each shard's recorded traffic (\`run --shard K/N\` records <report-dir>/cassette.jsonl), a shard's reports alone cannot be merged`);
  }
  return path;
}

/** Reads the shards' cassettes (CONF_ERR_CASSETTE for a file that is not one, CONF_ERR_MERGE for one that is not a shard's). */
export function readShards(inputs: readonly string[], o: { heldWhole?: number } = {}): ShardCassette[] {
  if (inputs.length === 0) throw mergeError("no shard given: name each shard's report directory or cassette");
  return inputs.map((input) => {
    const path = cassettePath(input);
    const cassette = readCassette(path, o);
    if (cassette.kind !== 'run') throw mergeError(`${path} is a ${cassette.kind} cassette (a client's traffic), not a shard's run: judge it with \`conformance judge ${path}\``);
    const s = cassette.header.shard;
    if (!s) throw mergeError(`${path} is the cassette of a run without --shard: judge it with \`conformance judge ${path}\``);
    if (s.k === 'all') throw mergeError(`${path} is a merged cassette already: judge it with \`conformance judge ${path}\``);
    return { path, cassette, k: s.k, n: s.n, global: s.global };
  });
}

const named = (s: ShardCassette): string => `shard ${s.k} of ${s.n} (${s.path})`;

/** A stable text of a value (keys sorted), to compare headers. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/**
 * Refuses a set that is not every shard of one run, each once: the message
 * names the shards at fault and their files.
 */
export function checkShardSet(shards: readonly ShardCassette[]): void {
  const differ = (what: string, value: (s: ShardCassette) => unknown, show: (s: ShardCassette) => string = (s) => String(value(s))): void => {
    const first = shards[0] as ShardCassette;
    const odd = shards.filter((s) => stable(value(s)) !== stable(value(first)));
    if (odd.length === 0) return;
    throw mergeError(`the shards are not of one run: ${what} differ (${[first, ...odd].map((s) => `${named(s)}: ${show(s)}`).join('; ')})`);
  };
  differ('their shard counts (N)', (s) => s.n);
  differ('their global shards (--global-shard)', (s) => s.global);
  differ('their seeds', (s) => s.cassette.header.seed);
  differ(
    'their contract digests',
    (s) => s.cassette.header.contract,
    (s) => `sha256 ${s.cassette.header.contract.slice(0, 12)}…`,
  );
  differ(
    "their suite digests (the kit's code)",
    (s) => s.cassette.header.suite,
    (s) => `sha256 ${String(s.cassette.header.suite).slice(0, 12)}…`,
  );
  // each shard of the bundled server starts its own, on its own port, with the data of the seed
  differ('their targets', (s) => (s.cassette.header.embedded ? 'the bundled reference server' : s.cassette.header.target));
  differ(
    'their options',
    (s) => s.cassette.header.options ?? {},
    (s) => stable(s.cassette.header.options ?? {}),
  );
  differ('their credentials (principals)', (s) => [...(s.cassette.header.principals ?? [])].sort());
  const n = (shards[0] as ShardCassette).n;
  const byK = new Map<number, ShardCassette[]>();
  for (const s of shards) byK.set(s.k, [...(byK.get(s.k) ?? []), s]);
  const twice = [...byK.entries()].filter(([, ss]) => ss.length > 1);
  if (twice.length > 0) throw mergeError(twice.map(([k, ss]) => `shard ${k} of ${n} is given ${ss.length} times (${ss.map((s) => s.path).join(', ')})`).join('; '));
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !byK.has(k));
  if (missing.length > 0) {
    throw mergeError(
      `shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${n} ${missing.length > 1 ? 'are' : 'is'} missing (given: ${[...shards]
        .sort((a, b) => a.k - b.k)
        .map(named)
        .join(', ')})`,
    );
  }
}

/** The operations a shard makes for the orders it examines: the merged run asks each shard's for its own orders. */
const EXAMINED = new Set(['getOrder', 'getOrderHistory', 'listOrderDocuments', 'downloadOrderDocument']);

/**
 * One cassette of the set: shard G's header (its shard `all`) and records
 * first, then every other shard's in shard order, seq renumbered so that
 * each shard's own order is kept, each record marked with its shard.
 */
export function mergeCassettes(shards: readonly ShardCassette[]): Cassette {
  checkShardSet(shards);
  const g = (shards[0] as ShardCassette).global;
  const ordered = [...shards].sort((a, b) => (a.k === g ? -1 : b.k === g ? 1 : a.k - b.k));
  const head = (ordered[0] as ShardCassette).cassette.header;
  const records: ExchangeRecord[] = [];
  let seq = 0;
  for (const s of ordered) {
    const own = [...s.cassette.records].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    // a large shard's records stay read from its file
    for (const r of own) records.push(renumbered(r, ++seq, s.k));
  }
  const closes = shards.map((s) => s.cassette.close).filter((c): c is () => void => c !== undefined);
  return {
    header: { ...head, shard: { k: 'all', n: head.shard?.n ?? 1, global: g } },
    kind: 'run',
    records,
    ...(closes.length > 0
      ? {
          close: () => {
            for (const c of closes) c();
          },
        }
      : {}),
  };
}

/** Who should have recorded a request the merged cassette lacks: the shard of the order it examines, or shard G. */
export function whoseRequest(m: { operationId?: string; ref?: string; principal: string }, n: number, g: number): string {
  if (m.ref !== undefined && m.principal === 'main' && m.operationId !== undefined && EXAMINED.has(m.operationId)) {
    const k = shardOf(m.ref, n);
    return `order ${m.ref} falls in shard ${k} of ${n}: shard ${k} should have recorded it${k === g ? '' : ', unless the shards saw different order lists'}`;
  }
  return `shard ${g} of ${n}, the global shard, should have recorded it`;
}

export interface MergeOutcome extends RunOutcome {
  merged: Cassette;
}

/** Merges and judges the shards named by `inputs` (directories or cassettes). */
export async function mergeShards(inputs: readonly string[], o: JudgeOverrides = {}, hooks: Pick<RunHooks, 'log' | 'onHarness'> = {}): Promise<MergeOutcome> {
  const shards = readShards(inputs);
  const merged = mergeCassettes(shards);
  hooks.log?.(`Merging ${shards.length} shards of ${merged.header.shard?.n} (global shard ${merged.header.shard?.global}): ${merged.records.length} exchanges`);
  return { ...(await judgeMerged(merged, o, hooks, `the merged cassette of ${shards.length} shards`)), merged };
}

/**
 * Judges a merged cassette (made by `mergeShards`, or written by `merge
 * --merged-cassette` and given to `judge`): every shard's orders, the global
 * choices as shard G's, G's clock; the other shards' list crawls are spare.
 */
export async function judgeMerged(merged: Cassette, o: JudgeOverrides = {}, hooks: Pick<RunHooks, 'log' | 'onHarness'> = {}, name = 'the merged cassette'): Promise<RunOutcome> {
  const { n, global: g } = merged.header.shard as { n: number; global: number };
  const { loadSpec } = await import('../contract/load.ts');
  const { routerOf } = await import('../contract/router.ts');
  const router = routerOf(loadSpec(o.specPath));
  const requestOf = (m: Miss): { operationId?: string; ref?: string; principal: string } => {
    // the router leaves out the query and decodes the path's parameters
    const route = router.match(m.method, m.path);
    if (!route?.operation) return { principal: m.principal };
    const ref = route.params.order_reference;
    return { operationId: route.operation.operationId, principal: m.principal, ...(ref !== undefined ? { ref } : {}) };
  };
  return judge(merged, { ...o, shard: { k: 'all', n }, globalShard: g }, hooks, name, {
    whose: (m) => whoseRequest(requestOf(m), n, g),
    // the other shards' preflight and list crawl: answered from shard G's copy
    spare: (r) => r.shard !== undefined && r.shard !== g && !EXAMINED.has(r.operationId ?? ''),
    clockShard: g,
  });
}

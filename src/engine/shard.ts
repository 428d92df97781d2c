/**
 * Shards: a run split across machines (`--shard K/N`), merged into one
 * verdict by `conformance merge` (src/cassette/merge.ts).
 *
 * The orders are split by a stable hash of their reference: the first four
 * bytes of sha256(reference), read as an unsigned big-endian number, modulo
 * N, plus one. It depends on nothing but the reference, so every shard (and
 * the merged judge) puts an order in the same shard whatever the list's order
 * or the machine, and N shards together examine each selected order once.
 *
 * The checks that act on the target as a whole (reference data, credentials,
 * the not-found, traversal and isolation probes, the export and its rate
 * limit, the writes, fuzzing) run in one shard only, the global shard G: N
 * shards never spend N exports or terminate N orders. The others report them
 * as not run, "run by shard G of N".
 */
import { createHash } from 'node:crypto';
import type { CheckName } from '../checks/catalog.ts';
import type { RunOptions, Shard } from './options.ts';

/** The shard (1..n) an order reference falls in. */
export function shardOf(ref: string, n: number): number {
  if (n <= 1) return 1;
  return (createHash('sha256').update(ref, 'utf8').digest().readUInt32BE(0) % n) + 1;
}

/** Whether this run examines the order `ref`: every order without --shard, or in the merged judge; those of shard K otherwise. */
export function examines(shard: Shard | undefined, ref: string): boolean {
  return shard === undefined || shard.k === 'all' || shardOf(ref, shard.n) === shard.k;
}

/** Whether `ref` falls in the global shard: the orders whose documents and offering the global phases take. */
export function inGlobalShard(options: Pick<RunOptions, 'shard' | 'globalShard'>, ref: string): boolean {
  return options.shard === undefined || shardOf(ref, options.shard.n) === options.globalShard;
}

/** Whether this run makes the global phases: no --shard, shard G itself, or the merged judge. */
export function runsGlobal(options: Pick<RunOptions, 'shard' | 'globalShard'>): boolean {
  const s = options.shard;
  return s === undefined || s.k === 'all' || s.k === options.globalShard;
}

/**
 * The checks every shard judges on its own traffic: those of the list crawl
 * (every shard walks the list: it needs the references) and of the orders it
 * examines; the checks that watch every exchange (WATCHERS, context.ts) too.
 * Every other check acts on the target as a whole and runs in the global
 * shard only.
 */
export const SHARDED_CHECKS: readonly CheckName[] = ['order_list_schema', 'order_list_paging', 'order_state_enum', 'order_detail_schema', 'state_consistency', 'history_schema', 'history_vocabulary', 'history_order', 'history_timestamps', 'history_steps', 'documents_schema', 'document_download'];

/** The reason a check of the global phases gives in another shard. */
export function globalReason(options: Pick<RunOptions, 'shard' | 'globalShard'>): string {
  return `run by shard ${options.globalShard} of ${options.shard?.n ?? 1}`;
}

/** The report's and the cassette header's `shard` field. */
export function shardField(options: Pick<RunOptions, 'shard' | 'globalShard'>): { k: number | 'all'; n: number; global: number } | undefined {
  return options.shard ? { k: options.shard.k, n: options.shard.n, global: options.globalShard } : undefined;
}

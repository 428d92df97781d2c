/**
 * `conformance judge FILE`: a recorded run judged offline, with today's
 * checks and contract. The checks are still judged inside the drivers, so a
 * judge is the same run (the options and seed of the cassette's header)
 * whose harness is answered by the cassette (ReplayTransport) instead of the
 * network, on a virtual clock (its waits do not sleep). It writes the same
 * reports as a run.
 *
 * Never a silent PASS: a request the cassette does not hold, or an answer it
 * kept only in part, stops the run INCOMPLETE with CONF_ERR_CASSETTE naming
 * the first one (one is enough: the judged run has left the recorded one,
 * and nothing after it can be trusted to match).
 */
import { ConformanceError } from '../errors.ts';
import { certify, type RunHooks, type RunOutcome } from '../engine/run.ts';
import { resolveOptions, type RunOptions, type Shard } from '../engine/options.ts';
import { loadSpec } from '../contract/load.ts';
import { VirtualClock } from './clock.ts';
import { readCassette, type Cassette } from './file.ts';
import { RECORDED_OPTIONS, type ExchangeRecord } from './record.ts';
import { ReplayTransport, type Miss } from './replay.ts';

/** Stand-ins for the recorded credentials: redacted to the same variable names the recording shows, so requests match. */
const STAND_IN = { main: 'cassette-credential-main', otherUser: 'cassette-credential-other-user', otherTenant: 'cassette-credential-other-tenant' } as const;

export interface JudgeOverrides {
  reportDir?: string;
  specPath?: string;
  /** judge under another profile (what is sent does not depend on it) */
  profile?: string;
  requireComplete?: boolean;
  /** the merged judge of `conformance merge`: every shard's orders ({ k: 'all', n }), global choices as shard `globalShard`'s */
  shard?: Shard;
  globalShard?: number;
}

/** How `conformance merge` has a merged cassette judged (src/cassette/merge.ts). */
export interface JudgeMerge {
  /** who should have recorded a request the cassette does not hold */
  whose?: (m: Miss) => string;
  /** records that are expected to go unasked (the other shards' copies of the list crawl) */
  spare?: (r: ExchangeRecord) => boolean;
  /** records of this shard move the virtual clock; the others' answer at once (the merged run keeps shard G's time) */
  clockShard?: number;
}

/** The run options of a cassette: its header's, the judge's overrides, stand-in credentials, no network options. */
export function optionsOf(c: Cassette, o: JudgeOverrides = {}): RunOptions & { baseUrl: string } {
  const h = c.header;
  const raw: Record<string, unknown> = {};
  for (const k of RECORDED_OPTIONS) if (h.options?.[k] !== undefined && h.options[k] !== null) raw[k] = h.options[k];
  if (h.seed !== undefined) raw.seed = h.seed;
  // a shard's cassette is judged as that shard: its part of the orders, its global shard
  if (h.shard) raw.shard = { k: h.shard.k, n: h.shard.n };
  if (h.shard) raw.globalShard = h.shard.global;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) raw[k] = v;
  let options: RunOptions;
  try {
    options = resolveOptions(raw);
  } catch (e) {
    throw new ConformanceError('CONF_ERR_CASSETTE', `the header's options are not options of this kit: ${(e as Error).message}`);
  }
  const principals = new Set(h.principals ?? ['main']);
  let baseUrl = 'http://cassette.invalid';
  try {
    if (/^https?:$/.test(new URL(h.target).protocol)) baseUrl = h.target;
  } catch {
    // a target redacted past parsing: the origin does not matter, requests are matched by path
  }
  return {
    ...options,
    baseUrl,
    token: principals.has('main') ? STAND_IN.main : undefined,
    tokenOtherUser: principals.has('otherUser') ? STAND_IN.otherUser : undefined,
    tokenOtherTenant: principals.has('otherTenant') ? STAND_IN.otherTenant : undefined,
    record: undefined,
    proxy: undefined,
    proxyEnv: {},
    headers: {},
  };
}

/** Judges the cassette at `path` (CONF_ERR_CASSETTE for a file that is not one, or of another contract). */
export async function judgeCassette(path: string, o: JudgeOverrides = {}, hooks: Pick<RunHooks, 'log' | 'onHarness'> = {}): Promise<RunOutcome> {
  const cassette = readCassette(path);
  try {
    if (cassette.header.shard?.k === 'all') {
      // a merged cassette (`merge --merged-cassette`): judged as the merge judges it
      const { judgeMerged } = await import('./merge.ts');
      return await judgeMerged(cassette, o, hooks, path);
    }
    return await judge(cassette, o, hooks, path);
  } finally {
    cassette.close?.();
  }
}

export async function judge(cassette: Cassette, o: JudgeOverrides = {}, hooks: Pick<RunHooks, 'log' | 'onHarness'> = {}, name = 'the cassette', merge: JudgeMerge = {}): Promise<RunOutcome> {
  const spec = loadSpec(o.specPath);
  if (cassette.header.contract !== spec.hash) {
    throw new ConformanceError(
      'CONF_ERR_CASSETTE',
      `${name} was recorded against another contract (sha256 ${cassette.header.contract.slice(0, 12)}…${cassette.header.contractPath ? `, ${cassette.header.contractPath}` : ''}) than ${spec.path.split('/').pop()} (sha256 ${spec.hash.slice(0, 12)}…); judge it with --spec naming that contract`,
    );
  }
  const options = optionsOf(cassette, o);
  const clock = new VirtualClock();
  clock.advanceTo(Date.parse(cassette.header.startedAt));
  const transport = new ReplayTransport(cassette.records, clock, merge.clockShard);
  try {
    const outcome = await certify(options, cassette.header.embedded === true, {
      ...hooks,
      transport,
      sleep: async (ms) => void (await clock.sleep(ms)),
      // the run reads the time and waits through this clock, never the process's own: nothing is patched
      clock: { now: () => clock.now(), sleep: async (ms) => void (await clock.sleep(ms)) },
      onHarness: (http, progress) => {
        transport.redactor = http.redactor;
        transport.onMiss = (m) => http.stop({ code: 'CONF_ERR_CASSETTE', message: `${name} holds no usable answer to ${m.method} ${m.path} (as ${m.principal}): ${m.why}${merge.whose ? ` (${merge.whose(m)})` : ''}; the judged run left the recorded one here, so nothing after it was judged` });
        http.note(`judged offline from ${name} (recorded ${cassette.header.startedAt} against ${cassette.header.embedded ? 'the bundled reference server' : cassette.header.target}; ${cassette.records.length} exchanges)`);
        hooks.onHarness?.(http, progress);
      },
    });
    const unused = merge.spare ? transport.unusedRecords().filter((r) => !merge.spare?.(r)).length : transport.unused;
    if (unused > 0 && transport.misses.length === 0) outcome.report.problems.push(`${unused} recorded exchange(s) were not asked for by the judged run (a check selection narrower than the recording's, or a fuzz phase stopped sooner)`);
    return outcome;
  } finally {
    // nothing to restore: the clock was handed to the run, not installed
  }
}

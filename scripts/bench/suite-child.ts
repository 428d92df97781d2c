/**
 * Child: one conformance run against a running server (fuzzing, export and
 * writes off; only the main token, so the run is the list, the details,
 * histories and documents, plus the cheap probes it always makes). Records
 * every exchange's request (method, path, headers, body) as the harness's
 * listeners see it, to `recordTo` when given, so that the bare loop can replay
 * exactly the same requests.
 * With `cassette`, the run records its cassette there (--record).
 * Announces `@@RESULT {ms, requests, verdict, errors, peakRss, ...}`.
 */
import { writeFileSync } from 'node:fs';
import { type Exchange, type Harness, loadSpec, resolveOptions, runConformance, validatorsFor } from '../../src/index.ts';
import { announce, childArgs, cpuMs, ownPeakRss } from './lib.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** a page of a list walk: the first, or a later one whose URL came from the page before */
  walk?: 'first' | 'next';
}

const args = childArgs<{ baseUrl: string; token: string; maxOrders: number; concurrency: number | 'auto'; maxConcurrency?: number; recordTo?: string; seed?: number; budget?: number; phaseLog?: boolean; cassette?: string; shard?: string }>();
const recorded: RecordedRequest[] = [];
// the time the run's exchanges took, summed: over the wall time, the requests the run kept in flight as it saw them
let exchangeMs = 0;
/** the run's harness, handed over before its first request (RunHooks.onHarness): a listener for the phase log or the request list */
function listen(http: Harness): void {
  if (args.phaseLog) {
    http.onExchange((ex: Exchange) => {
      exchangeMs += ex.durationMs;
    });
  } else if (args.recordTo) {
    const origin = http.origin;
    http.onExchange((ex: Exchange) => {
      if (ex.status === undefined && ex.error?.code !== 'timeout' && ex.error?.code !== 'reset') return;
      const path = ex.url.startsWith(origin) ? ex.url.slice(origin.length) : ex.url;
      const r: RecordedRequest = { method: ex.method, path, headers: ex.requestHeaders };
      if (ex.requestBody !== undefined) r.body = ex.requestBody;
      // later pages of a walk carry the query the previous page handed out
      if (ex.operationId === 'listOrders' || ex.operationId === 'listOrderRequests') r.walk = /[?&](page|offset|cursor|after)=/.test(path) ? 'next' : 'first';
      recorded.push(r);
    });
  }
}

const options = resolveOptions({
  baseUrl: args.baseUrl,
  token: args.token,
  maxOrders: args.maxOrders,
  concurrency: args.concurrency,
  ...(args.maxConcurrency !== undefined ? { maxConcurrency: args.maxConcurrency } : {}),
  fuzzRuns: 0,
  allowWrites: false,
  allowExport: false,
  seed: args.seed ?? 1,
  budget: args.budget ?? 2_000_000,
  // --record FILE: the cassette section measures what writing it costs
  ...(args.cassette ? { record: args.cassette } : {}),
  // --shard K/N: the shards section runs N of these side by side
  ...(args.shard ? { shard: args.shard } : {}),
});
const cpu0 = process.cpuUsage();
const t0 = performance.now();
// with phaseLog: the run's phase lines, each with the time it was printed (where a latency-bound run spends its time)
const phaseLog: { atMs: number; line: string }[] = [];
const { report } = await runConformance(options, { log: args.phaseLog ? (line) => void phaseLog.push({ atMs: Math.round(performance.now() - t0), line }) : () => undefined, onHarness: listen });
const ms = performance.now() - t0;
const cpu = cpuMs(cpu0);
if (args.recordTo) writeFileSync(args.recordTo, JSON.stringify(recorded));
// the validators the run compiled (lazily, on first use): the start-up section compiles the same
const compiled = [...((validatorsFor(loadSpec()) as unknown as { byKey: Map<string, unknown> }).byKey?.keys() ?? [])];
const failed = report.results.filter((r) => r.status === 'fail').map((r) => `${r.check}: ${r.message}`.slice(0, 300));
announce('RESULT', {
  ms,
  cpuMs: cpu,
  orders: Object.values(report.observed.states).reduce((n: number, v) => n + Number(v), 0),
  // orders whose detail the run read (a shard's part of them)
  detailsExamined: report.results.find((r) => r.check === 'order_detail_schema')?.examined ?? 0,
  requests: report.summary.requests,
  recorded: recorded.length,
  verdict: report.verdict,
  errors: report.summary.errors,
  failed: failed.slice(0, 5),
  problems: report.problems.slice(0, 5),
  peakRss: ownPeakRss(),
  concurrency: report.concurrency,
  compiled,
  ...(args.phaseLog ? { phaseLog, exchangeMs } : {}),
});

/**
 * Child: the fuzz phase alone against a running server (reads only: writes
 * off, so the body properties stay skipped). The target is discovered first
 * (not timed), then `runFuzz` runs with `numRuns` cases per property; every
 * request it makes is recorded (`recordTo`) for the bare replay.
 * Announces `@@RESULT {ms, cases, requests, properties, failed}`.
 */
// the fuzz phase alone is what is timed: its parts are imported as the run calls them, not through src/index.ts (test/layers.test.ts)
import { writeFileSync } from 'node:fs';
import { CHECKS } from '../../src/checks/catalog.ts';
import { RunContext } from '../../src/engine/context.ts';
import { resolveOptions } from '../../src/engine/options.ts';
import { discover } from '../../src/fuzz/data.ts';
import { runFuzz } from '../../src/fuzz/index.ts';
import { harnessFor } from '../../src/engine/run.ts';
import type { Exchange } from '../../src/harness/http.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { announce, childArgs } from './lib.ts';
import type { RecordedRequest } from './suite-child.ts';

const args = childArgs<{ baseUrl: string; token: string; numRuns: number; recordTo: string; seed?: number }>();
const options = resolveOptions({ baseUrl: args.baseUrl, token: args.token, fuzzRuns: args.numRuns, fuzzBudgetMs: 300_000, seed: args.seed ?? 7 });
const spec = loadSpec(options.specPath);
const http = harnessFor({ ...options, baseUrl: args.baseUrl });
const ctx = new RunContext(spec, http, options, () => undefined);
for (const c of CHECKS) ctx.check(c.name);
const data = await discover(ctx);
const recorded: RecordedRequest[] = [];
http.onExchange((ex: Exchange) => {
  if (ex.status === undefined && ex.error?.code !== 'reset' && ex.error?.code !== 'protocol' && ex.error?.code !== 'timeout') return;
  const r: RecordedRequest = { method: ex.method, path: ex.url.slice(http.origin.length), headers: ex.requestHeaders };
  if (ex.requestBody !== undefined) r.body = ex.requestBody;
  recorded.push(r);
});
const t0 = performance.now();
const outcomes = await runFuzz(ctx, { data });
const ms = performance.now() - t0;
await http.close();
writeFileSync(args.recordTo, JSON.stringify(recorded));
announce('RESULT', {
  ms,
  cases: outcomes.reduce((n, o) => n + o.cases, 0),
  requests: recorded.length,
  properties: outcomes.map((o) => ({ property: o.property, cases: o.cases, failed: o.failed, interrupted: o.interrupted, ms: o.durationMs })),
  failed: outcomes.filter((o) => o.failed).map((o) => `${o.property}: ${o.failure?.message ?? ''}`.slice(0, 300)),
});

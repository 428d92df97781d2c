/**
 * Child: what recording alone costs, without the run around it. One run
 * against a running server (as suite-child.ts, nothing recorded) keeps every
 * exchange its harness emitted; then the cassette writer records them all,
 * `reps` times, into `cassette`, through the listener `--record` attaches
 * (redaction, records, JSON Lines, writes). The CPU time per pass, beside the
 * run's own, tells what recording adds with far less noise than two whole
 * runs on a shared machine.
 * Announces `@@RESULT {runMs, runCpuMs, exchanges, passes: [{ms, cpuMs}], bytes}`.
 */
import { statSync } from 'node:fs';
import { CASSETTE_VERSION, CassetteWriter, DEFAULT_BODY_CAP, type Exchange, type Harness, resolveOptions, runConformance } from '../../src/index.ts';
import { announce, childArgs, cpuMs } from './lib.ts';

const args = childArgs<{ baseUrl: string; token: string; maxOrders: number; concurrency: number; cassette: string; reps?: number }>();
const exchanges: Exchange[] = [];
let harness: Harness | undefined;
/** the run's harness, handed over before its first request: every exchange it emits is kept */
function keep(http: Harness): void {
  harness = http;
  http.onExchange((ex: Exchange) => void exchanges.push(ex));
}
const options = resolveOptions({ baseUrl: args.baseUrl, token: args.token, maxOrders: args.maxOrders, concurrency: args.concurrency, fuzzRuns: 0, allowWrites: false, allowExport: false, seed: 1, budget: 2_000_000 });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await runConformance(options, { log: () => undefined, onHarness: keep });
const runMs = performance.now() - t0;
const runCpuMs = cpuMs(cpu0);
if (!harness) throw new Error('the run made no harness');
const h = harness;
const passes: { ms: number; cpuMs: number }[] = [];
for (let i = 0; i < (args.reps ?? 5); i++) {
  // the listener the writer attaches, fed the run's exchanges in their order
  let listener: ((ex: Exchange) => void) | undefined;
  const fake = { redactor: h.redactor, onExchange: (fn: (ex: Exchange) => void) => void (listener = fn) } as unknown as Harness;
  const c = process.cpuUsage();
  const t = performance.now();
  const w = CassetteWriter.open(args.cassette, { cassette: CASSETTE_VERSION, tool: { name: 'bench', version: '0' }, contract: 'x', target: 'x', startedAt: new Date().toISOString() });
  w.attach(fake, DEFAULT_BODY_CAP);
  for (const ex of exchanges) listener!(ex);
  w.close();
  passes.push({ ms: performance.now() - t, cpuMs: cpuMs(c) });
}
announce('RESULT', { runMs, runCpuMs, exchanges: exchanges.length, passes, bytes: statSync(args.cassette).size });

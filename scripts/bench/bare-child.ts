/**
 * Child: the floor of a conformance run. Replays a recorded request list with
 * a bare undici pool at the same concurrency, reading every body and checking
 * nothing. Pages of a list walk after the first wait for the page before them
 * (a client learns their URL from it); every other request goes as soon as
 * one of the `concurrency` slots is free.
 * With `validate`, the floor of any client that judges what it reads: each
 * JSON answer is also decoded, parsed and checked against its response
 * schema in openapi.yaml (the kit's own compiled validators), and nothing else.
 * With `busyUs`, a calibration: after each answer the loop spins for that
 * many microseconds, as a client that spends that much CPU of its own on each
 * request would (what the suite section's "CPU per request" rows weigh).
 * Announces `@@RESULT {ms, requests, bytes, statuses, invalid}`.
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { loadSpec, routerOf, validatorsFor } from '../../src/index.ts';
import { announce, childArgs, cpuMs, ownPeakRss } from './lib.ts';
import type { RecordedRequest } from './suite-child.ts';

const args = childArgs<{ baseUrl: string; concurrency: number; requestsFrom: string; validate?: boolean; busyUs?: number }>();
const list = JSON.parse(readFileSync(args.requestsFrom, 'utf8')) as RecordedRequest[];
const base = new URL(args.baseUrl);
const basePath = base.pathname.replace(/\/$/, '');
const pool = new Pool(base.origin, { connections: args.concurrency, keepAliveTimeout: 10_000 });
const spec = args.validate ? loadSpec() : undefined;
const router = spec ? routerOf(spec) : undefined;
const validators = spec ? validatorsFor(spec) : undefined;
const statuses: Record<string, number> = {};
let bytes = 0;
let invalid = 0;
let next = 0;
let chain: Promise<unknown> = Promise.resolve();

/** With `validate`: the answer parsed and checked against the schema of its operation and status. */
function judge(r: RecordedRequest, status: number, contentType: unknown, body: Buffer): void {
  if (!router || !validators || typeof contentType !== 'string' || !contentType.startsWith('application/json')) return;
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    invalid++;
    return;
  }
  const route = router.match(r.method, r.path.slice(basePath.length).split('?')[0] ?? '');
  const check = route?.operation ? validators.response(route.operation.operationId, status) : undefined;
  if (check && check(value).length > 0) invalid++;
}

/** Keeps the thread busy for `us` microseconds (the calibration's stand-in for a client's own work). */
function spin(us: number): void {
  const until = performance.now() + us / 1000;
  while (performance.now() < until);
}

async function one(r: RecordedRequest): Promise<void> {
  try {
    const res = await pool.request({ path: r.path, method: r.method, headers: r.headers, body: r.body });
    const buf = Buffer.from(await res.body.arrayBuffer());
    bytes += buf.byteLength;
    statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    judge(r, res.statusCode, res.headers['content-type'], buf);
    if (args.busyUs) spin(args.busyUs);
  } catch {
    // a hostile request the server refused at the transport level: counted, as the suite counts it
    statuses.error = (statuses.error ?? 0) + 1;
  }
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(
  Array.from({ length: args.concurrency }, async () => {
    while (next < list.length) {
      const r = list[next++]!;
      if (r.walk === 'next') {
        const mine = chain.then(() => one(r));
        chain = mine;
        await mine;
      } else {
        const mine = one(r);
        if (r.walk === 'first') chain = mine;
        await mine;
      }
    }
  }),
);
const ms = performance.now() - t0;
const cpu = cpuMs(cpu0);
await pool.close();
announce('RESULT', { ms, cpuMs: cpu, requests: list.length, bytes, statuses, invalid, peakRss: ownPeakRss() });

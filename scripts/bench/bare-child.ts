/**
 * Child: the floor of a conformance run. Replays a recorded request list with
 * a bare undici pool at the same concurrency, reading every body and checking
 * nothing. Pages of a list walk after the first wait for the page before them
 * (a client learns their URL from it); every other request goes as soon as
 * one of the `concurrency` slots is free.
 * Announces `@@RESULT {ms, requests, bytes, statuses}`.
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { announce, childArgs, cpuMs, ownPeakRss } from './lib.ts';
import type { RecordedRequest } from './suite-child.ts';

const args = childArgs<{ baseUrl: string; concurrency: number; requestsFrom: string }>();
const list = JSON.parse(readFileSync(args.requestsFrom, 'utf8')) as RecordedRequest[];
const origin = new URL(args.baseUrl).origin;
const pool = new Pool(origin, { connections: args.concurrency, keepAliveTimeout: 10_000 });
const statuses: Record<string, number> = {};
let bytes = 0;
let next = 0;
let chain: Promise<unknown> = Promise.resolve();

async function one(r: RecordedRequest): Promise<void> {
  try {
    const res = await pool.request({ path: r.path, method: r.method, headers: r.headers, body: r.body });
    const buf = await res.body.arrayBuffer();
    bytes += buf.byteLength;
    statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
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
announce('RESULT', { ms, cpuMs: cpu, requests: list.length, bytes, statuses, peakRss: ownPeakRss() });

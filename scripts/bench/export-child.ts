/**
 * Child: the export cross-check, as the suite makes it. Walks the order list
 * (keeping reference → state, as the run's order facts do), starts an export,
 * polls its status, then streams the CSV download through the suite's
 * `crossCheckCsv` against the Map of listed references.
 * Optionally keeps the list (`listTo`: one `reference<TAB>state` a line) and
 * the CSV (`csvTo`, written chunk by chunk as it streams) for the
 * checker-only and parser measurements.
 * Announces `@@RESULT {orders, listMs, exportWaitMs, bytes, checkMs, mibPerS, summary, peakRss}`.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { crossCheckCsv } from '../../src/index.ts';
import { MiB, announce, childArgs, ownPeakRss } from './lib.ts';

const args = childArgs<{ baseUrl: string; token: string; pageSize: number; waitMs: number; listTo?: string; csvTo?: string }>();
const origin = new URL(args.baseUrl).origin;
const base = new URL(args.baseUrl).pathname.replace(/\/+$/, '');
const headers = { authorization: `Bearer ${args.token}`, accept: 'application/json' };
const pool = new Pool(origin, { connections: 2, bodyTimeout: 120_000, headersTimeout: 120_000 });

async function json(path: string, method = 'GET'): Promise<{ status: number; body: unknown }> {
  const res = await pool.request({ path, method, headers });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
}

// 1. the list, every page, reference → state
const t0 = performance.now();
const listed = new Map<string, string>();
const states = new Map<string, string>();
let url: string | undefined = `${base}/api/v1/order/?page_size=${args.pageSize}`;
for (let pages = 0; url && pages < 1_000_000; pages++) {
  const { status, body } = await json(url);
  if (status !== 200) throw new Error(`list page ${pages + 1}: ${status}`);
  const items = (Array.isArray(body) ? body : (body as { results: unknown[] }).results) as { order_reference: string; state: string }[];
  // states shared, as the run's order facts share the spec's strings
  for (const o of items) listed.set(o.order_reference, states.get(o.state) ?? (states.set(o.state, o.state), o.state));
  const next = Array.isArray(body) ? undefined : (body as { next?: string | null }).next;
  url = next ? (next.startsWith('http') ? new URL(next).pathname + new URL(next).search : next) : undefined;
}
const listMs = performance.now() - t0;
if (args.listTo) {
  const fd = openSync(args.listTo, 'w');
  let buf = '';
  for (const [ref, state] of listed) {
    buf += `${ref}\t${state}\n`;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
}

// 2. start the export and wait for it
const t1 = performance.now();
const started = await json(`${base}/api/v1/order/export/csv/`, 'POST');
if (started.status >= 300) throw new Error(`export start: ${started.status} ${JSON.stringify(started.body)}`);
const taskId = (started.body as { task_id: string }).task_id;
let success: unknown = null;
for (let delay = 50; performance.now() - t1 < args.waitMs; delay = Math.min(delay * 2, 1000)) {
  const st = await json(`${base}/api/v1/order/export/${taskId}/status/`);
  success = (st.body as { success?: unknown }).success;
  if (success === true || success === false) break;
  await sleep(delay);
}
if (success !== true) throw new Error(`export ${taskId} did not succeed: ${String(success)}`);
const exportWaitMs = performance.now() - t1;

// 3. the download, streamed through the cross-check
const downloadPath = `${base}/api/v1/order/export/${taskId}/download/`;
let bytes = 0;
const t2 = performance.now();
const res = await pool.request({ path: downloadPath, method: 'GET', headers: { ...headers, accept: 'text/csv' } });
if (res.statusCode !== 200) throw new Error(`export download: ${res.statusCode}`);
const csvFd = args.csvTo ? openSync(args.csvTo, 'w') : undefined;
async function* counted(): AsyncIterable<Buffer> {
  for await (const chunk of res.body) {
    bytes += (chunk as Buffer).length;
    if (csvFd !== undefined) writeSync(csvFd, chunk as Buffer);
    yield chunk as Buffer;
  }
}
const summary = await crossCheckCsv(counted(), listed);
const checkMs = performance.now() - t2;
if (csvFd !== undefined) closeSync(csvFd);
await pool.close();
announce('RESULT', {
  orders: listed.size,
  listMs,
  exportWaitMs,
  downloadPath,
  bytes,
  checkMs,
  mibPerS: bytes / MiB / (checkMs / 1000),
  summary: { rows: summary.rows, missing: summary.missing, unknown: summary.unknown.length, duplicates: summary.duplicates.length, stateMismatch: summary.stateMismatch.length, header: summary.header.length },
  peakRss: ownPeakRss(),
});

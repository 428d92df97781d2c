/**
 * Reference server throughput: requests per second for the order detail, the
 * order list (first page, default size of 100) and a one-order page
 * (`?page_size=1`, the size of Prism's one-item example), with autocannon and
 * the same connections, against
 *   - the reference server (mock/, in a child process),
 *   - a bare Fastify route answering a constant JSON body of the same bytes,
 *   - Prism's mock of the same openapi.yaml (`prism mock`, static examples,
 *     warnings-only logging).
 * Targets are interleaved within each repetition; medians are reported.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { ROOT, MiB, freePort, median, startChild } from '../lib.ts';
import { mockOrdersFor, startMockChild } from './suite.ts';
import type { Log, Row, Section } from './types.ts';

const require = createRequire(import.meta.url);

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  throughput: { average: number };
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = require('autocannon') as Autocannon;

async function fetchBody(url: string, token: string): Promise<string> {
  const res = await request(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  return text;
}

async function waitForHttp(url: string, token: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await request(url, { headers: { authorization: `Bearer ${token}` }, headersTimeout: 2000, bodyTimeout: 2000 });
      await res.body.dump();
      if (res.statusCode < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export async function benchServer({ reps, durationS, connections, log }: { reps: number; durationS: number; connections: number; log: Log }): Promise<Section> {
  const details: Record<string, unknown> = { connections, durationS, reps };
  const mock = await startMockChild(mockOrdersFor(10_000));
  const token = mock.message.tokens.customerA_user1!;
  const children: { stop(): Promise<void> }[] = [mock];
  try {
    const list = await fetchBody(`${mock.message.baseUrl}/api/v1/order/`, token);
    const ref = (JSON.parse(list) as { results: { order_reference: string }[] }).results[0]!.order_reference;
    const detailPath = `/api/v1/order/${encodeURIComponent(ref)}/`;
    const detail = await fetchBody(`${mock.message.baseUrl}${detailPath}`, token);
    const list1 = await fetchBody(`${mock.message.baseUrl}/api/v1/order/?page_size=1`, token);
    details.bodyBytes = { detail: Buffer.byteLength(detail), list: Buffer.byteLength(list), list1: Buffer.byteLength(list1) };

    const bare = await startChild<{ baseUrl: string }>('serve-bare.ts', { routes: { '/detail': detail, '/list': list, '/list1': list1 } });
    children.push(bare);

    // Prism, if it starts (it needs no network for a local file)
    let prism: { baseUrl: string } | undefined;
    let prismWhy: string | undefined;
    try {
      const port = await freePort();
      const cli = resolve(ROOT, 'node_modules/@stoplight/prism-cli/dist/index.js');
      const p = await startChild<undefined>(
        'prism',
        {},
        {
          cmd: [process.execPath, cli, 'mock', resolve(ROOT, 'openapi.yaml'), '-h', '127.0.0.1', '-p', String(port), '-v', 'warn'],
          immediate: true,
        },
      );
      children.push(p);
      prism = { baseUrl: `http://127.0.0.1:${port}` };
      await waitForHttp(`${prism.baseUrl}/api/v1/terminate_reason/`, token, 60_000);
      const pd = await fetchBody(`${prism.baseUrl}${detailPath}`, token);
      const pl = await fetchBody(`${prism.baseUrl}/api/v1/order/?page_size=1`, token);
      details.prismBodyBytes = { detail: Buffer.byteLength(pd), list1: Buffer.byteLength(pl) };
    } catch (err) {
      prism = undefined;
      prismWhy = (err as Error).message.split('\n')[0];
      log(`server: Prism not measured: ${prismWhy}`);
    }

    type Route = 'detail' | 'list' | 'list1';
    const ROUTES: Route[] = ['detail', 'list', 'list1'];
    const targets: { name: string; base: string; paths: Partial<Record<Route, string>> }[] = [
      { name: 'reference server', base: mock.message.baseUrl, paths: { detail: detailPath, list: '/api/v1/order/', list1: '/api/v1/order/?page_size=1' } },
      { name: 'bare Fastify', base: bare.message.baseUrl, paths: { detail: '/detail', list: '/list', list1: '/list1' } },
    ];
    // Prism answers its one-item example for any page: it is compared on the detail and the one-order page
    if (prism) targets.push({ name: 'Prism', base: prism.baseUrl, paths: { detail: detailPath, list1: '/api/v1/order/?page_size=1' } });
    const rps: Record<string, Partial<Record<Route, number[]>>> = {};
    const raw: Record<string, unknown>[] = [];
    const headers = { authorization: `Bearer ${token}` };
    // warm-up: every target and route for a while (JIT), not counted
    for (const t of targets) {
      for (const route of ROUTES) {
        const path = t.paths[route];
        if (path) await autocannon({ url: t.base + path, connections, duration: 2, headers });
      }
    }
    for (let i = 0; i < reps; i++) {
      for (const route of ROUTES) {
        for (const t of targets) {
          const path = t.paths[route];
          if (!path) continue;
          const r = await autocannon({ url: t.base + path, connections, duration: durationS, headers });
          const bad = r.errors + r.timeouts + r.non2xx;
          if (bad > 0) log(`server: ${t.name} ${route}: ${bad} errors/timeouts/non-2xx of ${r.requests.total}`);
          ((rps[t.name] ??= {})[route] ??= []).push(r.requests.average);
          raw.push({ target: t.name, route, rep: i + 1, rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx, mibPerS: r.throughput.average / MiB });
          log(`server: ${t.name} ${route} #${i + 1}: ${Math.round(r.requests.average)} req/s`);
        }
      }
    }
    details.runs = raw;
    const m = (name: string, route: Route): number => median(rps[name]?.[route] ?? []);
    const label: Record<Route, string> = { detail: 'order detail', list: 'order list (100)', list1: 'order list (1)' };
    const rows: Row[] = [];
    for (const route of ROUTES) {
      const ref = m('reference server', route);
      const fast = m('bare Fastify', route);
      rows.push(
        { figure: `server ${label[route]}: reference server`, value: ref, unit: 'req/s' },
        { figure: `server ${label[route]}: bare Fastify, same bytes`, value: fast, unit: 'req/s' },
        { figure: `server ${label[route]}: reference / bare Fastify`, value: ref / fast, unit: '×', target: '≥ 0.6×', met: ref / fast >= 0.6 },
      );
      if (route === 'list') continue;
      if (prism) {
        const pr = m('Prism', route);
        rows.push({ figure: `server ${label[route]}: Prism mock`, value: pr, unit: 'req/s' }, { figure: `server ${label[route]}: reference / Prism`, value: ref / pr, unit: '×', target: '≥ 5×', met: ref / pr >= 5 });
      } else {
        rows.push({ figure: `server ${label[route]}: reference / Prism`, value: undefined, unit: '×', target: '≥ 5×', note: `not measured: ${prismWhy}` });
      }
    }
    details.serverPeakMiB = (mock.peakRss() ?? NaN) / MiB;
    return { name: 'server', rows, details };
  } finally {
    for (const c of children.reverse()) await c.stop();
  }
}

/**
 * Shards (issue 17): a latency-bound target (the reference server behind a
 * proxy adding 50 ms to every answer) with 20,000 orders, all examined
 * (`--max-orders all`). One run against it, then 4 shards (`--shard K/4`) as
 * 4 processes side by side, each recording its cassette, then
 * `conformance merge` of the 4 cassettes. Figures: the 4 shards' wall time
 * (the slowest shard) over the single run's (target ≤ 0.3×), each shard's
 * peak memory (target ≤ 256 MB), and what the merge costs. Every order is
 * examined exactly once across the shards: the details the shards read add up
 * to the single run's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild, startChild, ROOT } from '../lib.ts';
import { mockOrdersFor, startMockChild } from './suite.ts';
import type { Log, Row, Section } from './types.ts';
import { spawn } from 'node:child_process';

interface SuiteRun {
  ms: number;
  cpuMs: number;
  requests: number;
  verdict: string;
  failed: string[];
  problems: string[];
  peakRss: number;
  detailsExamined: number;
}

const MB = 1024 * 1024;

/** `conformance merge FILES... --report-dir DIR` as a user runs it; its wall time, exit code and the verdict line */
function merge(files: string[], reportDir: string): Promise<{ ms: number; code: number | null; out: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'merge', ...files, '--report-dir', reportDir, '--quiet'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => void (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => void (out += b.toString()));
    child.on('close', (code) => resolve({ ms: performance.now() - t0, code, out: out.slice(-2000) }));
  });
}

export async function benchShards({ orders, delayMs, concurrency, shards, log }: { orders: number; delayMs: number; concurrency: number; shards: number; log: Log }): Promise<Section> {
  const mock = await startMockChild(mockOrdersFor(orders));
  const proxy = await startChild<{ baseUrl: string }>('serve-delay.ts', { upstream: mock.message.baseUrl, delayMs }, { timeoutMs: 60_000 });
  const work = mkdtempSync(join(tmpdir(), 'bench-shards-'));
  const base = { baseUrl: proxy.message.baseUrl, token: mock.message.tokens.customerA_user1, maxOrders: 0, concurrency, seed: 17 };
  // a shard of 20,000 orders runs for minutes: the children's own limit is well above it
  const limitMs = 3 * 3_600_000;
  try {
    const single = await runChild<SuiteRun>('suite-child.ts', base, limitMs);
    log(`shards: one run, ${(single.ms / 1000).toFixed(1)} s, ${single.requests} requests, ${single.detailsExamined} details, verdict ${single.verdict}, peak ${(single.peakRss / MB).toFixed(0)} MiB`);
    const t0 = performance.now();
    const cassettes = Array.from({ length: shards }, (_, i) => join(work, `shard-${i + 1}.jsonl`));
    const parts = await Promise.all(cassettes.map((cassette, i) => runChild<SuiteRun>('suite-child.ts', { ...base, shard: `${i + 1}/${shards}`, cassette }, limitMs)));
    const shardedMs = performance.now() - t0;
    for (const [i, p] of parts.entries()) log(`shards: shard ${i + 1}/${shards}, ${(p.ms / 1000).toFixed(1)} s, ${p.requests} requests, ${p.detailsExamined} details, verdict ${p.verdict}, peak ${(p.peakRss / MB).toFixed(0)} MiB${p.failed.length ? `; failed: ${p.failed.join(' | ')}` : ''}`);
    const merged = await merge(cassettes, join(work, 'merged'));
    log(`shards: merge of ${shards} cassettes, ${(merged.ms / 1000).toFixed(1)} s, exit ${merged.code}: ${merged.out.trim().split('\n').pop() ?? ''}`);
    const ratio = shardedMs / single.ms;
    const peak = Math.max(...parts.map((p) => p.peakRss));
    const details = parts.reduce((n, p) => n + p.detailsExamined, 0);
    const label = `${orders.toLocaleString('en-US')} orders, +${delayMs} ms, concurrency ${concurrency}`;
    const rows: Row[] = [
      { figure: `shards ${label}: one run, wall time`, value: single.ms / 1000, unit: 's' },
      { figure: `shards ${label}: ${shards} shards side by side, wall time (the slowest)`, value: shardedMs / 1000, unit: 's' },
      { figure: `shards ${label}: ${shards} shards / one run`, value: ratio, unit: '×', target: '≤ 0.3×', met: ratio <= 0.3 },
      { figure: `shards ${label}: peak memory of a shard`, value: peak / MB, unit: 'MiB', target: '≤ 256 MB', met: peak <= 256 * 1000 * 1000 },
      { figure: `shards ${label}: details read by the shards / by one run (each order once)`, value: details / Math.max(1, single.detailsExamined), unit: '×', target: '= 1', met: details === single.detailsExamined },
      { figure: `shards ${label}: merge of the ${shards} cassettes (offline), wall time, exit ${merged.code}`, value: merged.ms / 1000, unit: 's' },
    ];
    return { name: 'shards', rows, details: { orders, delayMs, concurrency, shards, single, parts, shardedMs, merged } };
  } finally {
    rmSync(work, { recursive: true, force: true });
    await proxy.stop();
    await mock.stop();
  }
}

/**
 * Export: a CSV export of `orders` orders (1,000,000 by default), streamed
 * from the reference server and cross-checked against the order list by the
 * suite's `crossCheckCsv`, as the export phase does it. Measured:
 *   - end to end (server → checker over HTTP): MiB/s, and the peak memory of
 *     both processes (each in a process of its own, /proc VmHWM and
 *     `process.resourceUsage().maxRSS`);
 *   - the checker alone, on the same bytes read from disk against the Map of
 *     the same listed orders: MiB/s and peak memory (the median of `reps`);
 *   - CSV parsers alone on the same file, interleaved: the suite's parser,
 *     csv-parse (what the suite used before), papaparse and csv-parser.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { MiB, median, runChild } from '../lib.ts';
import { mockOrdersFor, startMockChild } from './suite.ts';
import type { Log, Row, Section } from './types.ts';

interface ExportResult {
  orders: number;
  listMs: number;
  exportWaitMs: number;
  bytes: number;
  checkMs: number;
  mibPerS: number;
  summary: { rows: number; missing: number; unknown: number; duplicates: number; stateMismatch: number; header: number };
  peakRss: number;
}

interface ParseResult {
  parser: string;
  rows: number;
  fields: number;
  bytes: number;
  ms: number;
  mibPerS: number;
  peakRss: number;
  check?: { listed: number; rows: number; missing: number; unknown: number; duplicates: number; stateMismatch: number };
}

export const PARSERS = ['suite', 'csv-parse', 'papaparse', 'csv-parser'] as const;

export async function benchExport({ orders, reps, work, log }: { orders: number; reps: number; work: string; log: Log }): Promise<Section> {
  const csvFile = join(work, 'export.csv');
  const listFile = join(work, 'list.tsv');
  const mock = await startMockChild(mockOrdersFor(orders), { exportMs: 0, exportWindowS: 0 });
  let e2e: ExportResult;
  let serverPeak: number | undefined;
  const serverAtRest = mock.peakRss();
  try {
    e2e = await runChild<ExportResult>('export-child.ts', { baseUrl: mock.message.baseUrl, token: mock.message.tokens.customerA_user1, pageSize: 1000, waitMs: 60_000, listTo: listFile, csvTo: csvFile }, 1_200_000);
    serverPeak = mock.peakRss();
  } finally {
    await mock.stop();
  }
  const ok = e2e.summary.rows === e2e.orders && e2e.summary.missing === 0 && e2e.summary.unknown === 0 && e2e.summary.duplicates === 0 && e2e.summary.stateMismatch === 0;
  log(
    `export: ${e2e.orders} orders listed in ${(e2e.listMs / 1000).toFixed(1)} s; ${(e2e.bytes / MiB).toFixed(0)} MiB streamed and cross-checked in ${(e2e.checkMs / 1000).toFixed(1)} s (${e2e.mibPerS.toFixed(1)} MiB/s), checker peak ${(e2e.peakRss / MiB).toFixed(0)} MiB, server peak ${((serverPeak ?? NaN) / MiB).toFixed(0)} MiB; ${ok ? 'rows agree with the list' : `DISAGREE: ${JSON.stringify(e2e.summary)}`}`,
  );

  // the checker alone, and the parsers, on the same bytes
  const fileBytes = statSync(csvFile).size;
  const checks: ParseResult[] = [];
  const parsed: Record<string, ParseResult[]> = {};
  for (let i = 0; i < reps; i++) {
    const c = await runChild<ParseResult>('parse-child.ts', { file: csvFile, parser: 'crosscheck', listFile });
    checks.push(c);
    log(`export: cross-check from disk #${i + 1}: ${c.mibPerS.toFixed(1)} MiB/s, peak ${(c.peakRss / MiB).toFixed(0)} MiB`);
  }
  const parserReps = Math.max(1, Math.min(reps, 2));
  for (let i = 0; i < parserReps; i++) {
    for (const p of PARSERS) {
      const r = await runChild<ParseResult>('parse-child.ts', { file: csvFile, parser: p });
      (parsed[p] ??= []).push(r);
      log(`export: parser ${p} #${i + 1}: ${r.mibPerS.toFixed(1)} MiB/s (${r.rows} rows)`);
    }
  }
  const label = `${e2e.orders / 1e6 >= 1 ? `${(e2e.orders / 1e6).toFixed(e2e.orders % 1e6 ? 1 : 0)}M` : e2e.orders.toLocaleString('en-US')} orders`;
  const checkRate = median(checks.map((c) => c.mibPerS));
  const checkPeak = median(checks.map((c) => c.peakRss));
  const rate = (p: string): number => median((parsed[p] ?? []).map((r) => r.mibPerS));
  const rows: Row[] = [
    { figure: `export ${label}: end to end, bounded by the server generating each row`, value: e2e.mibPerS, unit: 'MiB/s' },
    { figure: `export ${label}: checker peak memory (list crawl + cross-check)`, value: e2e.peakRss / MiB, unit: 'MiB', target: '≤ 256 MB', met: e2e.peakRss <= 256 * 1e6 },
    { figure: `export ${label}: server peak memory`, value: (serverPeak ?? NaN) / MiB, unit: 'MiB' },
    { figure: `export ${label}: cross-check alone (same ${(fileBytes / MiB).toFixed(0)} MiB from disk, Map of the list)`, value: checkRate, unit: 'MiB/s', target: '≥ 50 MiB/s', met: checkRate >= 50 },
    { figure: `export ${label}: cross-check alone, peak memory`, value: checkPeak / MiB, unit: 'MiB', target: '≤ 256 MB', met: checkPeak <= 256 * 1e6 },
  ];
  for (const p of PARSERS) rows.push({ figure: `CSV parser ${p === 'suite' ? 'of the suite (src/engine/csv.ts)' : p}: parse only`, value: rate(p), unit: 'MiB/s' });
  rows.push({ figure: 'CSV parser of the suite / csv-parse', value: rate('suite') / rate('csv-parse'), unit: '×' });
  return {
    name: 'export',
    rows,
    details: { orders, mockOrders: mockOrdersFor(orders), fileBytes, endToEnd: e2e, rowsAgree: ok, serverPeakMiB: (serverPeak ?? NaN) / MiB, serverAtRestMiB: (serverAtRest ?? NaN) / MiB, checks, parsers: parsed },
  };
}

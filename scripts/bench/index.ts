/**
 * `npm run bench`: how much a conformance run costs beyond its requests, how
 * fast the reference server and the export cross-check are, and how long
 * start-up and fuzzing take. Every figure is a ratio or a rate measured side
 * by side in this run, on this machine, as the median of several repetitions.
 * Prints a table and writes `reports/bench.json`.
 *
 *   npm run bench                       all sections (about 25 minutes on 2 cores; shards alone about 10)
 *   npm run bench -- --only suite,server  some sections: startup, suite, memory, server, export, fuzz, judging, latency, auto, cassette, proxy, shards
 *   npm run bench -- --quick            fewer repetitions and smaller sizes (a smoke run)
 *
 * Servers listen on 127.0.0.1 in child processes of their own; every child is
 * killed on exit. Benchmarks print figures; nothing here is a timed test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT, killAll } from './lib.ts';
import { benchAuto } from './sections/auto.ts';
import { benchCassette } from './sections/cassette.ts';
import { benchExport } from './sections/export.ts';
import { benchFuzz } from './sections/fuzz.ts';
import { benchJudging } from './sections/judging.ts';
import { benchLatency } from './sections/latency.ts';
import { benchProxy } from './sections/proxy.ts';
import { benchMemory, benchSuite } from './sections/suite.ts';
import { benchServer } from './sections/server.ts';
import { benchShards } from './sections/shards.ts';
import { benchStartup } from './sections/startup.ts';
import type { Row, Section } from './sections/types.ts';

const SECTIONS = ['startup', 'suite', 'memory', 'server', 'export', 'fuzz', 'judging', 'latency', 'auto', 'cassette', 'proxy', 'shards'] as const;
type SectionName = (typeof SECTIONS)[number];

function parseArgs(argv: string[]): { only: Set<SectionName>; quick: boolean } {
  let only = new Set<SectionName>(SECTIONS);
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? '');
      const names = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const n of names) if (!(SECTIONS as readonly string[]).includes(n)) throw new Error(`--only: unknown section ${n} (${SECTIONS.join(', ')})`);
      only = new Set(names as SectionName[]);
    } else if (a === '--help' || a === '-h') {
      console.log(`usage: npm run bench -- [--quick] [--only ${SECTIONS.join(',')}]`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return { only, quick };
}

function fmt(v: number | undefined, digits = 2): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(digits);
}

function table(rows: Row[]): string {
  const head = ['figure', 'value', 'target', 'met'];
  const body = rows.map((r) => [r.figure, r.value === undefined ? (r.note ?? 'not measured') : `${fmt(r.value)} ${r.unit}`.trim(), r.target ?? '', r.met === undefined ? '' : r.met ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { only, quick } = parseArgs(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), 'conformance-bench-'));
  const started = Date.now();
  // other work on the machine shows in the figures: the load average is kept with them
  const loadBefore = loadavg().map((l) => Math.round(l * 100) / 100);
  const sections: Section[] = [];
  const log = (line: string): void => {
    process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  };
  const runners: Record<SectionName, () => Promise<Section>> = {
    startup: () => benchStartup({ reps: quick ? 3 : 7, log }),
    suite: () =>
      benchSuite({
        sizes: quick
          ? [
              { n: 200, reps: 2 },
              { n: 1000, reps: 1 },
            ]
          : [
              { n: 200, reps: 5 },
              { n: 10_000, reps: 5 },
            ],
        concurrency: 8,
        work,
        log,
      }),
    memory: () => benchMemory({ n: quick ? 5000 : 100_000, concurrency: 8, log }),
    server: () => benchServer({ reps: quick ? 1 : 3, durationS: quick ? 2 : 4, connections: 10, log }),
    export: () => benchExport({ orders: quick ? 50_000 : 1_000_000, reps: quick ? 1 : 3, work, log }),
    fuzz: () => benchFuzz({ reps: quick ? 1 : 3, numRuns: quick ? 10 : 25, work, log }),
    proxy: () => benchProxy({ orders: quick ? 100_000 : 1_000_000, requests: quick ? 200 : 500, rounds: quick ? 3 : 7, log }),
    judging: () => benchJudging({ sizes: quick ? [1000, 10_000] : [1000, 10_000, 50_000], reps: quick ? 1 : 5, log }),
    // a distant staging: every answer 50 ms late, every one of 1,000 orders examined
    latency: () => benchLatency({ orders: 1000, delayMs: 50, concurrency: 8, reps: quick ? 1 : 3, log }),
    // a latency-bound target of 20,000 orders: about 8 minutes for the single run, 2 to 3 for the shards
    shards: () => benchShards({ orders: quick ? 2000 : 20_000, delayMs: 50, concurrency: 8, shards: 4, log }),
    // --concurrency auto against a target that answers 429 above 16 in flight, beside fixed concurrencies (about 30 s a run at 16)
    auto: () => benchAuto({ orders: quick ? 200 : 1000, delayMs: 50, busyAbove: 16, fixed: [4, 8, 16, 24, 32], reps: quick ? 1 : 2, log }),
    cassette: () => benchCassette({ n: quick ? 1000 : 3000, reps: quick ? 2 : 9, concurrency: 8, work, log }),
  };
  try {
    for (const name of SECTIONS) {
      if (!only.has(name)) continue;
      log(`${name}…`);
      const t0 = Date.now();
      try {
        const s = await runners[name]();
        s.seconds = (Date.now() - t0) / 1000;
        sections.push(s);
      } catch (err) {
        log(`${name} failed: ${(err as Error).stack ?? String(err)}`);
        sections.push({ name, seconds: (Date.now() - t0) / 1000, rows: [{ figure: `${name}`, value: undefined, unit: '', note: `failed: ${(err as Error).message.split('\n')[0]}` }], details: { error: String((err as Error).stack ?? err) } });
      }
      killAll();
    }
  } finally {
    killAll();
    rmSync(work, { recursive: true, force: true });
  }
  const rows = sections.flatMap((s) => s.rows);
  const args = [...(quick ? ['--quick'] : []), ...(only.size < SECTIONS.length ? ['--only', [...only].join(',')] : [])];
  const command = `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? '', memoryGiB: Math.round(totalmem() / 1024 ** 3), platform: `${process.platform} ${process.arch}`, loadBefore, loadAfter: loadavg().map((l) => Math.round(l * 100) / 100) };
  const out = resolve(ROOT, 'reports');
  if (!existsSync(out)) mkdirSync(out, { recursive: true });
  const report = { command, commit: gitCommit(), date: new Date().toISOString(), seconds: (Date.now() - started) / 1000, machine, quick, rows, sections };
  writeFileSync(resolve(out, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${command}  (${machine.node}, ${machine.cpus} cores, ${machine.cpu}; ${Math.round(report.seconds)} s; load average ${loadBefore[0]} before, ${machine.loadAfter[0]} after)\n`);
  console.log(table(rows));
  console.log(`\nwritten: reports/bench.json`);
}

main().catch((err) => {
  killAll();
  console.error(err);
  process.exit(1);
});

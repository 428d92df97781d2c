/**
 * npm run sweep -- [options] — a developer's random sweep of the kit against
 * the reference server (mock/): random compatible provider variants
 * (mock/variants.ts), seeds, sizes, timings and profiles, optionally a clock
 * skew and a colleague acting during the run (test/support/colleague.ts);
 * each run's report is judged as the variant tests judge theirs
 * (test/run/honest.ts). Finds the false verdicts no fixed test has met yet;
 * a finding's parameters replay with --repro. Not part of `npm test`.
 *
 *   --runs N        random runs (default 20); with --repro, how many times to replay
 *   --out FILE      appends one JSON line per run (params, honest, problems, …)
 *   --background    a colleague (customer A's second user) creates, terminates,
 *                   cancels and changes orders during each run, every 20-500 ms
 *   --skew          the server's clock skewed (up to days), faster lifecycle steps,
 *                   a 60 or 300 s export window
 *   --profile P     documented, strict, or random (default: 1 run in 5 strict)
 *   --seed S        seeds the parameter draws (default: random; printed)
 *   --repro JSON    replays one run's params (a JSON object, or a whole --out line)
 *
 * Exit 0: every run honest; 1: some run was not; 2: bad options.
 */
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startMock } from '../mock/index.ts';
import { rngFrom, type Rng } from '../mock/random.ts';
import { behaviourOf, VARIANT_NAMES } from '../mock/variants.ts';
import { certify, resolveOptions, type Report } from '../src/index.ts';
import { runOptions } from '../test/faults/target.ts';
import { honestProblems } from '../test/run/honest.ts';
import { startColleague, type Colleague } from '../test/support/colleague.ts';

export interface Params {
  variants: string[];
  mockSeed: number;
  orders: number;
  stepMs: number;
  exportMs: number;
  kitSeed: number;
  maxOrders: number;
  fuzzRuns: number;
  concurrency: number;
  profile: 'documented' | 'strict';
  /** the server's clock: Date.now() plus this (ms) */
  skewMs?: number;
  exportWindowS?: number;
  /** a colleague acting during the run: its pause between actions (ms) and its seed */
  background?: { intervalMs: [number, number]; seed: number };
}

export interface RunResult {
  honest: boolean;
  problems: string[];
  durationMs: number;
  verdict: string;
  summary: unknown;
  colleague?: { done: Colleague['done']; refused: Colleague['refused']; log: string[] };
}

class UsageError extends Error {}

const USAGE = 'usage: npm run sweep -- [--runs N] [--out FILE] [--background] [--skew] [--profile documented|strict|random] [--seed S] [--repro JSON]';

function randomParams(rng: Rng, o: { background: boolean; skew: boolean; profile: 'documented' | 'strict' | 'random' }): Params {
  const int = (a: number, b: number): number => a + Math.floor(rng() * (b - a + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  // up to four variants the reference server can combine (two that choose the same switch cannot)
  let variants: string[] = [];
  for (let tries = 0; tries < 20; tries++) {
    const k = int(0, 4);
    const drawn = [...VARIANT_NAMES].sort(() => rng() - 0.5).slice(0, k);
    try {
      behaviourOf(drawn);
      variants = drawn;
      break;
    } catch {
      // incompatible: draw again
    }
  }
  return {
    variants,
    mockSeed: int(1, 100_000),
    orders: int(20, 300),
    stepMs: pick(o.skew ? [5, 10, 20, 40, 60, 100] : [20, 40, 40, 60, 100, 150]),
    exportMs: pick([0, 40, 80, 80, 200, 300]),
    kitSeed: int(1, 100_000),
    maxOrders: int(5, 50),
    fuzzRuns: int(5, 10),
    concurrency: pick([1, 2, 4, 8, 8, 8]),
    profile: o.profile === 'random' ? (rng() < 0.2 ? 'strict' : 'documented') : o.profile,
    ...(o.skew ? { skewMs: pick([0, 0, 30_000, -30_000, 600_000, -600_000, 7_200_000, -7_200_000, 86_400_000 * 3]), exportWindowS: pick([60, 300]) } : { exportWindowS: 60 }),
    ...(o.background
      ? {
          background: {
            intervalMs: pick<[number, number]>([
              [20, 50],
              [50, 100],
              [100, 200],
              [200, 500],
            ]),
            seed: int(1, 100_000),
          },
        }
      : {}),
  };
}

/** One run of the kit on a fresh reference server with these parameters, judged. */
export async function runOne(p: Params): Promise<RunResult> {
  const t0 = Date.now();
  const mock = await startMock({ variants: p.variants, seed: p.mockSeed, orders: p.orders, exportWindowS: p.exportWindowS ?? 60, stepMs: p.stepMs, exportMs: p.exportMs, ...(p.skewMs ? { now: () => Date.now() + p.skewMs! } : {}) });
  try {
    const tokenAuth = p.variants.includes('token-auth');
    const options = resolveOptions(runOptions(mock.baseUrl, { seed: p.kitSeed, fuzzRuns: p.fuzzRuns, maxOrders: p.maxOrders, waitMs: 5_000, concurrency: p.concurrency, profile: p.profile, ...(tokenAuth ? { authScheme: 'Token' } : {}) }));
    const colleague = p.background ? startColleague({ baseUrl: mock.baseUrl, intervalMs: p.background.intervalMs, seed: p.background.seed, ...(tokenAuth ? { authScheme: 'Token' } : {}) }) : undefined;
    let report: Report;
    try {
      ({ report } = await certify({ ...options, baseUrl: mock.baseUrl }, false));
    } finally {
      await colleague?.stop();
    }
    const problems = honestProblems(report, { variants: p.variants, profile: p.profile, writes: true, live: colleague !== undefined });
    return {
      honest: problems.length === 0,
      problems,
      durationMs: Date.now() - t0,
      verdict: report.verdictLabel,
      summary: report.summary,
      ...(colleague ? { colleague: { done: colleague.done, refused: colleague.refused, log: colleague.log.slice(0, 200) } } : {}),
    };
  } finally {
    await mock.close();
  }
}

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^[1-9][0-9]*$/.test(v)) throw new UsageError(`--${name} wants a positive integer, not ${JSON.stringify(v)}`);
  return Number(v);
}

/** The params of --repro: a Params object, or a line of --out (its `params`), checked. */
function reproParams(text: string): Params {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--repro wants JSON: ${(err as Error).message}`);
  }
  const p = (v && typeof v === 'object' && 'params' in v ? (v as { params: unknown }).params : v) as Partial<Params> | null;
  if (!p || typeof p !== 'object') throw new UsageError('--repro wants a JSON object (the params of a run, or a line of --out)');
  const missing = (['mockSeed', 'orders', 'stepMs', 'exportMs', 'kitSeed', 'maxOrders', 'fuzzRuns', 'concurrency'] as const).filter((k) => typeof p[k] !== 'number');
  if (missing.length > 0) throw new UsageError(`--repro: missing or not a number: ${missing.join(', ')}`);
  if (!Array.isArray(p.variants) || p.variants.some((x) => typeof x !== 'string')) throw new UsageError('--repro: variants must be a list of variant names');
  try {
    behaviourOf(p.variants);
  } catch (err) {
    throw new UsageError(`--repro: ${(err as Error).message}`);
  }
  if (p.profile !== 'documented' && p.profile !== 'strict') throw new UsageError('--repro: profile must be documented or strict');
  const bg = p.background;
  if (bg !== undefined && !(Array.isArray(bg.intervalMs) && bg.intervalMs.length === 2 && bg.intervalMs.every((x) => typeof x === 'number' && x >= 0) && typeof bg.seed === 'number')) {
    throw new UsageError('--repro: background must be { "intervalMs": [min, max], "seed": n }');
  }
  return p as Params;
}

interface Cli {
  runs: number;
  out: string | undefined;
  repro: Params | undefined;
  seed: number;
  draw: { background: boolean; skew: boolean; profile: 'documented' | 'strict' | 'random' };
}

function parseCli(argv: string[]): Cli {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        runs: { type: 'string' },
        out: { type: 'string' },
        background: { type: 'boolean' },
        skew: { type: 'boolean' },
        profile: { type: 'string' },
        seed: { type: 'string' },
        repro: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const profile = (values.profile as string | undefined) ?? 'random';
  if (profile !== 'documented' && profile !== 'strict' && profile !== 'random') throw new UsageError(`--profile wants documented, strict or random, not ${JSON.stringify(profile)}`);
  const repro = values.repro === undefined ? undefined : reproParams(values.repro as string);
  if (repro && (values.background || values.skew || values.profile !== undefined || values.seed !== undefined)) throw new UsageError('--repro replays its params as they are: --background, --skew, --profile and --seed do not apply');
  if (values.out === '') throw new UsageError('--out wants a file name');
  return {
    runs: positiveInt('runs', values.runs as string | undefined, repro ? 1 : 20),
    out: values.out as string | undefined,
    repro,
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : positiveInt('seed', values.seed as string, 1),
    draw: { background: Boolean(values.background), skew: Boolean(values.skew), profile },
  };
}

async function main(): Promise<number> {
  let cli: Cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`sweep: ${err.message}\n${USAGE}`);
    return 2;
  }
  const rng = rngFrom(cli.seed);
  if (!cli.repro) console.log(`sweep: ${cli.runs} run(s), --seed ${cli.seed}${cli.draw.background ? ', --background' : ''}${cli.draw.skew ? ', --skew' : ''}, profile ${cli.draw.profile}`);
  const bad: { i: number; params: Params; problems: string[] }[] = [];
  for (let i = 0; i < cli.runs; i++) {
    const params = cli.repro ?? randomParams(rng, cli.draw);
    let line: { i: number; params: Params } & Partial<RunResult> & { honest: boolean; problems: string[] };
    try {
      line = { i, params, ...(await runOne(params)) };
    } catch (err) {
      line = { i, params, honest: false, problems: [`THROWN ${(err as Error).stack}`] };
    }
    if (cli.out) appendFileSync(cli.out, `${JSON.stringify(line)}\n`);
    const acted = line.colleague
      ? ` colleague ${Object.entries(line.colleague.done)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}`
      : '';
    console.log(`${i} ${line.honest ? 'ok ' : 'BAD'} ${line.durationMs ?? '-'}ms ${line.verdict ?? ''}${acted} ${JSON.stringify(params)}${line.honest ? '' : `\n   ${line.problems.join('\n   ').slice(0, 2000)}`}`);
    if (!line.honest) bad.push({ i, params, problems: line.problems });
  }
  console.log(`\nsweep: ${cli.runs} run(s), ${cli.runs - bad.length} honest, ${bad.length} not${cli.repro ? '' : ` (--seed ${cli.seed})`}${cli.out ? `; lines in ${cli.out}` : ''}`);
  for (const b of bad) console.log(`  run ${b.i}: ${b.problems.map((p) => p.split(' ').slice(0, 2).join(' ').replace(/:$/, '')).join('; ')}\n    --repro '${JSON.stringify(b.params)}'`);
  return bad.length === 0 ? 0 : 1;
}

process.exitCode = await main();

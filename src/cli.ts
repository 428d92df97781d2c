/**
 * `conformance` — the thin command-line shell over the library
 * (shared/design/ARCHITECTURE.md, "The command-line contract"). Help text
 * lives here, once. Exit status: 0 PASS, 1 FAIL (or a diff regression),
 * 2 the run could not be made.
 */
import { Command, CommanderError, Option } from 'commander';
import { CHECKS } from './checks/catalog.ts';
import { asConformanceError, ConformanceError } from './errors.ts';
import { DEFAULTS, resolveOptions } from './engine/options.ts';
import { runConformance } from './engine/run.ts';
import type { Report } from './report/types.ts';
import { loadSpec } from './spec/load.ts';
import { forConsole } from './harness/redact.ts';

// every line printed may carry server strings: control sequences and CI workflow commands are defused
const out = (line: string): void => void process.stdout.write(`${forConsole(line)}\n`);
const err = (line: string): void => void process.stderr.write(`${forConsole(line)}\n`);

function envOption(flags: string, description: string, env: string, def?: string): Option {
  const o = new Option(flags, description).env(env);
  if (def !== undefined) o.default(def);
  return o;
}

function summaryTable(report: Report): string[] {
  const lines: string[] = [];
  const areas = [...new Set(report.results.map((r) => r.area))];
  lines.push('', 'area          pass  fail  warn  skip');
  for (const a of areas) {
    const rs = report.results.filter((r) => r.area === a);
    const n = (s: string): string => String(rs.filter((r) => r.status === s).length).padStart(4);
    lines.push(`${a.padEnd(12)}  ${n('pass')}  ${n('fail')}  ${n('warn')}  ${n('skip')}`);
  }
  const shown = report.results.filter((r) => r.status === 'fail' || r.status === 'warn');
  if (shown.length > 0) lines.push('');
  for (const r of shown) {
    lines.push(`${r.status === 'fail' ? 'FAIL' : 'WARN'} ${r.id} ${r.check}: ${r.message}`);
    const curl = r.evidence[0]?.curl;
    if (curl) lines.push(`     ${curl}`);
  }
  const skipped = report.results.filter((r) => r.status === 'skip');
  for (const r of skipped) lines.push(`SKIP ${r.id} ${r.check}: ${r.skipReason ?? r.message}`);
  for (const p of report.problems.slice(0, 10)) lines.push(`PROBLEM ${p}`);
  const s = report.summary;
  lines.push('', `Verdict: ${report.verdict} — ${s.pass} passed, ${s.fail} failed, ${s.warn} warned, ${s.skip} skipped; ${s.errors} error(s), ${s.warnings} warning(s); ${s.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s (profile ${report.profile}, seed ${report.seed})`);
  return lines;
}

export function buildProgram(): Command {
  const program = new Command('conformance')
    .description('Conformance and contract testing for the Order Tracking API')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command('run')
    .description('certify a target (without --base-url: the bundled reference server)')
    .addOption(envOption('--base-url <url>', 'the API root of the target', 'CONFORMANCE_BASE_URL'))
    .addOption(envOption('--token <token>', 'credential of the user under test', 'CONFORMANCE_TOKEN'))
    .addOption(envOption('--token-other-user <token>', 'a colleague of the same customer (rate-limit scope)', 'CONFORMANCE_TOKEN_OTHER_USER'))
    .addOption(envOption('--token-other-tenant <token>', 'a user of another customer (isolation)', 'CONFORMANCE_TOKEN_OTHER_TENANT'))
    .addOption(envOption('--profile <profile>', 'documented (inferred rules warn) or strict (they fail)', 'CONFORMANCE_PROFILE', DEFAULTS.profile))
    .addOption(envOption('--allow-writes', 'create and terminate orders on the target', 'CONFORMANCE_ALLOW_WRITES'))
    .addOption(envOption('--allow-export', "spend the user's one export per 5 minutes", 'CONFORMANCE_ALLOW_EXPORT'))
    .addOption(envOption('--seed <n>', 'seed for sampling, fuzzing and the reference server (default: random, printed)', 'CONFORMANCE_SEED'))
    .addOption(envOption('--fuzz-runs <n>', 'fuzz cases per property (0 turns fuzzing off)', 'CONFORMANCE_FUZZ_RUNS', String(DEFAULTS.fuzzRuns)))
    .addOption(envOption('--fuzz-budget-ms <ms>', 'wall-clock budget of the whole fuzz phase', 'CONFORMANCE_FUZZ_BUDGET_MS', String(DEFAULTS.fuzzBudgetMs)))
    .addOption(envOption('--timeout-ms <ms>', 'deadline of one exchange (headers and body)', 'CONFORMANCE_TIMEOUT_MS', String(DEFAULTS.timeoutMs)))
    .addOption(envOption('--concurrency <n>', 'requests in flight at once', 'CONFORMANCE_CONCURRENCY', String(DEFAULTS.concurrency)))
    .addOption(envOption('--max-orders <n>', 'orders examined in detail (every state covered first)', 'CONFORMANCE_MAX_ORDERS', String(DEFAULTS.maxOrders)))
    .addOption(envOption('--report-dir <dir>', 'where reports are written', 'CONFORMANCE_REPORT_DIR', DEFAULTS.reportDir))
    .addOption(envOption('--checks <names>', 'only these checks, comma-separated (see list-checks)', 'CONFORMANCE_CHECKS'))
    .addOption(envOption('--budget <n>', 'most requests the run may make', 'CONFORMANCE_BUDGET', String(DEFAULTS.budget)))
    .addOption(envOption('--max-body-bytes <n>', 'largest response accepted', 'CONFORMANCE_MAX_BODY_BYTES', String(DEFAULTS.maxBodyBytes)))
    .addOption(envOption('--wait-ms <ms>', 'longest wait for an export or a lifecycle move', 'CONFORMANCE_WAIT_MS', String(DEFAULTS.waitMs)))
    .addOption(envOption('--max-run-s <s>', "the run's total time limit in seconds (0: none)", 'CONFORMANCE_MAX_RUN_S', String(DEFAULTS.maxRunS)))
    .addOption(envOption('--auth-header <name>', 'header that carries the credential', 'CONFORMANCE_AUTH_HEADER', DEFAULTS.authHeader))
    .addOption(envOption('--auth-scheme <scheme>', 'scheme before the token ("" for none)', 'CONFORMANCE_AUTH_SCHEME', DEFAULTS.authScheme))
    .addOption(envOption('--spec <path>', 'the contract (default: the bundled openapi.yaml)', 'CONFORMANCE_SPEC'))
    .option('--quiet', 'print only the verdict line')
    .action(async (raw: Record<string, unknown>) => {
      const options = resolveOptions({ ...raw, specPath: raw.spec });
      const log = raw.quiet ? () => undefined : out;
      loadSpec(options.specPath);
      const target = options.baseUrl ?? 'the bundled reference server';
      log(`Certifying ${target} — profile ${options.profile}, seed ${options.seed}`);
      if (options.baseUrl && !options.token) log('  note: no --token given; only unauthenticated behaviour can pass');
      const { report, exitCode } = await runConformance(options, { log });
      const { writeReports } = await import('./report/write.ts');
      const { files } = await writeReports(report, loadSpec(options.specPath), options.reportDir);
      if (raw.quiet) out(summaryTable(report).at(-1) ?? '');
      else {
        for (const l of summaryTable(report)) out(l);
        out(`Reports: ${files.join(', ')}`);
      }
      process.exitCode = exitCode;
    });

  program
    .command('mock')
    .description('start the reference server (demo tokens are printed)')
    .addOption(envOption('--port <n>', 'port (0 picks a free one)', 'CONFORMANCE_MOCK_PORT', '8080'))
    .addOption(envOption('--host <host>', 'interface to listen on', 'CONFORMANCE_MOCK_HOST', '127.0.0.1'))
    .addOption(envOption('--seed <n>', 'data seed', 'CONFORMANCE_MOCK_SEED', '42'))
    .addOption(envOption('--orders <n>', 'number of orders', 'CONFORMANCE_MOCK_ORDERS', '60'))
    .addOption(envOption('--export-window-s <s>', 'export rate-limit window per user', 'CONFORMANCE_MOCK_EXPORT_WINDOW_S', '300'))
    .addOption(envOption('--step-ms <ms>', 'duration of one lifecycle step for moving orders', 'CONFORMANCE_MOCK_STEP_MS', '1000'))
    .addOption(envOption('--export-ms <ms>', 'how long an export task takes', 'CONFORMANCE_MOCK_EXPORT_MS', '300'))
    .addOption(envOption('--provider-states', 'serve POST /_pact/provider-states (Pact provider verification)', 'CONFORMANCE_MOCK_PROVIDER_STATES'))
    .action(async (raw: Record<string, string | boolean>) => {
      const { runMockCli } = await import('../mock/main.ts');
      const num = (name: string, v: string | boolean | undefined, min: number, max: number): number => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < min || n > max) throw new ConformanceError('CONF_ERR_BAD_OPTION', `--${name} must be a whole number from ${min} to ${max} (got "${String(v)}")`);
        return n;
      };
      await runMockCli({
        host: String(raw.host ?? '127.0.0.1'),
        exportMs: num('export-ms', raw.exportMs, 0, 86_400_000),
        providerStates: raw.providerStates === true || ['1', 'true', 'yes'].includes(String(raw.providerStates).toLowerCase()),
        port: num('port', raw.port, 0, 65535),
        seed: num('seed', raw.seed, 0, 2 ** 31 - 1),
        orders: num('orders', raw.orders, 1, 2_000_000),
        exportWindowS: num('export-window-s', raw.exportWindowS, 0, 86_400),
        stepMs: num('step-ms', raw.stepMs, 1, 86_400_000),
      });
    });

  program
    .command('diff')
    .description('compare two conformance.json reports; exit 1 on a regression')
    .argument('<before>', 'the earlier (or reference) report')
    .argument('<after>', 'the later report')
    .action(async (a: string, b: string) => {
      const { diffCommand } = await import('./report/diff.ts');
      process.exitCode = await diffCommand(a, b, out);
    });

  program
    .command('list-checks')
    .description('list every check with its requirement ID')
    .action(() => {
      const spec = loadSpec();
      for (const c of CHECKS) {
        const req = spec.requirements.get(c.requirement);
        out(`${c.name.padEnd(28)} ${c.requirement.padEnd(20)} ${(req?.source ?? '').padEnd(10)} ${c.does}`);
      }
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are not errors; a bad flag is exit 2
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    const ce = e instanceof ConformanceError ? e : asConformanceError(e);
    err(`conformance: ${ce.message} [${ce.code}]`);
    if (ce.code === 'CONF_ERR_INTERNAL' && process.env.CONFORMANCE_DEBUG) err(String((e as Error).stack));
    return ce.exitCode;
  }
}

const invoked = process.argv[1] ?? '';
if (invoked.endsWith('/src/cli.ts') || invoked === 'src/cli.ts') {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

/**
 * `conformance` — the thin command-line shell over the library
 * (shared/design/ARCHITECTURE.md, "The command-line contract"). Help text
 * lives here, once. Exit status: 0 PASS, 1 FAIL (or a diff regression),
 * 2 the run could not be made.
 */
import { Command, CommanderError, Option } from 'commander';
import { CHECKS } from './checks/catalog.ts';
import { asConformanceError, ConformanceError } from './errors.ts';
import { MOCK_OPTIONS, mergeSources, resolveMockOptions, resolveOptions, RUN_OPTIONS, type OptionDef, type RunOptions } from './engine/options.ts';
import { incompleteReport, runConformance } from './engine/run.ts';
import type { Report } from './report/types.ts';
import { scopeLine } from './report/verdict.ts';
import { checkReportDir, tryReportDir, writeReports } from './report/write.ts';
import { loadSpec } from './spec/load.ts';
import { forConsole } from './harness/redact.ts';

// every line printed may carry server strings: control sequences and CI workflow commands are defused
const out = (line: string): void => void process.stdout.write(`${forConsole(line)}\n`);
const err = (line: string): void => void process.stderr.write(`${forConsole(line)}\n`);

/** A commander option from a table entry: no `.env()` (the table's own rules read the variables). */
function tableOption(d: OptionDef): Option {
  const o = new Option(d.flag, `${d.description} [$${d.env}${d.shown ? `, default: ${d.shown}` : ''}]`);
  if (d.repeatable) o.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
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
  lines.push('', scopeLine(report));
  lines.push(`Verdict: ${report.verdictLabel} — ${s.pass} passed, ${s.fail} failed, ${s.warn} warned, ${s.skip} skipped; ${s.errors} error(s), ${s.warnings} warning(s); ${s.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s (profile ${report.profile}, seed ${report.seed})`);
  return lines;
}

export function buildProgram(): Command {
  const program = new Command('conformance')
    .description('Conformance and contract testing for the Order Tracking API')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  const run = program
    .command('run')
    .description('certify a target (without --base-url: the bundled reference server)');
  for (const d of RUN_OPTIONS) run.addOption(tableOption(d));
  run
    .option('--quiet', 'print only the verdict line')
    .action(async (cli: Record<string, unknown>) => {
      const log = cli.quiet ? () => undefined : out;
      const raw = mergeSources(cli, process.env, RUN_OPTIONS);
      let options: RunOptions | undefined;
      let reportDir: string | undefined;
      try {
        options = resolveOptions(raw);
        reportDir = options.reportDir;
        await checkReportDir(reportDir);
        loadSpec(options.specPath);
      } catch (e) {
        // a run that could not be made leaves no stale verdict behind: its INCOMPLETE report replaces the old one
        const ce = asConformanceError(e);
        const dir = reportDir ?? tryReportDir(raw);
        if (dir !== undefined && ce.code !== 'CONF_ERR_REPORT_WRITE' && ce.code !== 'CONF_ERR_REPORT_DIR') {
          await writeReports(incompleteReport({ code: ce.code, message: ce.message }, options ?? {}), undefined, dir).catch(() => undefined);
        }
        throw ce;
      }
      const target = options.baseUrl ?? 'the bundled reference server';
      log(`Certifying ${target} — profile ${options.profile}, seed ${options.seed}${options.dryRun ? ' (dry run: no write, no export)' : ''}`);
      let outcome: Awaited<ReturnType<typeof runConformance>>;
      try {
        outcome = await runConformance(options, { log });
      } catch (e) {
        const ce = asConformanceError(e);
        await writeReports(incompleteReport({ code: ce.code, message: ce.message }, options), undefined, options.reportDir).catch(() => undefined);
        throw ce;
      }
      const { report, exitCode } = outcome;
      const { files } = await writeReports(report, loadSpec(options.specPath), options.reportDir);
      if (cli.quiet) out(summaryTable(report).at(-1) ?? '');
      else {
        for (const l of summaryTable(report)) out(l);
        out(`Reports: ${files.join(', ')}`);
      }
      if (report.incomplete) err(`conformance: could not certify: ${report.incomplete.message} [${report.incomplete.code}]`);
      if (exitCode === 1 && report.verdict === 'PASS') err('conformance: the verdict is partial and --require-complete is set');
      process.exitCode = exitCode;
    });

  const mock = program
    .command('mock')
    .description('start the reference server (demo tokens are printed)');
  for (const d of MOCK_OPTIONS) mock.addOption(tableOption(d));
  mock.action(async (cli: Record<string, unknown>) => {
    const { runMockCli } = await import('../mock/main.ts');
    const { variants, ...o } = resolveMockOptions(mergeSources(cli, process.env, MOCK_OPTIONS));
    await runMockCli({ ...o, ...(variants.trim() !== '' ? { variants } : {}) });
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

  // contract commands (contracts/command.ts): the pinned pacts, verified against a provider or published to a broker
  const pact = program.command('pact').description('verify the pinned Pact contracts against a provider, or publish them to a Pact Broker');
  pact
    .command('verify')
    .description('verify the pacts against a provider (default: the bundled reference server with its provider-state hook); exit 0 verified, 1 a failure or pending interactions, 2 could not verify')
    .argument('[pact files...]', 'pact files (default: contracts/pacts/)')
    .option('--base-url <url>', 'the provider to verify (default: start the bundled reference server)')
    .option('--token <t>', 'bearer token sent instead of the pact\'s example token [$CONFORMANCE_TOKEN]')
    .option('--state-hook', `the provider serves the provider-state hook at /_pact/provider-states`)
    .option('--state-hook-url <url>', 'the provider-state hook is at this URL')
    .option('--allow-pending', 'a PARTIAL verification (interactions pending for want of a state hook, none failed) exits 0')
    .option('--no-spec-check', 'skip the pact-vs-spec check')
    .option('--log-level <level>', 'the verifier\'s log level: error (default), warn, info, debug, trace')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const { pactVerify } = await import('../contracts/command.ts');
      process.exitCode = await pactVerify(
        {
          baseUrl: o.baseUrl as string | undefined,
          token: (o.token as string | undefined) ?? (process.env.CONFORMANCE_TOKEN || undefined),
          stateHook: o.stateHook === true,
          stateHookUrl: o.stateHookUrl as string | undefined,
          allowPending: o.allowPending === true,
          specCheck: o.specCheck !== false,
          logLevel: o.logLevel as string | undefined,
          files,
        },
        { out, err },
      );
    });
  pact
    .command('publish')
    .description('publish the pacts to the Pact Broker at $PACT_BROKER_BASE_URL (without it, print what would be sent); exit 0 published or nothing to do, 1 a spec problem or a refusal, 2 an unreachable broker')
    .argument('[pact files...]', 'pact files (default: contracts/pacts/)')
    .option('--consumer-version <v>', 'version to publish under (default: $PACT_CONSUMER_VERSION, else the git commit)')
    .option('--branch <b>', 'consumer branch (default: $PACT_CONSUMER_BRANCH, else the current git branch)')
    .option('--skip-spec-check', 'publish even if the pact-vs-spec check finds problems')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const { pactPublish } = await import('../contracts/command.ts');
      process.exitCode = await pactPublish({ consumerVersion: o.consumerVersion as string | undefined, branch: o.branch as string | undefined, skipSpecCheck: o.skipSpecCheck === true, files }, { out, err });
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

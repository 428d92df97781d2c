/**
 * `conformance` — the thin command-line shell over the library
 * (shared/design/ARCHITECTURE.md, "The command-line contract"). Help text
 * lives here, once. Exit status: 0 PASS, 1 FAIL (or a diff regression),
 * 2 the run could not be made.
 */
import { Command, CommanderError, Option } from 'commander';
import { CHECKS, CLIENT_CHECKS } from './checks/catalog.ts';
import { MODULE_BY_NAME } from './checks/index.ts';
import { asConformanceError, ConformanceError } from './errors.ts';
import { CONFIG_FILE, initialConfig, MOCK_OPTIONS, mergeSources, resolveMockOptions, runSources, resolveOptions, RUN_OPTIONS, type OptionDef, type RunOptions } from './engine/options.ts';
import { incompleteReport, runConformance, toolVersion } from './engine/run.ts';
import type { RunProgress } from './engine/context.ts';
import type { Harness } from './harness/http.ts';
import { concurrencyLine } from './report/format.ts';
import type { Report, Result } from './report/types.ts';
import { scopeLine } from './report/verdict.ts';
import { checkReportDir, tryReportDir, writeReports } from './report/write.ts';
import { loadSpec } from './contract/load.ts';
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

export function summaryTable(report: Report): string[] {
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
  lines.push(...skipLines(report.results.filter((r) => r.status === 'skip')));
  for (const p of report.problems.slice(0, 10)) lines.push(`PROBLEM ${p}`);
  const s = report.summary;
  lines.push('', scopeLine(report));
  lines.push(
    `Verdict: ${report.verdictLabel} — ${s.pass} passed, ${s.fail} failed, ${s.warn} warned, ${s.skip} skipped; ${s.errors} error(s), ${s.warnings} warning(s); ${s.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s (profile ${report.profile}, seed ${report.seed}${report.concurrency?.mode === 'auto' ? `; ${concurrencyLine(report.concurrency)}` : ''})`,
  );
  return lines;
}

/** checks skipped for the same reason, from this many on, share one line (a target that cannot be reached skips all 44) */
const SKIP_GROUP = 3;
/** names shown on a shared line before "and N more" */
const SKIP_NAMES = 6;

/**
 * A line per skipped check (its requirement, its name, the reason), except
 * that checks skipped for the same reason, from SKIP_GROUP on, share a line
 * that counts them and names the first few: the reason, once. The reports
 * keep every check's own line.
 */
export function skipLines(skipped: readonly Result[]): string[] {
  const byReason = new Map<string, Result[]>();
  for (const r of skipped) {
    const why = r.skipReason ?? r.message;
    const group = byReason.get(why);
    if (group) group.push(r);
    else byReason.set(why, [r]);
  }
  const lines: string[] = [];
  for (const [why, rs] of byReason) {
    if (rs.length < SKIP_GROUP) {
      for (const r of rs) lines.push(`SKIP ${r.id} ${r.check}: ${why}`);
      continue;
    }
    const names = rs.slice(0, SKIP_NAMES).map((r) => r.check);
    const more = rs.length > SKIP_NAMES ? `, and ${rs.length - SKIP_NAMES} more` : '';
    lines.push(`SKIP ${rs.length} checks (${names.join(', ')}${more}): ${why}`);
  }
  return lines;
}

/** A duration for a progress line: `42 s`, `4 min 05 s`, `1 h 02 min`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export interface ProgressState {
  phase: string;
  requests: number;
  /** seconds since the run started */
  elapsedS: number;
  /** the counted part of the phase (orders examined of those sampled), and seconds since it started */
  items?: { what: string; done: number; total: number; elapsedS: number };
}

/**
 * One status line: the phase, the counted part's done / total and its ETA
 * (from its own pace so far), the requests made and their rate.
 * `… orders, histories, documents: 412/1000 orders (41%), ETA 37 s; 2781 requests in 31 s (90/s)`
 */
export function progressLine(p: ProgressState): string {
  const rate = (p.requests / Math.max(p.elapsedS, 0.001)).toFixed(0);
  const tail = `${p.requests} requests in ${p.elapsedS.toFixed(0)} s (${rate}/s)`;
  const it = p.items;
  if (!it || it.total <= 0) return `… ${p.phase}: ${tail}`;
  const pct = Math.floor((100 * it.done) / it.total);
  // no pace yet, no estimate: an ETA from nothing would be a guess
  const eta = it.done > 0 && it.done < it.total ? `, ETA ${duration((it.elapsedS / it.done) * (it.total - it.done))}` : '';
  return `… ${p.phase}: ${it.done}/${it.total} ${it.what} (${pct}%)${eta}; ${tail}`;
}

/**
 * Long runs people can follow: on a terminal one progress line rewritten in
 * place every second (phase, orders done / total, ETA, requests, rate);
 * otherwise (CI logs) the phase lines as they come and a status line every
 * 10 s. No colour either way. `now` is the clock of `performance.now()`, given by tests.
 */
export function startProgress(log: ((line: string) => void) | undefined, everyMs = process.stdout.isTTY ? 1000 : 10_000, now: () => number = () => performance.now()): { log: (line: string) => void; watch: (http: Harness, progress?: RunProgress) => void; stop: () => void; status: () => string } {
  let http: Harness | undefined;
  let counted: RunProgress | undefined;
  let phase = 'starting';
  const t0 = now();
  const tty = Boolean(process.stdout.isTTY);
  let drawn = false;
  const status = (): string => {
    const at = now();
    let items: ProgressState['items'];
    if (counted && counted.total > 0) items = { what: counted.what, done: counted.done, total: counted.total, elapsedS: (at - counted.startedMs) / 1000 };
    return progressLine({ phase, requests: http?.requests ?? 0, elapsedS: (at - t0) / 1000, ...(items ? { items } : {}) });
  };
  const clear = (): void => {
    if (drawn) process.stdout.write('\r\x1b[2K');
    drawn = false;
  };
  const timer =
    log === undefined
      ? undefined
      : setInterval(() => {
          if (tty) {
            clear();
            process.stdout.write(forConsole(status()).slice(0, (process.stdout.columns ?? 80) - 1));
            drawn = true;
          } else log(status());
        }, everyMs);
  timer?.unref();
  return {
    log: (line) => {
      if (log === undefined) return;
      const m = /^• (.+)$/.exec(line);
      if (m?.[1]) phase = m[1];
      clear();
      log(line);
    },
    watch: (h, p) => {
      http = h;
      counted = p;
    },
    stop: () => {
      if (timer) clearInterval(timer);
      clear();
    },
    status,
  };
}

/**
 * What a file given to `judge` holds: a client's traffic (a HAR, or a
 * cassette the proxy wrote) or a run of the kit's own (a `--record`
 * cassette, judged by running the run again on it). Read from the file's
 * first bytes; anything else goes to the run's reader, which names the problem.
 */
async function recordingKind(file: string): Promise<'traffic' | 'run'> {
  const { recordingFormat } = await import('./cassette/file.ts');
  const format = recordingFormat(file);
  return format === 'proxy' || format === 'har' ? 'traffic' : 'run';
}

export function buildProgram(): Command {
  const program = new Command('conformance')
    .description('Conformance and contract testing for the Order Tracking API')
    .version(toolVersion(), '--version', "print the kit's version")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      // commander's own errors (unknown flag, missing value) carry the kit's code too
      outputError: (s, write) => write(`conformance: ${s.replace(/^error: /, '').trim()} [CONF_ERR_BAD_OPTION]\n`),
    });

  const run = program.command('run').description('certify a target (without --base-url: the bundled reference server)');
  for (const d of RUN_OPTIONS) run.addOption(tableOption(d));
  run.option('--quiet', 'print only the verdict line').action(async (cli: Record<string, unknown>) => {
    const log = cli.quiet ? () => undefined : out;
    const raw = mergeSources(cli, process.env, RUN_OPTIONS);
    let options: RunOptions | undefined;
    let reportDir: string | undefined;
    try {
      // flags > variables > the config file > defaults
      options = resolveOptions(runSources(cli, process.env));
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
    if (options.insecure) err("conformance: --insecure: the target's TLS certificate is not checked; the reports will say so");
    let outcome: Awaited<ReturnType<typeof runConformance>>;
    const stopping = new AbortController();
    const onSignal = (): void => {
      err('conformance: interrupted; no new request is sent, those in flight are waited for, then the reports are written (Ctrl-C again quits at once)');
      stopping.abort();
      // a Ctrl-C reaches the whole process group, and npm or tsx relays it again: a second one within a second is that echo
      const first = Date.now();
      const again = (): void => {
        if (Date.now() - first < 1000) process.once('SIGINT', again);
        else process.exit(130);
      };
      process.once('SIGINT', again);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const progress = startProgress(cli.quiet ? undefined : log);
    try {
      outcome = await runConformance(options, { log: progress.log, signal: stopping.signal, onHarness: progress.watch });
    } catch (e) {
      const ce = asConformanceError(e);
      await writeReports(incompleteReport({ code: ce.code, message: ce.message }, options), undefined, options.reportDir).catch(() => undefined);
      throw ce;
    } finally {
      // the status line is wiped before anything else is printed, whatever happened
      progress.stop();
    }
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
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

  program
    .command('judge')
    .description(
      "judge a recording offline, with today's checks and contract, and write the same reports: a cassette of `run --record FILE` (the run judged again: exit as run), or a client's traffic, a HAR 1.2 file (browser, mitmproxy, Charles, Postman) or a `proxy --record` cassette (a client and a provider verdict); 2 when the file cannot be used: CONF_ERR_CASSETTE",
    )
    .argument('<file>', 'the cassette (JSON Lines) or traffic.har')
    .option('--report-dir <dir>', 'where reports go [$CONFORMANCE_REPORT_DIR, default: reports]')
    .option('--spec <path>', 'the contract the cassette was recorded with [default: openapi.yaml]')
    .option('--profile <p>', "`documented` or `strict` (default: the recorded run's)")
    .option('--require-complete', 'a partial PASS exits 1')
    .option('--quiet', 'print only the verdict line')
    .action(async (file: string, cli: { reportDir?: string; spec?: string; profile?: string; requireComplete?: boolean; quiet?: boolean }) => {
      if ((await recordingKind(file)) === 'traffic') {
        const { judgeCommand } = await import('./proxy/command.ts');
        process.exitCode = await judgeCommand(file, { reportDir: cli.reportDir }, { out, err });
        return;
      }
      const { judgeCassette } = await import('./cassette/judge.ts');
      const reportDir = cli.reportDir ?? (process.env.CONFORMANCE_REPORT_DIR || 'reports');
      await checkReportDir(reportDir);
      const log = cli.quiet ? () => undefined : out;
      log(`Judging ${file} offline`);
      const { report, exitCode } = await judgeCassette(file, { reportDir, ...(cli.spec ? { specPath: cli.spec } : {}), ...(cli.profile ? { profile: cli.profile } : {}), ...(cli.requireComplete ? { requireComplete: true } : {}) }, { log });
      const { files } = await writeReports(report, loadSpec(cli.spec), reportDir);
      if (cli.quiet) out(summaryTable(report).at(-1) ?? '');
      else {
        for (const l of summaryTable(report)) out(l);
        out(`Reports: ${files.join(', ')}`);
      }
      if (report.incomplete) err(`conformance: could not judge: ${report.incomplete.message} [${report.incomplete.code}]`);
      process.exitCode = exitCode;
    });

  program
    .command('merge')
    .description(
      "judge the shards of one `run --shard K/N` set as one unsharded run, from their cassettes (each shard's report directory, or its cassette file), and write the same reports as a run; 2 when the set cannot be merged (a shard missing or twice, shards of different N, seeds, contracts, suites, targets or options: CONF_ERR_MERGE) or a request is not in the shards' traffic (CONF_ERR_CASSETTE)",
    )
    .argument('<shards...>', "each shard's report directory (holding cassette.jsonl) or cassette file")
    .option('--report-dir <dir>', 'where the merged reports go [default: reports/merged]')
    .option('--merged-cassette', 'also write the merged cassette, <report-dir>/merged-cassette.jsonl (judge it again with `conformance judge`)')
    .option('--spec <path>', 'the contract the shards were recorded with [default: openapi.yaml]')
    .option('--require-complete', 'a partial PASS exits 1')
    .option('--quiet', 'print only the verdict line')
    .action(async (inputs: string[], cli: { reportDir?: string; mergedCassette?: boolean; spec?: string; requireComplete?: boolean; quiet?: boolean }) => {
      const { mergeShards } = await import('./cassette/merge.ts');
      const reportDir = cli.reportDir ?? 'reports/merged';
      await checkReportDir(reportDir);
      const log = cli.quiet ? () => undefined : out;
      const { report, exitCode, merged } = await mergeShards(inputs, { reportDir, ...(cli.spec ? { specPath: cli.spec } : {}), ...(cli.requireComplete ? { requireComplete: true } : {}) }, { log });
      const { files } = await writeReports(report, loadSpec(cli.spec), reportDir);
      if (cli.mergedCassette) {
        const { join } = await import('node:path');
        const { writeJsonLines } = await import('./cassette/file.ts');
        const path = join(reportDir, 'merged-cassette.jsonl');
        // a line at a time: the shards' bodies are read from their files as the lines are written
        writeJsonLines(path, [merged.header, ...merged.records]);
        files.push(path);
      }
      merged.close?.();
      if (cli.quiet) out(summaryTable(report).at(-1) ?? '');
      else {
        for (const l of summaryTable(report)) out(l);
        out(`Reports: ${files.join(', ')}`);
      }
      if (report.incomplete) err(`conformance: could not judge the merged shards: ${report.incomplete.message} [${report.incomplete.code}]`);
      process.exitCode = exitCode;
    });

  program
    .command('replay')
    .description('re-send the exchanges behind the failures of a report to a target and say, for each failed check, whether it still fails (credentials from the environment, never from the report); exit 0 all gone, 1 some still fail, 2 could not replay')
    .argument('<report>', 'conformance.json (or the folder holding it)')
    .option('--failed', 'only the failed checks (the default; warnings with --warned)')
    .option('--warned', 'the checks that warned too')
    .option('--base-url <url>', "the target (default: the report's; a report of the bundled server needs it) [$CONFORMANCE_BASE_URL]")
    .option('--report-dir <dir>', 'where the re-run of the failed checks writes its reports [default: a temporary folder]')
    .option('--quiet', 'print only the last line')
    .action(async (file: string, cli: { failed?: boolean; warned?: boolean; baseUrl?: string; reportDir?: string; quiet?: boolean }) => {
      const { replayReport } = await import('./cassette/replay-report.ts');
      process.exitCode = await replayReport(file, { baseUrl: cli.baseUrl ?? (process.env.CONFORMANCE_BASE_URL || undefined), warned: cli.warned === true, reportDir: cli.reportDir, env: process.env }, cli.quiet ? () => undefined : out, err);
    });

  const mock = program.command('mock').description('start the reference server (demo tokens are printed)');
  for (const d of MOCK_OPTIONS) mock.addOption(tableOption(d));
  mock.action(async (parsed: Record<string, unknown>) => {
    const { runMockCli } = await import('../mock/main.ts');
    // commander names a value after its flag (--variant → variant); the table after its key (variants)
    const cli = Object.fromEntries(MOCK_OPTIONS.map((d) => [d.key, parsed[new Option(d.flag).attributeName()]]));
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
      process.exitCode = await diffCommand(a, b, out, err);
    });

  // the client side (src/proxy/): an integrator's own client, judged through a proxy or from a recording
  program
    .command('proxy')
    .description('forward your client to a target (without --target: the bundled reference server), judge its requests and the answers as they pass, and report a client and a provider verdict on Ctrl-C, SIGTERM or --duration')
    .option('--target <url>', 'the provider the client talks to (default: the bundled reference server, in this process)')
    .option('--port <p>', 'port to listen on, 127.0.0.1 (default 0: a free one, printed)')
    .option('--host <h>', 'address to listen on (default 127.0.0.1)')
    .option('--record <file>', 'write every exchange as a cassette (JSON Lines, credentials redacted)')
    .option('--duration <s>', 'serve this many seconds, then report')
    .option('--deadline-ms <ms>', 'ms the target has to answer before the client gets a 504 (default 30000)')
    .option('--report-dir <dir>', 'where the reports go (default reports/)')
    .action(async (o: Record<string, unknown>) => {
      const { proxyCommand } = await import('./proxy/command.ts');
      process.exitCode = await proxyCommand(o, { out, err });
    });
  program
    .command('init')
    .description(`write a starting ${CONFIG_FILE} (or conformance.config.yaml with --yaml): every option with its default and a comment`)
    .option('--yaml', 'write conformance.config.yaml, with # comments')
    .option('--force', 'replace an existing file')
    .action(async (o: { force?: boolean; yaml?: boolean }) => {
      const { writeFileSync } = await import('node:fs');
      const file = o.yaml ? 'conformance.config.yaml' : CONFIG_FILE;
      try {
        writeFileSync(file, initialConfig(o.yaml ? 'yaml' : 'json'), { flag: o.force ? 'w' : 'wx' });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new ConformanceError('CONF_ERR_BAD_OPTION', code === 'EEXIST' ? `${file} exists; --force replaces it` : `cannot write ${file} (${code ?? (e as Error).message})`);
      }
      out(`Wrote ${file}; \`conformance run\` reads it from this folder (or --config FILE).`);
    });

  // contract commands (contracts/command.ts): the pinned pacts, verified against a provider or published to a broker
  const pact = program.command('pact').description('verify the pinned Pact contracts against a provider, or publish them to a Pact Broker');
  pact
    .command('verify')
    .description('verify the pacts against a provider (default: the bundled reference server with its provider-state hook); exit 0 verified, 1 a failure or pending interactions, 2 could not verify')
    .argument('[pact files...]', 'pact files (default: contracts/pacts/)')
    .option('--base-url <url>', 'the provider to verify (default: start the bundled reference server)')
    .option('--token <t>', "bearer token sent instead of the pact's example token [$CONFORMANCE_TOKEN]")
    .option('--state-hook', `the provider serves the provider-state hook at /_pact/provider-states`)
    .option('--state-hook-url <url>', 'the provider-state hook is at this URL')
    .option('--allow-pending', 'a PARTIAL verification (interactions pending for want of a state hook, none failed) exits 0')
    .option('--no-spec-check', 'skip the pact-vs-spec check')
    .option('--log-level <level>', "the verifier's log level: error (default), warn, info, debug, trace")
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
      // every catalogued check is a module (test/checks/cases.test.ts), so each line names its file
      const line = (c: { name: string; requirement: string; does: string }): string => {
        const req = spec.requirements.get(c.requirement);
        const file = MODULE_BY_NAME.get(c.name as Parameters<typeof MODULE_BY_NAME.get>[0])?.file ?? '';
        return `${c.name.padEnd(28)} ${c.requirement.padEnd(20)} ${(req?.source ?? '').padEnd(10)} ${file.padEnd(36)} ${c.does}`;
      };
      for (const c of CHECKS) out(line(c));
      // the client's checks: judged by `conformance proxy` and `conformance judge`, never by a run
      out('');
      out('client side (conformance proxy, conformance judge):');
      for (const c of CLIENT_CHECKS) out(line(c));
    });
  return program;
}

let pipeWatched = false;

export async function main(argv: string[]): Promise<number> {
  // `conformance … | head`: a closed pipe ends the output quietly, not with a stack trace
  if (!pipeWatched) {
    pipeWatched = true;
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
        throw e;
      });
    }
  }
  const program = buildProgram();
  if (argv.length === 0) {
    // bare `conformance`: the help, and exit 2 (nothing was done)
    process.stderr.write(program.helpInformation());
    return 2;
  }
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

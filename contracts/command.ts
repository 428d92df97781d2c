/**
 * `conformance pact verify` and `conformance pact publish` (issue 18): the
 * contract commands of the installed kit, with the exit codes of `run`.
 *
 * verify: 0 verified (every interaction ran and passed), 1 a failure, a spec
 * problem, or interactions left pending (PARTIAL; `--allow-pending` makes a
 * PARTIAL with no failure exit 0), 2 could not verify: a provider (or its
 * state hook) that does not answer within 5 s is CONF_ERR_UNREACHABLE, a bad
 * option CONF_ERR_BAD_OPTION, a reference server that does not start
 * CONF_ERR_MOCK_START — a line with the code, never a stack trace.
 *
 * Output is plain text: no ANSI colour reaches a file or a pipe, nor a
 * terminal when NO_COLOR is set (the verifier's own output is captured and
 * not printed unless --log-level asks for it).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConformanceError } from '../src/index.ts';
import { pactTelemetryOff } from './config.ts';
import { checkPactFiles, pactFiles } from './pact-vs-spec.ts';
import { formatReport, STATE_HOOK_PATH, type VerificationReport, type VerifyOptions } from './provider/verify.ts';
import { publishPacts } from './publish.ts';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
/** how long a provider (or its hook) has to answer before it is called unreachable */
export const REACH_MS = 5_000;

export interface PactVerifyOptions {
  baseUrl?: string | undefined;
  token?: string | undefined;
  stateHook?: boolean;
  stateHookUrl?: string | undefined;
  allowPending?: boolean;
  specCheck?: boolean;
  logLevel?: string;
  files?: string[];
}

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u009b[0-?]*[ -/]*[@-~]|\u001b[@-_]/g;

/** Whether colour may be written: a terminal, and NO_COLOR unset or empty (no-color.org). */
export function colourAllowed(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

/** Text as it may be written where colour is not allowed. */
export function withoutAnsi(text: string): string {
  return text.replace(ANSI, '');
}

function httpUrl(flag: string, v: string): string {
  try {
    const u = new URL(v);
    if (u.protocol === 'http:' || u.protocol === 'https:') return v;
  } catch {
    // reported below
  }
  throw new ConformanceError('CONF_ERR_BAD_OPTION', `${flag} must be an http(s) URL (got "${v}")`);
}

/** Fails with CONF_ERR_UNREACHABLE unless something answers HTTP at `url` within REACH_MS. */
export async function expectReachable(url: string, what: string, ms = REACH_MS): Promise<void> {
  try {
    const res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(ms), redirect: 'manual' });
    await res.body?.cancel().catch(() => undefined);
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.name === 'TimeoutError' || err.name === 'AbortError' ? `no answer within ${ms / 1000} s` : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new ConformanceError('CONF_ERR_UNREACHABLE', `${what} ${url}: ${why}; nothing was verified`);
  }
}

/** verifyPacts in a child process whose output (the native verifier's coloured progress) is read, not passed on. */
function verifyInChild(opts: VerifyOptions): Promise<VerificationReport> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./provider/verify-child.ts', import.meta.url)), [], {
      // tsx as this kit resolves it, wherever the command is run from
      execArgv: ['--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, PACT_DO_NOT_TRACK: 'true', NO_COLOR: '1' },
    });
    const stderr: string[] = [];
    child.stdout?.resume();
    child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString('utf8')));
    let answered = false;
    child.on('message', (m: { report?: VerificationReport; error?: string }) => {
      answered = true;
      if (m.report) resolve(m.report);
      else reject(new ConformanceError('CONF_ERR_INTERNAL', `the verifier failed: ${m.error}`));
    });
    child.on('exit', (code) => {
      if (!answered) reject(new ConformanceError('CONF_ERR_INTERNAL', `the verifier stopped (exit ${code}) before it answered: ${withoutAnsi(stderr.join('')).slice(-500)}`));
    });
    child.send(opts);
  });
}

/** The result word of a verification: VERIFIED, PARTIAL (pending, no failure) or FAILED. */
export function resultOf(r: Pick<VerificationReport, 'failed' | 'pending'>): 'VERIFIED' | 'PARTIAL' | 'FAILED' {
  return r.failed > 0 ? 'FAILED' : r.pending > 0 ? 'PARTIAL' : 'VERIFIED';
}

/** `conformance pact verify`: returns the exit code; throws a ConformanceError when it could not verify. */
export async function pactVerify(opts: PactVerifyOptions, io: Io): Promise<number> {
  pactTelemetryOff();
  const logLevel = (opts.logLevel ?? 'error') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConformanceError('CONF_ERR_BAD_OPTION', `--log-level must be one of ${LOG_LEVELS.join(', ')} (got "${opts.logLevel}")`);
  let baseUrl = opts.baseUrl === undefined ? undefined : httpUrl('--base-url', opts.baseUrl);
  let stateHookUrl = opts.stateHookUrl === undefined ? undefined : httpUrl('--state-hook-url', opts.stateHookUrl);
  const files = pactFiles(opts.files ?? []);
  if (files.length === 0) throw new ConformanceError('CONF_ERR_BAD_OPTION', 'no pact files found in contracts/pacts/ (run the consumer tests first)');
  // a provider that does not answer is known within seconds, before anything else is loaded
  if (baseUrl !== undefined) {
    await expectReachable(baseUrl, 'the provider does not answer at');
    const hook = stateHookUrl ?? (opts.stateHook ? `${baseUrl.replace(/\/+$/, '')}${STATE_HOOK_PATH}` : undefined);
    if (hook) await expectReachable(hook, 'the provider-state hook does not answer at');
  }
  if (opts.specCheck !== false) {
    const problems = checkPactFiles(files, undefined, (text) =>
      text.split('\n').forEach((l) => {
        io.out(l);
      }),
    );
    if (problems > 0) {
      io.err(`the pacts ask for ${problems} thing(s) openapi.yaml does not promise (see above); verification stops here (--no-spec-check to go on)`);
      return 1;
    }
  }
  let close: (() => Promise<void>) | undefined;
  if (baseUrl === undefined) {
    const { startMock } = await import('../mock/index.ts');
    try {
      const mock = await startMock({ providerStates: true, host: '127.0.0.1', port: 0 });
      baseUrl = mock.baseUrl;
      close = () => mock.close();
      stateHookUrl = `${mock.baseUrl.replace(/\/+$/, '')}${STATE_HOOK_PATH}`;
      io.out(`reference server started at ${baseUrl} (provider states on)`);
    } catch (e) {
      throw new ConformanceError('CONF_ERR_MOCK_START', (e as Error).message, { cause: e });
    }
  } else if (opts.stateHook && !stateHookUrl) {
    stateHookUrl = `${baseUrl.replace(/\/+$/, '')}${STATE_HOOK_PATH}`;
  }
  try {
    const report = await verifyInChild({ baseUrl, stateHookUrl, token: opts.token, pactFiles: files, logLevel, timeoutMs: 10_000 });
    if (logLevel !== 'error') for (const l of report.verifierOutput) io.out(l);
    io.out('');
    for (const l of formatReport(report).split('\n')) io.out(l);
    const result = resultOf(report);
    const pending = report.outcomes.filter((o) => o.status === 'pending');
    if (result === 'PARTIAL') {
      io.out(`PARTIAL: ${report.pending} interaction${report.pending === 1 ? '' : 's'} not verified (no state hook): ${pending.map((o) => `"${o.description}"`).join(', ')}`);
      io.out(opts.allowPending ? 'pending interactions allowed (--allow-pending): exit 0' : 'serve the provider-state hook (contracts/README.md, "Serving the provider-state hook") and pass --state-hook, or --allow-pending to accept a partial verification');
    }
    io.out(`Pact verification: ${result} — ${report.passed} passed, ${report.failed} failed, ${report.pending} pending of ${report.outcomes.length}`);
    if (result === 'VERIFIED') return 0;
    if (result === 'PARTIAL' && opts.allowPending) return 0;
    return 1;
  } finally {
    await close?.();
  }
}

export interface PactPublishOptions {
  consumerVersion?: string | undefined;
  branch?: string | undefined;
  skipSpecCheck?: boolean;
  files?: string[];
}

/** `conformance pact publish`: 0 published (or nothing to do without PACT_BROKER_BASE_URL), 1 a spec problem or a refusal, 2 a broker that cannot be reached. */
export async function pactPublish(opts: PactPublishOptions, io: Io): Promise<number> {
  pactTelemetryOff();
  const files = pactFiles(opts.files ?? []);
  if (files.length === 0) throw new ConformanceError('CONF_ERR_BAD_OPTION', 'no pact files found in contracts/pacts/ (run the consumer tests first)');
  const errors = checkPactFiles(files, undefined, (text) =>
    text.split('\n').forEach((l) => {
      io.out(l);
    }),
  );
  if (errors > 0 && !opts.skipSpecCheck) {
    io.err(`not published: ${errors} interaction problem(s) against openapi.yaml (see above; --skip-spec-check to publish anyway)`);
    return 1;
  }
  const broker = process.env.PACT_BROKER_BASE_URL?.trim();
  if (broker) await expectReachable(httpUrl('PACT_BROKER_BASE_URL', broker), 'the Pact Broker does not answer at');
  try {
    await publishPacts({
      files,
      consumerVersion: opts.consumerVersion,
      branch: opts.branch,
      log: (text) =>
        text.split('\n').forEach((l) => {
          io.out(l);
        }),
    });
    return 0;
  } catch (e) {
    io.err(`not published: ${(e as Error).message}`);
    return 1;
  }
}

/**
 * npm run pact:verify -- [--base-url URL] [--token T] [--state-hook | --state-hook-url URL] [options] [pact files…]
 *
 * Verifies the pinned pacts (contracts/pacts/) against a provider.
 *  - Without --base-url: starts the bundled reference server (mock/) with its
 *    provider-state hook, on 127.0.0.1, and verifies every interaction.
 *  - With --base-url: verifies that provider. Interactions that need a provider
 *    state are run only when the provider has a state hook (--state-hook, or
 *    --state-hook-url); otherwise they are reported PENDING (not verified) —
 *    never as passed — and are not sent, so a real provider stays untouched.
 * First, the pact-vs-spec check confirms openapi.yaml promises every interaction.
 * Nothing is sent to a Pact Broker; Pact's telemetry is off.
 *
 * Exit: 0 verified (pending allowed unless --fail-on-pending), 1 failures or
 * spec problems, 2 bad usage or the reference server cannot start, 3 pending
 * interactions with --fail-on-pending.
 */
import { parseArgs } from 'node:util';
import { pactTelemetryOff } from '../contracts/config.ts';
import { checkPactFiles, pactFiles } from '../contracts/pact-vs-spec.ts';
import { formatReport, STATE_HOOK_PATH, verifyPacts } from '../contracts/provider/verify.ts';
import { startMock } from '../mock/index.ts';

pactTelemetryOff();

const HELP = `Usage: npm run pact:verify -- [options] [pact files…]
  --base-url URL        provider to verify (default: start the bundled reference server)
  --token T             bearer token sent instead of the pact's example token
  --state-hook          the provider serves the provider-state hook at ${STATE_HOOK_PATH}
  --state-hook-url URL  the provider-state hook is at URL
  --fail-on-pending     exit 3 when interactions could not be verified (no state hook)
  --no-spec-check       skip the pact-vs-spec check
  --log-level L         pact log level: error (default), warn, info, debug, trace
  -h, --help            this help`;

type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      allowNegative: true,
      options: {
        'base-url': { type: 'string' },
        token: { type: 'string' },
        'state-hook': { type: 'boolean', default: false },
        'state-hook-url': { type: 'string' },
        'fail-on-pending': { type: 'boolean', default: false },
        'spec-check': { type: 'boolean', default: true },
        'log-level': { type: 'string', default: 'error' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const logLevel = v['log-level'] as LogLevel;
  if (!LEVELS.includes(logLevel)) {
    console.error(`--log-level must be one of ${LEVELS.join(', ')}`);
    return 2;
  }
  let baseUrl = v['base-url'];
  if (baseUrl !== undefined) {
    try {
      const u = new URL(baseUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      console.error(`--base-url must be an http(s) URL: ${baseUrl}`);
      return 2;
    }
  }
  const files = pactFiles(args.positionals);
  if (files.length === 0) {
    console.error('no pact files found in contracts/pacts/ (run the consumer tests first)');
    return 2;
  }

  if (v['spec-check']) {
    const problems = checkPactFiles(files);
    if (problems > 0) {
      console.error(`the pacts ask for ${problems} thing(s) openapi.yaml does not promise (see above); verification stops here (--no-spec-check to go on)`);
      return 1;
    }
  }

  let close: (() => Promise<void>) | undefined;
  let stateHookUrl = v['state-hook-url'];
  if (baseUrl === undefined) {
    try {
      const mock = await startMock({ providerStates: true, host: '127.0.0.1', port: 0 });
      baseUrl = mock.baseUrl;
      close = () => mock.close();
      stateHookUrl = `${mock.baseUrl.replace(/\/+$/, '')}${STATE_HOOK_PATH}`;
      console.log(`reference server started at ${baseUrl} (provider states on)`);
    } catch (err) {
      console.error(`the reference server could not start: ${(err as Error).message}`);
      return 2;
    }
  } else if (v['state-hook'] && !stateHookUrl) {
    stateHookUrl = `${baseUrl.replace(/\/+$/, '')}${STATE_HOOK_PATH}`;
  }

  try {
    const report = await verifyPacts({ baseUrl: baseUrl as string, stateHookUrl, token: v.token, pactFiles: files, logLevel });
    console.log(`\n${formatReport(report)}`);
    if (!report.ok) return 1;
    if (report.pending > 0 && v['fail-on-pending']) return 3;
    return 0;
  } finally {
    await close?.();
  }
}

process.exitCode = await main();

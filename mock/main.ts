/**
 * `npx conformance mock`: starts the reference server, prints its base URL and
 * the demo tokens, and stops cleanly on SIGINT/SIGTERM. src/cli.ts calls
 * `runMockCli`; this file also runs on its own:
 *   npx tsx mock/main.ts --port 8080 --seed 42 --orders 60 --export-window-s 300 --step-ms 1000 --variant bare-list,action-204
 */
import { pathToFileURL } from 'node:url';
import { ConformanceError, asConformanceError } from '../src/errors.ts';
import { DEMO_TOKENS, behaviourOf, startMock, type RunningMock, type StartOptions } from './index.ts';

export interface MockCliOptions extends Omit<StartOptions, 'seed' | 'orders' | 'exportWindowS' | 'stepMs' | 'exportMs' | 'port'> {
  seed?: number | string;
  orders?: number | string;
  exportWindowS?: number | string;
  stepMs?: number | string;
  exportMs?: number | string;
  port?: number | string;
  /** where the start-up lines go (default: stdout) */
  print?: (line: string) => void;
  /** stop on SIGINT/SIGTERM (default true) */
  handleSignals?: boolean;
}

export interface RunningMockCli extends RunningMock {
  /** settles once the server has stopped (after a signal or close()) */
  stopped: Promise<void>;
}

export async function runMockCli(opts: MockCliOptions = {}): Promise<RunningMockCli> {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { print: _p, handleSignals = true, ...rest } = opts;
  const { variants, behaviour } = behaviourOf(rest.variants);
  const mock = await startMock(rest as StartOptions);
  print(`Order Tracking API reference server listening on ${mock.baseUrl}`);
  if (variants.length > 0) print(`Provider variants: ${variants.join(', ')}`);
  print(`Demo tokens (Authorization: ${behaviour.authScheme} <token>):`);
  for (const [user, token] of Object.entries(DEMO_TOKENS)) print(`  ${user.padEnd(16)} ${token}`);
  print('Press Ctrl+C to stop.');

  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  let closing: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    print(`Received ${signal}, stopping.`);
    void close();
  };
  const close = (): Promise<void> => {
    closing ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await mock.close();
      resolveStopped();
    })();
    return closing;
  };
  if (handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return { ...mock, close, stopped };
}

/** `--name value` / `--name=value` pairs, for running this file directly. */
function parseArgs(argv: string[]): MockCliOptions {
  const names: Record<string, keyof MockCliOptions> = {
    '--port': 'port',
    '--host': 'host',
    '--seed': 'seed',
    '--orders': 'orders',
    '--export-window-s': 'exportWindowS',
    '--step-ms': 'stepMs',
    '--export-ms': 'exportMs',
    '--variant': 'variants',
  };
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--provider-states') {
      out.providerStates = true;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? (arg.split(/=(.*)/s, 2) as [string, string]) : [arg, undefined];
    const key = names[flag];
    if (!key) throw new ConformanceError('CONF_ERR_BAD_OPTION', `unknown option ${flag}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConformanceError('CONF_ERR_BAD_OPTION', `${flag} needs a value`);
    out[key] = value;
  }
  return out as MockCliOptions;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runMockCli(parseArgs(process.argv.slice(2))).catch((err: unknown) => {
    const e = asConformanceError(err);
    process.stderr.write(`${e.code}: ${e.message}\n`);
    process.exitCode = e.exitCode;
  });
}

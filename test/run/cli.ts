/**
 * Runs the command line as a user does (`npx tsx src/cli.ts …`) in a child
 * process, with a clean environment (no CONFORMANCE_* variable leaks in from
 * the caller) and a hard deadline, and returns what it printed.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');

export interface CliOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function runCli(args: string[], opts: { env?: Record<string, string>; deadlineMs?: number; cwd?: string } = {}): Promise<CliOutcome> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CONFORMANCE_') && !k.startsWith('VITEST')) env[k] = v;
  Object.assign(env, { NO_COLOR: '1', FORCE_COLOR: '0' }, opts.env ?? {});
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [TSX_CLI, resolve(REPO, 'src/cli.ts'), ...args], { cwd: opts.cwd ?? REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.deadlineMs ?? 90_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Runs the command line in this process (`main`) and returns its exit status and what it wrote to stderr. */
export async function mainWithStderr(args: string[]): Promise<{ code: number; stderr: string }> {
  const { main } = await import('../../src/cli.ts');
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => {
    lines.push(String(s));
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(args), stderr: lines.join('') };
  } finally {
    process.stderr.write = write;
    process.exitCode = undefined;
  }
}

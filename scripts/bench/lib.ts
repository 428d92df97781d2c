/**
 * Shared helpers of the benchmark: child processes that announce themselves
 * on one line, peak memory read from /proc, medians, and cleanup.
 *
 * Every server and every measured workload runs in a child process of its
 * own (`node --import tsx <script> <json args>`), so that the server's CPU
 * never competes in-process with the client, and each process's peak memory
 * is its own. A child prints exactly one line starting with `@@` followed by
 * JSON: `@@READY {...}` for a server, `@@RESULT {...}` for a workload.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BENCH_DIR = resolve(ROOT, 'scripts/bench');

const live = new Set<ChildProcess>();

/** Kills every child still running (on exit, on a signal, after an error). */
export function killAll(): void {
  for (const c of live) {
    if (c.pid === undefined) continue;
    try {
      // the child leads a process group of its own: its own children (Prism's workers) go too
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

export interface Child<T> {
  proc: ChildProcess;
  pid: number;
  /** the JSON of the child's `@@` line */
  message: T;
  /** stops the child and waits for it to exit (bounded) */
  stop(): Promise<void>;
  /** the child's peak resident memory so far, in bytes (VmHWM), while it runs */
  peakRss(): number | undefined;
}

/**
 * Starts `node --import tsx scripts/bench/<script>` with `args` as JSON and
 * resolves with its first `@@` line. Rejects when the child exits first or
 * the line does not come within `timeoutMs`.
 */
export function startChild<T>(script: string, args: unknown, opts: { timeoutMs?: number; nodeArgs?: string[]; cmd?: string[]; immediate?: boolean } = {}): Promise<Child<T>> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const cmd = opts.cmd ?? [process.execPath, ...(opts.nodeArgs ?? []), '--import', 'tsx', resolve(BENCH_DIR, script), JSON.stringify(args)];
  const proc = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' }, detached: true });
  live.add(proc);
  const pid = proc.pid!;
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      live.delete(proc);
      return;
    }
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    const group = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-pid, sig);
      } catch {
        // gone
      }
    };
    group('SIGTERM');
    const t = setTimeout(() => group('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    group('SIGKILL'); // anything the child left behind in its group
    live.delete(proc);
  };
  if (opts.immediate) {
    // a foreign program (Prism): no `@@` line; the caller polls it
    proc.stdout!.resume();
    return Promise.resolve({ proc, pid, message: undefined as T, stop, peakRss: () => peakRss(pid) });
  }
  return new Promise((resolvePromise, reject) => {
    let buf = '';
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      void stop();
      reject(new Error(`${script}: no answer within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    proc.stdout!.on('data', (d: Buffer) => {
      if (done) return;
      buf += d.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^@@\w+ (.*)$/.exec(line);
        if (!m) continue;
        done = true;
        clearTimeout(timer);
        let message: T;
        try {
          message = JSON.parse(m[1]!) as T;
        } catch (err) {
          reject(err as Error);
          return;
        }
        resolvePromise({ proc, pid, message, stop, peakRss: () => peakRss(pid) });
        return;
      }
      if (buf.length > 1_000_000) buf = buf.slice(-10_000);
    });
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before answering\n${stderr}`));
    });
  });
}

/** Runs a workload child to completion and returns its result and peak memory. */
export async function runChild<T>(script: string, args: unknown, timeoutMs = 600_000, nodeArgs: string[] = []): Promise<T> {
  const c = await startChild<T>(script, args, { timeoutMs, nodeArgs });
  await c.stop();
  return c.message;
}

/** Peak resident set size of a live process, in bytes (Linux /proc). */
export function peakRss(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** A child's own report of its peak memory, in bytes. */
export function ownPeakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** CPU time (user + system) this process has used since `since`, in ms. */
export function cpuMs(since?: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

export function median(xs: number[]): number {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const MiB = 1024 * 1024;

/** In a child: announce the one JSON line the parent waits for. */
export function announce(kind: 'READY' | 'RESULT', value: unknown): void {
  process.stdout.write(`@@${kind} ${JSON.stringify(value)}\n`);
}

/** In a child: the JSON arguments given on the command line. */
export function childArgs<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

/** In a server child: stop cleanly on SIGTERM. */
export function onStop(fn: () => Promise<void> | void): void {
  const go = (): void => {
    void Promise.resolve(fn()).finally(() => process.exit(0));
  };
  process.once('SIGTERM', go);
  process.once('SIGINT', go);
}

/** A port free on 127.0.0.1 now, for a server started with it on its command line (Prism, socat). */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

/**
 * `conformance pact verify` as the installed kit runs it (bin/conformance.mjs),
 * with the exit codes of `run` (issue 18): against the reference server
 * without its state hook, PARTIAL with the 13 pending interactions named and
 * exit 1 (0 with --allow-pending); against nothing listening, exit 2 within
 * 5 s with CONF_ERR_UNREACHABLE and no stack trace. Output written to a pipe
 * carries no ANSI colour, NO_COLOR or not.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock } from '../mock/index.ts';
import { REPO_ROOT } from './config.ts';

const BIN = join(REPO_ROOT, 'bin', 'conformance.mjs');

function conformance(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, PACT_DO_NOT_TRACK: 'true', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** A port nothing listens on. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

// eslint-disable-next-line no-control-regex
const ANSI = /[\u001b\u009b]/;

let mock: Awaited<ReturnType<typeof startMock>>;
beforeAll(async () => {
  mock = await startMock({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await mock?.close();
});

describe('conformance pact verify', () => {
  it('against the reference server without the hook: PARTIAL, the 13 pending named, exit 1; no colour in a pipe', async () => {
    const r = await conformance(['pact', 'verify', '--base-url', mock.baseUrl]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('Pact verification: PARTIAL — 1 passed, 0 failed, 13 pending of 14');
    const named = /PARTIAL: 13 interactions not verified \(no state hook\): (.*)/.exec(r.stdout)?.[1] ?? '';
    expect(named.match(/"[^"]+"/g)).toHaveLength(13);
    expect(named).toContain('"a termination request for an active order"');
    expect(r.stdout + r.stderr).not.toMatch(ANSI);
  }, 60_000);

  it('--allow-pending accepts a PARTIAL with no failure: exit 0; NO_COLOR honoured', async () => {
    const r = await conformance(['pact', 'verify', '--base-url', mock.baseUrl, '--allow-pending'], { NO_COLOR: '1' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Pact verification: PARTIAL');
    expect(r.stdout + r.stderr).not.toMatch(ANSI);
  }, 60_000);

  it('against nothing listening: exit 2 in under 5 s with CONF_ERR_UNREACHABLE, no stack trace', async () => {
    const port = await freePort();
    const r = await conformance(['pact', 'verify', '--base-url', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(5_000);
    expect(r.stderr).toMatch(/^conformance: .*\[CONF_ERR_UNREACHABLE\]\n$/);
    expect(r.stderr + r.stdout).not.toMatch(/\n\s+at /);
  }, 30_000);
});

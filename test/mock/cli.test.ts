/**
 * `runMockCli`: prints the base URL and the three demo tokens, serves, and
 * stops cleanly; run as a process, it stops on SIGTERM with exit status 0.
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_TOKENS } from '../../mock/index.ts';
import { runMockCli } from '../../mock/main.ts';
import { call } from './helpers.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('runMockCli', () => {
  it('prints the base URL and the demo tokens, serves, and closes', async () => {
    const lines: string[] = [];
    const m = await runMockCli({ port: '0', seed: '3', orders: '12', exportWindowS: '10', stepMs: '5', print: (l) => lines.push(l), handleSignals: false });
    try {
      expect(lines[0]).toBe(`Order Tracking API reference server listening on ${m.baseUrl}`);
      for (const [user, token] of Object.entries(DEMO_TOKENS)) expect(lines.some((l) => l.includes(user) && l.includes(token))).toBe(true);
      const r = await call(m.baseUrl, 'GET', '/api/v1/order/', { token: DEMO_TOKENS.customerB_user1, op: 'listOrders' });
      expect(r.json.count).toBe(3);
    } finally {
      await m.close();
    }
    await m.stopped;
  });

  it('refuses a malformed option with CONF_ERR_BAD_OPTION', async () => {
    await expect(runMockCli({ orders: 'many', print: () => {}, handleSignals: false })).rejects.toMatchObject({ code: 'CONF_ERR_BAD_OPTION' });
  });

  it('as a process, stops on SIGTERM with exit status 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'mock/main.ts', '--port', '0', '--orders', '8'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start-up line: ${out}`)), 20_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m && out.includes('Press Ctrl+C')) {
          clearTimeout(timer);
          resolveUrl(m[1] as string);
        }
      });
      child.on('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const r = await call(url, 'GET', '/api/v1/terminate_reason/', { op: 'listTerminateReasons' });
    expect(r.status).toBe(200);
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('Received SIGTERM, stopping.');
  });
});

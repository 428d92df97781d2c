/**
 * `conformance proxy` as a command: it prints where it listens, a line per
 * finding as the client's requests pass, and on SIGTERM writes both reports
 * (the two verdicts side by side in conformance.json) and exits 1 when a
 * verdict is FAIL. A file that is no recording is refused with
 * CONF_ERR_CASSETTE.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');
const dir = mkdtempSync(join(tmpdir(), 'conformance-proxy-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('conformance proxy', () => {
  it('prints findings as they come, and on SIGTERM writes the two verdicts and exits 1', async () => {
    const reports = join(dir, 'reports');
    const cassette = join(dir, 'c.jsonl');
    const child = spawn(process.execPath, [TSX_CLI, 'src/cli.ts', 'proxy', '--port', '0', '--report-dir', reports, '--record', cassette], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const url = await new Promise<string>((resolve, reject) => {
      const t = setInterval(() => {
        const m = /listening on (http:\/\/[^,\s]+)/.exec(stdout);
        if (m?.[1]) {
          clearInterval(t);
          resolve(m[1]);
        }
      }, 50);
      child.on('exit', () => reject(new Error(`exited early: ${stdout}`)));
    });
    const r = await fetch(`${url}/api/v1/order`, { headers: { authorization: 'Bearer demo-token-a1' } });
    await r.arrayBuffer();
    const ok = await fetch(`${url}/api/v1/terminate_reason/`, { headers: { authorization: 'Bearer demo-token-a1' } });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    await new Promise((res) => setTimeout(res, 200));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(code, stdout).toBe(1);
    expect(stdout).toMatch(/CLIENT {3}error {3}CLI-REQUEST client_request #1: request path: expected a trailing slash/);
    expect(stdout).toMatch(/^CLIENT +FAIL/m);
    expect(stdout).toMatch(/^PROVIDER +PASS/m);
    expect(stdout).not.toContain('demo-token-a1');
    const both = JSON.parse(readFileSync(join(reports, 'conformance.json'), 'utf8'));
    expect(both).toMatchObject({ kind: 'proxy', exchanges: 2, client: { verdict: 'FAIL' }, provider: { verdict: 'PASS' } });
    expect(readFileSync(join(reports, 'client', 'junit.xml'), 'utf8')).toContain('client_request');
    expect(readFileSync(join(reports, 'summary.md'), 'utf8')).toContain('**Client**: FAIL');
    expect(readFileSync(cassette, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
  }, 30_000);

  it('a --target that is no http(s) URL, or a port taken, is refused with CONF_ERR_PROXY_START', async () => {
    const { startProxy } = await import('../../src/proxy/server.ts');
    const { loadSpec } = await import('../../src/contract/load.ts');
    await expect(startProxy({ spec: loadSpec(), target: 'ftp://example.com' })).rejects.toMatchObject({ code: 'CONF_ERR_PROXY_START' });
    const first = await startProxy({ spec: loadSpec(), target: 'http://127.0.0.1:9' });
    try {
      const port = Number(new URL(first.url).port);
      await expect(startProxy({ spec: loadSpec(), target: 'http://127.0.0.1:9', port })).rejects.toMatchObject({ code: 'CONF_ERR_PROXY_START', message: expect.stringContaining('EADDRINUSE') });
    } finally {
      await first.close();
    }
  });

  it('judge refuses a file that is no recording with CONF_ERR_CASSETTE, exit 2', async () => {
    const bad = join(dir, 'bad.har');
    writeFileSync(bad, '{"hello": 1}\n');
    const errs: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (errs.push(String(s)), true)) as typeof process.stderr.write;
    try {
      expect(await main(['judge', bad, '--report-dir', join(dir, 'r2')])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(errs.join('')).toMatch(/CONF_ERR_CASSETTE/);
  });

  it("judge tells a client recording from a run's cassette: a HAR gets the two verdicts (client/ and provider/ reports)", async () => {
    const har = join(dir, 'one.har');
    const body = JSON.stringify({ terminate_reasons: ['Déménagement'] });
    writeFileSync(
      har,
      JSON.stringify(
        {
          log: {
            version: '1.2',
            creator: { name: 'test', version: '1' },
            entries: [
              {
                startedDateTime: '2026-12-01T10:00:00.000Z',
                time: 5,
                request: { method: 'GET', url: 'http://127.0.0.1:9/api/v1/terminate_reason/', httpVersion: 'HTTP/1.1', headers: [{ name: 'Authorization', value: 'Bearer abcdefgh' }], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
                response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [{ name: 'Content-Type', value: 'application/json' }], cookies: [], content: { size: body.length, mimeType: 'application/json', text: body }, redirectURL: '', headersSize: -1, bodySize: body.length },
                cache: {},
                timings: { send: 0, wait: 5, receive: 0 },
              },
            ],
          },
        },
        null,
        2,
      ),
    );
    const reports = join(dir, 'r-har');
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['judge', har, '--report-dir', reports]);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    expect(readFileSync(join(reports, 'summary.md'), 'utf8')).toContain('**Client**: PASS');
    expect(readFileSync(join(reports, 'client', 'conformance.json'), 'utf8')).toContain('client_auth');
  });
});

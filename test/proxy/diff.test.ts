/**
 * `conformance diff` of two sessions of client traffic (issue 15): the
 * top-level conformance.json of a session is a Report (the provider's verdict
 * and results, the client's under `client`), so diff reads it, and a check
 * of the client newly failing is a regression (exit 1) though the provider's
 * verdict did not move; the same session twice is no difference.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffCommand } from '../../src/report/diff.ts';
import { parseReport } from '../../src/report/read.ts';
import { writeSessionReports } from '../../src/proxy/report.ts';
import { startProxy } from '../../src/proxy/server.ts';
import { loadSpec } from '../../src/contract/load.ts';

const spec = loadSpec();
const dir = mkdtempSync(join(tmpdir(), 'conformance-proxy-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One session through the proxy in front of the bundled server: the given paths, with the demo credential. */
async function session(name: string, paths: string[]): Promise<string> {
  const proxy = await startProxy({ spec });
  try {
    for (const p of paths) await (await fetch(`${proxy.url}${p}`, { headers: { authorization: 'Bearer demo-token-a1' } })).arrayBuffer();
  } finally {
    await proxy.close();
  }
  await writeSessionReports(join(dir, name), proxy.judge, { target: proxy.target, embedded: true, startedAt: proxy.startedAt, source: 'proxy' });
  return join(dir, name, 'conformance.json');
}

async function diff(a: string, b: string): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await diffCommand(a, b, (l) => lines.push(l));
  return { code, text: lines.join('\n') };
}

describe('conformance diff of two proxy sessions', () => {
  it('a client regression is a regression, the provider side unchanged', async () => {
    const good = await session('good', ['/api/v1/order/', '/api/v1/terminate_reason/']);
    // the same client, now asking the list once more without its trailing slash
    const bad = await session('bad', ['/api/v1/order/', '/api/v1/order', '/api/v1/terminate_reason/']);
    const top = parseReport(readFileSync(bad, 'utf8'), bad);
    expect(top.verdict).toBe('PASS');
    expect(top.client?.verdict).toBe('FAIL');
    expect(top.results.some((r) => r.check.startsWith('client_'))).toBe(false);
    expect(top.client?.results.find((r) => r.check === 'client_request')?.status).toBe('fail');

    const d = await diff(good, bad);
    expect(d.code, d.text).toBe(1);
    expect(d.text).toMatch(/provider verdict: PASS \(unchanged\)/);
    expect(d.text).toMatch(/client verdict: PASS → FAIL/);
    expect(d.text).toMatch(/Provider side: no difference/);
    expect(d.text).toMatch(/Client side\n\n {2}Regressions \(1\)\n {4}✗ CLI-REQUEST client_request \(pass → fail\): request path: expected a trailing slash/);
    expect(d.text).toMatch(/Regression \(client: 1 check\(s\)/);

    const back = await diff(bad, good);
    expect(back.code, back.text).toBe(0);
    expect(back.text).toMatch(/Fixed \(1\)\n {4}✓ CLI-REQUEST client_request/);

    const same = await diff(bad, bad);
    expect(same.code).toBe(0);
    expect(same.text).toContain('No difference between the two sessions.');
  }, 20_000);
});

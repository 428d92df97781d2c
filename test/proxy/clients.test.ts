/**
 * The sample clients through the proxy in front of the bundled reference
 * server (issue 15): the careful one passes on both sides; each fault of the
 * careless one is reported under its CLI-* requirement with the exchange as
 * evidence, and the provider verdict stays PASS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carefulClient } from '../../examples/clients/careful.ts';
import { carelessClient } from '../../examples/clients/careless.ts';
import type { LiveFinding } from '../../src/proxy/judge.ts';
import { sessionReports } from '../../src/proxy/report.ts';
import { startProxy, type RunningProxy } from '../../src/proxy/server.ts';
import type { Report, Result } from '../../src/report/types.ts';
import { loadSpec } from '../../src/contract/load.ts';

const spec = loadSpec();

async function session(client: (url: string) => Promise<unknown>): Promise<{ client: Report; provider: Report; live: LiveFinding[]; proxy: RunningProxy }> {
  const live: LiveFinding[] = [];
  const proxy = await startProxy({ spec, mock: { exportMs: 200 }, onFinding: (f) => live.push(f) });
  try {
    await client(proxy.url);
  } finally {
    await proxy.close();
  }
  return { ...sessionReports(proxy.judge, { target: proxy.target, embedded: true, startedAt: proxy.startedAt, source: 'proxy' }), live, proxy };
}

const result = (r: Report, check: string): Result => {
  const x = r.results.find((y) => y.check === check);
  if (!x) throw new Error(`no result for ${check}`);
  return x;
};

describe('the careful client (typed client) through the proxy', () => {
  let s: Awaited<ReturnType<typeof session>>;
  beforeAll(async () => {
    s = await session((url) => carefulClient(url, 'demo-token-a1'));
  });

  it('client PASS: every client check ran and passed', () => {
    expect(s.client.verdict).toBe('PASS');
    for (const r of s.client.results) expect([r.check, r.status]).toEqual([r.check, 'pass']);
    expect(s.live.filter((f) => f.side === 'client')).toEqual([]);
  });

  it('provider PASS, with the answers it saw judged (schemas, statuses, JSON, no 5xx)', () => {
    expect(s.provider.verdict).toBe('PASS');
    for (const c of ['order_list_schema', 'order_detail_schema', 'state_consistency', 'history_order', 'terminate_reasons_schema', 'export_status', 'no_server_errors', 'response_status_declared', 'json_content_type']) expect(result(s.provider, c).status, c).toBe('pass');
    expect(s.provider.results.filter((r) => r.status === 'fail' || r.status === 'warn')).toEqual([]);
  });

  it('no credential reaches a record', () => {
    const text = JSON.stringify(s.proxy.judge.records);
    expect(text).not.toContain('demo-token-a1');
    expect(text).toContain('Bearer $CLIENT_CREDENTIAL_1');
  });
});

describe('the careless client through the proxy', () => {
  let s: Awaited<ReturnType<typeof session>>;
  beforeAll(async () => {
    s = await session((url) => carelessClient(url, 'demo-token-a1'));
  });
  afterAll(() => undefined);

  it('client FAIL, each fault under its requirement with the exchange as evidence', () => {
    expect(s.client.verdict).toBe('FAIL');
    const req = result(s.client, 'client_request');
    expect(req.status).toBe('fail');
    const notes = req.evidence.map((e) => `${e.method} ${e.url} ${e.note}`);
    expect(
      notes.some((n) => /GET \S+\/api\/v1\/order request path: expected a trailing slash/.test(n)),
      notes.join('\n'),
    ).toBe(true);
    expect(
      notes.some((n) => n.includes('?pag_size=5') && n.includes('query parameter "pag_size"')),
      notes.join('\n'),
    ).toBe(true);

    const auth = result(s.client, 'client_auth');
    expect(auth.status).toBe('fail');
    expect(auth.violations).toBe(1);
    expect(auth.evidence[0]?.url).toMatch(/\/api\/v1\/order\/[^/]+\/$/);

    const reason = result(s.client, 'client_reason');
    expect(reason.status).toBe('fail');
    expect(reason.evidence[0]?.requestBody).toContain('Because');
    expect(reason.evidence[0]?.status).toBe(400);

    const rate = result(s.client, 'client_rate');
    expect(rate.status).toBe('fail');
    expect(rate.violations).toBe(1);
    expect(rate.evidence[0]).toMatchObject({ method: 'POST', status: 429 });

    // CLI-POLL is inferred: a warning in the documented profile, never silent
    const poll = result(s.client, 'client_poll');
    expect(poll.status).toBe('warn');
    expect(poll.message).toContain('between polls');
    expect(poll.evidence.some((e) => e.note?.includes('expected no poll after it answered success: true'))).toBe(true);
  });

  it('each fault was told as it happened, once, under its requirement', () => {
    const ids = new Set(s.live.filter((f) => f.side === 'client').map((f) => f.requirement));
    expect([...ids].sort()).toEqual(['CLI-AUTH', 'CLI-POLL', 'CLI-RATE', 'CLI-REASON', 'CLI-REQUEST']);
  });

  it('the provider verdict stays PASS: a client fault never fails the provider', () => {
    expect(s.provider.verdict).toBe('PASS');
    expect(s.provider.results.filter((r) => r.status === 'fail')).toEqual([]);
  });
});

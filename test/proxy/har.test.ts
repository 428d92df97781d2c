/**
 * HAR 1.2 entries as exchange records (src/proxy/har.ts), on data: a base64
 * body kept as bytes, a decoded body whose Content-Encoding is dropped, a
 * request that got no answer (status 0), credentials masked, and entries
 * that are not entries refused with CONF_ERR_CASSETTE.
 */
import { describe, expect, it } from 'vitest';
import { fromRecord } from '../../src/cassette/record.ts';
import { ConformanceError } from '../../src/errors.ts';
import { harToRecords, isHar, type Har } from '../../src/proxy/har.ts';

const entry = (over: Partial<Har['log']['entries'][number]> = {}): Har['log']['entries'][number] => ({
  startedDateTime: '2026-01-01T10:00:00.000+01:00',
  time: 12.6,
  request: {
    method: 'get',
    url: 'https://api.example/api/v1/order/?token=sekret-token-1',
    headers: [
      { name: 'Authorization', value: 'Bearer sekret-token-1' },
      { name: ':authority', value: 'api.example' },
    ],
  },
  response: {
    status: 200,
    headers: [
      { name: 'Content-Type', value: 'application/json' },
      { name: 'Content-Encoding', value: 'br' },
      { name: 'Content-Length', value: '20' },
    ],
    content: { size: 2, mimeType: 'application/json', text: '[]' },
  },
  ...over,
});

describe('harToRecords', () => {
  it('reads an entry: time, method, headers (pseudo-headers left out), the body decoded and its encoding dropped, credentials masked', () => {
    const har: Har = { log: { version: '1.2', entries: [entry()] } };
    expect(isHar(har)).toBe(true);
    const [r] = harToRecords(har);
    expect(r).toMatchObject({ seq: 1, at: '2026-01-01T09:00:00.000Z', durationMs: 13, request: { method: 'GET', headers: { authorization: 'Bearer $CLIENT_CREDENTIAL_1' } }, response: { status: 200, body: '[]', bytes: 2 } });
    expect(r?.request.url).toBe('https://api.example/api/v1/order/?token=$CLIENT_CREDENTIAL_1');
    expect(r?.request.headers?.[':authority']).toBeUndefined();
    expect(r?.response?.headers).toEqual({ 'content-type': 'application/json' });
    expect(fromRecord(r!).json()).toEqual([]);
    expect(JSON.stringify(r)).not.toContain('sekret-token-1');
  });

  it('keeps a base64 body as its bytes, and a request without an answer as an error', () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0xff, 0x00, 0x80]);
    const [bin, none] = harToRecords({
      log: {
        entries: [entry({ response: { status: 200, headers: [], content: { size: pdf.length, mimeType: 'application/pdf', text: pdf.toString('base64'), encoding: 'base64' } } }), entry({ response: { status: 0, headers: [], content: { size: 0 }, _error: 'net::ERR_CONNECTION_RESET' } })],
      },
    });
    expect(fromRecord(bin!).body.equals(pdf)).toBe(true);
    expect(bin?.response?.headers?.['content-type']).toBe('application/pdf');
    expect(none?.response).toBeUndefined();
    expect(none?.error?.message).toContain('ERR_CONNECTION_RESET');
  });

  it('refuses an entry without a request, or without a date, naming it', () => {
    const bad = (e: unknown) => () => harToRecords({ log: { entries: [entry(), e as Har['log']['entries'][number]] } });
    expect(bad({ startedDateTime: 'x' })).toThrow(ConformanceError);
    expect(bad({ startedDateTime: 'x' })).toThrow(/HAR entry 1/);
    expect(bad(entry({ startedDateTime: 'yesterday' }))).toThrow(/startedDateTime/);
  });
});

describe('the traffic judge, fed one record at a time', () => {
  it('tells a call sent before the Retry-After of its 429 as it comes, once', async () => {
    const { TrafficJudge } = await import('../../src/proxy/judge.ts');
    const { loadSpec } = await import('../../src/contract/load.ts');
    const judge = new TrafficJudge({ spec: loadSpec() });
    const rec = (at: string, status: number, headers: Record<string, string> = {}) => ({
      at,
      request: { method: 'GET', url: 'http://127.0.0.1:9/api/v1/order/', headers: { authorization: 'Bearer $CLIENT_CREDENTIAL_1' } },
      response: { status, headers: { 'content-type': 'application/json', ...headers }, body: status === 200 ? '[]' : '{"detail":"slow down"}' },
    });
    expect(judge.add(rec('2026-01-01T10:00:00.000Z', 429, { 'retry-after': '5' })).filter((f) => f.side === 'client')).toEqual([]);
    const early = judge.add(rec('2026-01-01T10:00:01.000Z', 200)).filter((f) => f.side === 'client');
    expect(early.map((f) => f.requirement)).toEqual(['CLI-RATE']);
    expect(early[0]?.message).toContain('listOrders 1.0 s after a 429 with Retry-After: 5');
    expect(judge.add(rec('2026-01-01T10:00:06.000Z', 200)).filter((f) => f.side === 'client')).toEqual([]);
    expect(judge.results().client.find((r) => r.check === 'client_rate')).toMatchObject({ status: 'fail', violations: 1, examined: 2 });
  });
});

describe('a run and the client checks', () => {
  it('a run does not select a client check: --checks client_request is refused, naming the commands that judge it', async () => {
    const { resolveOptions } = await import('../../src/engine/options.ts');
    expect(() => resolveOptions({ checks: 'client_request' })).toThrow(/client_request judges a client, not a provider \(conformance proxy, conformance judge\)/);
    expect(() => resolveOptions({ excludeChecks: 'client_poll,rate_limit' })).toThrow(/CONF_ERR_BAD_OPTION|client_poll/);
    const { CHECKS, CLIENT_CHECKS } = await import('../../src/checks/catalog.ts');
    expect(CHECKS).toHaveLength(44);
    expect(CLIENT_CHECKS.map((c) => c.requirement)).toEqual(['CLI-REQUEST', 'CLI-AUTH', 'CLI-REASON', 'CLI-RATE', 'CLI-POLL']);
  });
});

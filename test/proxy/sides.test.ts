/**
 * The two verdicts stay apart, and a recording judges as the proxy does
 * (issue 15):
 * - the careful client through the proxy, in front of the reference server
 *   seen through a provider fault of the fault catalogue: provider FAIL under
 *   the fault's check, client PASS;
 * - a HAR 1.2 file built from the proxy's records as a browser writes one
 *   (credentials in clear, a gzip-compressed answer kept decoded, a binary
 *   download in base64) judged to the same results as the proxy's session,
 *   and its cassette too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { carefulClient } from '../../examples/clients/careful.ts';
import { carelessClient } from '../../examples/clients/careless.ts';
import { startMock } from '../../mock/index.ts';
import type { ExchangeRecord } from '../../src/cassette/record.ts';
import { judgeCommand } from '../../src/proxy/command.ts';
import { sessionReports } from '../../src/proxy/report.ts';
import { startProxy } from '../../src/proxy/server.ts';
import type { Report } from '../../src/report/types.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { FAULTS } from '../faults/faults.ts';
import { startProxy as startFaultProxy } from '../faults/proxy.ts';

const spec = loadSpec();
const dir = mkdtempSync(join(tmpdir(), 'conformance-proxy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const outcome = (r: Report) => Object.fromEntries(r.results.map((x) => [x.check, `${x.status}:${x.violations}`]));

describe('a provider fault behind the proxy', () => {
  it("provider FAIL under the fault's check, client PASS", async () => {
    const fault = FAULTS.find((f) => f.name === 'detail-securing-as-string');
    expect(fault?.breaks).toBe('order_detail_schema');
    const mock = await startMock({ exportMs: 200 });
    const faulty = await startFaultProxy({ upstream: mock.baseUrl, fault });
    const proxy = await startProxy({ spec, target: faulty.baseUrl });
    try {
      await carefulClient(proxy.url, 'demo-token-a1', { pollMs: 1000 });
    } finally {
      await proxy.close();
      await faulty.close();
      await mock.close();
    }
    const r = sessionReports(proxy.judge, { target: proxy.target, embedded: false, startedAt: proxy.startedAt, source: 'proxy' });
    expect(r.provider.verdict).toBe('FAIL');
    const detail = r.provider.results.find((x) => x.check === 'order_detail_schema');
    expect(detail?.status).toBe('fail');
    expect(detail?.evidence[0]?.pointer).toBe('/securing');
    expect(r.client.verdict).toBe('PASS');
    expect(r.client.results.every((x) => x.status === 'pass')).toBe(true);
  });
});

describe('states that disagree across what the client saw', () => {
  it('a detail that contradicts the list before it: state_consistency warns, unconfirmed; the client passes', async () => {
    const fault = FAULTS.find((f) => f.name === 'detail-cancelled-reads-terminated');
    expect(fault?.breaks).toBe('state_consistency');
    const mock = await startMock({});
    const faulty = await startFaultProxy({ upstream: mock.baseUrl, fault });
    const proxy = await startProxy({ spec, target: faulty.baseUrl });
    const auth = { authorization: 'Bearer demo-token-a1' };
    try {
      type Item = { order_reference: string; state: string };
      const page = (await (await fetch(`${proxy.url}/api/v1/order/?page_size=1000`, { headers: auth })).json()) as Item[] | { results: Item[] };
      const list = Array.isArray(page) ? page : page.results;
      const cancelled = list.find((o) => o.state === 'cancelled');
      const other = list.find((o) => o.state !== 'cancelled');
      expect(cancelled && other).toBeTruthy();
      for (const o of [cancelled, other]) await (await fetch(`${proxy.url}/api/v1/order/${o?.order_reference}/`, { headers: auth })).arrayBuffer();
    } finally {
      await proxy.close();
      await faulty.close();
      await mock.close();
    }
    const r = sessionReports(proxy.judge, { target: proxy.target, embedded: false, startedAt: proxy.startedAt, source: 'proxy' });
    const c = r.provider.results.find((x) => x.check === 'state_consistency');
    expect(c).toMatchObject({ status: 'warn', violations: 1, examined: 2 });
    expect(c?.message).toMatch(/the list says "cancelled" but the detail [0-9.]+ s later says "terminated" \(not confirmed/);
    expect(r.client.verdict).toBe('PASS');
  });
});

/** A HAR 1.2 file of records, written as a browser's network panel writes one. */
function toHar(records: ExchangeRecord[], token: string): unknown {
  let gzipped = 0;
  const entries = records.map((r) => {
    const clear = (h: Record<string, string> = {}) => Object.entries(h).map(([name, value]) => ({ name, value: value.replace('$CLIENT_CREDENTIAL_1', token) }));
    const url = new URL(r.request.url);
    const res = r.response;
    const headers = clear(res?.headers);
    const type = res?.headers?.['content-type'] ?? '';
    let content: Record<string, unknown> = { size: 0, mimeType: type };
    if (res?.body !== undefined || res?.bodyBase64 !== undefined) {
      const bytes = res.bodyBase64 !== undefined ? Buffer.from(res.bodyBase64, 'base64') : Buffer.from(res.body ?? '', 'utf8');
      // a binary answer as browsers keep it: base64; text as text
      content = /json|csv|text/.test(type) ? { size: bytes.length, mimeType: type, text: bytes.toString('utf8') } : { size: bytes.length, mimeType: type, text: bytes.toString('base64'), encoding: 'base64' };
      if (/json/.test(type) && gzipped++ === 0) {
        // the server compressed this one: HAR keeps the text decoded, and says so in the headers and `compression`
        headers.push({ name: 'Content-Encoding', value: 'gzip' });
        content.compression = Math.floor(bytes.length / 2);
      }
    }
    return {
      startedDateTime: r.at,
      time: r.durationMs ?? 0,
      request: {
        method: r.request.method,
        url: r.request.url,
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: clear(r.request.headers),
        queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
        ...(r.request.body !== undefined ? { postData: { mimeType: 'application/json', text: r.request.body } } : {}),
        headersSize: -1,
        bodySize: r.request.body === undefined ? 0 : Buffer.byteLength(r.request.body),
      },
      response: res
        ? { status: res.status, statusText: '', httpVersion: 'HTTP/1.1', cookies: [], headers, content, redirectURL: '', headersSize: -1, bodySize: -1 }
        : { status: 0, statusText: '', httpVersion: '', cookies: [], headers: [], content: { size: 0, mimeType: 'x-unknown' }, redirectURL: '', headersSize: -1, bodySize: -1, _error: r.error?.message },
      cache: {},
      timings: { send: 0, wait: r.durationMs ?? 0, receive: 0 },
    };
  });
  return { log: { version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, pages: [], entries } };
}

describe('a HAR recording, judged', () => {
  it("judges to the same results as the proxy saw, and so does the proxy's cassette", async () => {
    const cassette = join(dir, 'session.jsonl');
    const proxy = await startProxy({ spec, mock: { exportMs: 200 }, record: cassette });
    try {
      await carefulClient(proxy.url, 'demo-token-a1', { pollMs: 1000 });
      await carelessClient(proxy.url, 'demo-token-a2');
    } finally {
      await proxy.close();
    }
    const live = sessionReports(proxy.judge, { target: proxy.target, embedded: true, startedAt: proxy.startedAt, source: 'proxy' });
    const records = proxy.judge.records;
    expect(records.some((r) => r.response?.headers?.['content-type'] === 'application/pdf')).toBe(true);
    const harFile = join(dir, 'traffic.har');
    const har = toHar(records, 'demo-token-a1');
    writeFileSync(harFile, JSON.stringify(har));
    const harText = readFileSync(harFile, 'utf8');
    expect(harText).toContain('Bearer demo-token-a1');
    expect(harText).toContain('"encoding":"base64"');
    expect(harText).toContain('{"name":"Content-Encoding","value":"gzip"}');

    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const harDir = join(dir, 'har');
    expect(await judgeCommand(harFile, { reportDir: harDir }, io)).toBe(1);
    const fromHar = { client: JSON.parse(readFileSync(join(harDir, 'client', 'conformance.json'), 'utf8')) as Report, provider: JSON.parse(readFileSync(join(harDir, 'provider', 'conformance.json'), 'utf8')) as Report };
    expect(outcome(fromHar.client)).toEqual(outcome(live.client));
    expect(outcome(fromHar.provider)).toEqual(outcome(live.provider));
    expect(live.client.verdict).toBe('FAIL');
    expect(live.provider.verdict).toBe('PASS');
    // the recording's credentials never reach a report or a line printed
    for (const f of ['conformance.json', 'summary.md', 'client/conformance.json', 'client/junit.xml', 'client/index.html', 'provider/conformance.json']) expect(readFileSync(join(harDir, f), 'utf8'), f).not.toContain('demo-token-a1');
    expect(lines.join('\n')).not.toContain('demo-token-a1');
    expect(JSON.parse(readFileSync(join(harDir, 'conformance.json'), 'utf8'))).toMatchObject({ kind: 'har', client: { verdict: 'FAIL' }, provider: { verdict: 'PASS' } });

    const cassetteDir = join(dir, 'cassette');
    const text = readFileSync(cassette, 'utf8');
    expect(JSON.parse(text.split('\n')[0] ?? '')).toMatchObject({ cassette: 1, kind: 'proxy' });
    expect(text).not.toContain('demo-token-a');
    expect(await judgeCommand(cassette, { reportDir: cassetteDir }, io)).toBe(1);
    const fromCassette = JSON.parse(readFileSync(join(cassetteDir, 'client', 'conformance.json'), 'utf8')) as Report;
    expect(outcome(fromCassette)).toEqual(outcome(live.client));
  });
});

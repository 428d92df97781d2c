/**
 * One cassette reader (issue 15): the proxy's cassette is the run's header
 * with `"kind":"proxy"`, read by src/cassette/file.ts like a run's; the kind
 * tells a client's traffic from a run's, and `conformance judge` takes each
 * to its own judging. Unit tests on data, no server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCassette } from '../../src/cassette/file.ts';
import type { ExchangeRecord } from '../../src/cassette/record.ts';
import { cassetteLines } from '../../src/proxy/cassette.ts';
import { readRecording } from '../../src/proxy/command.ts';

const dir = mkdtempSync(join(tmpdir(), 'conformance-proxy-cassette-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record: ExchangeRecord = {
  seq: 1,
  at: '2026-12-01T12:00:00.000Z',
  request: { method: 'GET', url: 'http://127.0.0.1:1/api/v1/terminate_reason/', headers: { authorization: 'Bearer $CLIENT_CREDENTIAL_1' } },
  response: { status: 200, headers: { 'content-type': 'application/json' }, body: '[]' },
};
const proxyHeader = { cassette: 1 as const, kind: 'proxy' as const, tool: { name: 'order-tracking-conformance proxy', version: '0' }, contract: 'abc', target: 'http://127.0.0.1:1', startedAt: record.at as string };

describe("the proxy cassette, read by the run's reader", () => {
  it("gives the kind: proxy for the proxy's header, run for a header without one", () => {
    const c = parseCassette(cassetteLines(proxyHeader, [record]));
    expect(c.kind).toBe('proxy');
    expect(c.records).toEqual([record]);
    const { kind: _k, ...runHeader } = proxyHeader;
    expect(parseCassette(`${JSON.stringify(runHeader)}\n${JSON.stringify(record)}\n`).kind).toBe('run');
  });

  it('reads a proxy header written before it named the contract; refuses a kind it does not know, and a run header without a contract', () => {
    expect(parseCassette(`${JSON.stringify({ cassette: 1, kind: 'proxy', target: 'http://x', startedAt: record.at })}\n${JSON.stringify(record)}\n`).kind).toBe('proxy');
    expect(() => parseCassette(`${JSON.stringify({ ...proxyHeader, kind: 'pcap' })}\n`)).toThrow(/cassette kind "pcap": expected one of run, proxy/);
    expect(() => parseCassette(`${JSON.stringify({ cassette: 1, target: 'http://x', startedAt: record.at })}\n`)).toThrow(/lacks "contract"/);
  });

  it("judge as traffic takes a proxy cassette and refuses a run's, naming the command that judges it", async () => {
    const p = join(dir, 'proxy.jsonl');
    writeFileSync(p, cassetteLines(proxyHeader, [record]));
    expect(await readRecording(p)).toMatchObject({ kind: 'proxy', target: 'http://127.0.0.1:1', records: [record] });
    // a long session's cassette, read a line at a time: the same records, each answer read from the file
    const large = await readRecording(p, { heldWhole: 0 });
    expect(large).toMatchObject({ kind: 'proxy', target: 'http://127.0.0.1:1' });
    expect(JSON.stringify(large.records)).toBe(JSON.stringify([record]));
    expect(large.records[0]?.response).toEqual(record.response);
    const r = join(dir, 'run.jsonl');
    const { kind: _k, ...runHeader } = proxyHeader;
    writeFileSync(r, `${JSON.stringify(runHeader)}\n${JSON.stringify(record)}\n`);
    await expect(readRecording(r)).rejects.toMatchObject({ code: 'CONF_ERR_CASSETTE', message: expect.stringMatching(/received a run's cassette/) });
    await expect(readRecording(r, { heldWhole: 0 })).rejects.toMatchObject({ code: 'CONF_ERR_CASSETTE', message: expect.stringMatching(/received a run's cassette/) });
  });
});

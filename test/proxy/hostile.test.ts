/**
 * The proxy among hostile peers (issue 15): a client that sends headers for
 * ever is cut at the header timeout (408), a malformed request line answered
 * 400, a target that hangs gives 504 after the deadline, one that refuses
 * 502, and the proxy goes on serving each time. It also streams what it
 * cannot keep: a body above the cap passes through whole, digested, and a
 * compressed answer is forwarded as sent and recorded decoded. 200 client
 * connections at once are each answered.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionReports } from '../../src/proxy/report.ts';
import { startProxy, type RunningProxy } from '../../src/proxy/server.ts';
import { loadSpec } from '../../src/contract/load.ts';

const spec = loadSpec();
const AUTH = { authorization: 'Bearer demo-token-a1' };

/** Sends raw bytes, returns what came back before the proxy closed the connection. */
function raw(url: string, write: (s: NodeJS.WritableStream) => void): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(port), hostname);
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', () => resolve(got));
    s.on('error', () => undefined);
    s.on('connect', () => write(s));
  });
}

describe('hostile clients, in front of the reference server', () => {
  let proxy: RunningProxy;
  beforeAll(async () => {
    proxy = await startProxy({ spec, headersTimeoutMs: 500 });
  });
  afterAll(() => proxy.close());

  it('a client that sends headers for ever is cut with 408, and the proxy goes on', async () => {
    let timer: NodeJS.Timeout | undefined;
    const t0 = Date.now();
    const got = await raw(proxy.url, (s) => {
      s.write('GET /api/v1/order/ HTTP/1.1\r\nHost: x\r\n');
      timer = setInterval(() => s.write('X-More: yes\r\n'), 50);
    });
    clearInterval(timer);
    expect(got).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - t0).toBeLessThan(5000);
    const ok = await request(`${proxy.url}/api/v1/terminate_reason/`, { headers: AUTH });
    expect(ok.statusCode).toBe(200);
    await ok.body.arrayBuffer();
  });

  it('a malformed request line is answered 400, and the proxy goes on', async () => {
    const got = await raw(proxy.url, (s) => s.write('THIS IS NOT HTTP\r\n\r\n'));
    expect(got).toMatch(/^HTTP\/1\.1 400/);
    const ok = await request(`${proxy.url}/api/v1/order/`, { headers: AUTH });
    expect(ok.statusCode).toBe(200);
    await ok.body.arrayBuffer();
  });

  it('200 client connections at once are each answered', async () => {
    const many = new Agent({ connections: 200, pipelining: 0 });
    try {
      const codes = await Promise.all(
        Array.from({ length: 200 }, async () => {
          const r = await request(`${proxy.url}/api/v1/terminate_reason/`, { headers: AUTH, dispatcher: many });
          await r.body.arrayBuffer();
          return r.statusCode;
        }),
      );
      expect(codes.filter((c) => c === 200).length).toBe(200);
    } finally {
      await many.close();
    }
  });
});

describe('hostile and odd targets', () => {
  let hang: TcpServer;
  const held: Socket[] = [];
  let odd: Server;
  let hangUrl: string;
  let oddUrl: string;
  const big = Buffer.alloc(3 * 1024 * 1024, 'a');
  const reasons = gzipSync(JSON.stringify({ terminate_reasons: ["Cessation d'activité"] }));
  beforeAll(async () => {
    hang = createTcpServer((s) => held.push(s));
    odd = createServer((req, res) => {
      if (req.url === '/api/v1/terminate_reason/') res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': reasons.length }).end(reasons);
      else res.writeHead(200, { 'content-type': 'text/csv' }).end(big);
    });
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    oddUrl = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => hang.close(r));
    odd.closeAllConnections();
    await new Promise((r) => odd.close(r));
  });

  it('a target that hangs: 504 after the deadline; one that refuses: 502; the provider verdict says so', async () => {
    const proxy = await startProxy({ spec, target: hangUrl, deadlineMs: 300 });
    const t0 = Date.now();
    const r = await request(`${proxy.url}/api/v1/order/`, { headers: AUTH });
    expect(r.statusCode).toBe(504);
    await r.body.arrayBuffer();
    expect(Date.now() - t0).toBeLessThan(3000);
    await proxy.close();

    // a port that was free a moment ago refuses
    const free = createTcpServer();
    await new Promise<void>((res) => free.listen(0, '127.0.0.1', res));
    const port = (free.address() as AddressInfo).port;
    await new Promise((res) => free.close(res));
    const refused = await startProxy({ spec, target: `http://127.0.0.1:${port}` });
    const r2 = await request(`${refused.url}/api/v1/order/`, { headers: AUTH });
    expect(r2.statusCode).toBe(502);
    await r2.body.arrayBuffer();
    const r3 = await request(`${refused.url}/api/v1/order/`, { headers: AUTH });
    expect(r3.statusCode).toBe(502);
    await r3.body.arrayBuffer();
    await refused.close();
    const rep = sessionReports(refused.judge, { target: refused.target, embedded: false, startedAt: refused.startedAt, source: 'proxy' });
    // HTTP-NO-5XX is inferred: a warning in the documented profile, as in a run
    const broken = rep.provider.results.find((x) => x.check === 'no_server_errors');
    expect(broken).toMatchObject({ status: 'warn', violations: 2 });
    expect(broken?.message).toContain('expected an HTTP answer / received refused');
    expect(rep.client.verdict).toBe('PASS');
  });

  it('a body above the cap is streamed through whole and digested; a gzip answer is forwarded as sent and recorded decoded', async () => {
    const proxy = await startProxy({ spec, target: oddUrl, bodyCap: 64 * 1024 });
    const r = await request(`${proxy.url}/api/v1/order/export/550e8400-e29b-41d4-a716-446655440000/download/`, { headers: AUTH });
    const got = Buffer.from(await r.body.arrayBuffer());
    expect(got.length).toBe(big.length);
    const z = await request(`${proxy.url}/api/v1/terminate_reason/`, { headers: { ...AUTH, 'accept-encoding': 'gzip' } });
    expect(z.headers['content-encoding']).toBe('gzip');
    expect(Buffer.from(await z.body.arrayBuffer()).equals(reasons)).toBe(true);
    await proxy.close();
    const [download, listed] = proxy.judge.records;
    expect(download?.response).toMatchObject({ status: 200, truncated: true, bytes: big.length, sha256: createHash('sha256').update(big).digest('hex') });
    expect(download?.response?.body?.length).toBe(64 * 1024);
    expect(listed?.response?.headers?.['content-encoding']).toBeUndefined();
    expect(JSON.parse(listed?.response?.body ?? '')).toEqual({ terminate_reasons: ["Cessation d'activité"] });
    expect(JSON.stringify(proxy.judge.records)).not.toContain('demo-token-a1');
  });
});

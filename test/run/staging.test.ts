/**
 * Reach a real staging (issue 16): the reference server behind what an
 * integrator's staging puts in front of it, each a real component started
 * here on 127.0.0.1: Debian's tinyproxy as the corporate forward proxy, an
 * HTTPS front with its own CA that requires a client certificate (made by
 * openssl), a gateway that mounts the API under a path prefix, and a token
 * endpoint whose tokens expire during the run. The front forwards to the
 * reference server and rewrites its absolute links to the front's own
 * prefix, as a gateway does.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TOKENS, startMock } from '../../mock/index.ts';
import { resolveOptions } from '../../src/engine/options.ts';
import { runConformance } from '../../src/engine/run.ts';
import type { Report } from '../../src/report/types.ts';
import { HOUR, runOptions } from '../faults/target.ts';
import { runCli } from './cli.ts';

/** Debian's tinyproxy (.ci/run installs it); without it the two proxy tests are skipped, saying so in their names. */
const TINYPROXY = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v tinyproxy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const needsProxy = TINYPROXY ? '' : ' [SKIPPED: tinyproxy is not installed]';

const dir = mkdtempSync(join(tmpdir(), 'conformance-staging-'));
const servers: Server[] = [];
let mock: Awaited<ReturnType<typeof startMock>>;
let offset = 0;

/** what the fronts saw: request lines and the headers the kit sent */
const seen: { front: string; method: string; url: string; headers: IncomingMessage['headers'] }[] = [];

/** Tokens the fronts accept besides the demo ones: a token → the demo token it stands for, and until when (Date.now()). */
const issued = new Map<string, { demo: string; until: number; uses?: number }>();
let oauthIssued = 0;
const OAUTH_TTL_S = 2;
const CLIENT = { id: 'conformance-client', secret: 's3cr3t-oauth-client-value' };
/** OAuth2 clients of the colleague and of the other customer: each client's tokens stand for its own demo user */
const COLLEAGUE = { id: 'colleague-client', secret: 'colleague-oauth-secret-value' };
const OTHER_CUSTOMER = { id: 'other-customer-client', secret: 'other-customer-oauth-secret' };

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolvePromise) => server.listen(0, '127.0.0.1', () => resolvePromise((server.address() as AddressInfo).port)));
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolvePromise(port));
    });
  });
}

/**
 * A gateway in front of the reference server: the API under `prefix`
 * (anything else 404), a token endpoint at `/oauth/token`, expiring tokens
 * mapped to the demo ones, and the upstream's absolute links rewritten to
 * `origin + prefix`.
 */
function front(name: string, prefix: string, origin: () => string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      seen.push({ front: name, method: req.method ?? 'GET', url, headers: req.headers });
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && url === '/oauth/token') {
        const basic = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        const clients: [{ id: string; secret: string }, string][] = [
          [CLIENT, DEMO_TOKENS.customerA_user1],
          [COLLEAGUE, DEMO_TOKENS.customerA_user2],
          [OTHER_CUSTOMER, DEMO_TOKENS.customerB_user1],
        ];
        const client = clients.find(([c]) => basic === `${c.id}:${c.secret}`);
        if (!client || form.get('grant_type') !== 'client_credentials') return json(401, { error: 'invalid_client' });
        const token = `oauth-token-${++oauthIssued}-${form.get('scope') ?? ''}`;
        // it expires after OAUTH_TTL_S, or sooner after 60 requests (so that a fast run meets an expiry too)
        issued.set(token, { demo: client[1], until: Date.now() + OAUTH_TTL_S * 1000, uses: 60 });
        return json(200, { access_token: token, token_type: 'Bearer', expires_in: OAUTH_TTL_S });
      }
      if (!url.startsWith(`${prefix}/api/`)) return json(404, { detail: 'Not found.' });
      const headers = { ...req.headers };
      const m = /^Bearer (\S+)$/.exec(String(headers.authorization ?? ''));
      const tok = m?.[1];
      if (tok !== undefined && /^(oauth|cmd|cmdu2|cmdb1)-token-/.test(tok)) {
        // a token-command token is good for 40 requests (however fast the machine); its prefix says whose it is
        const demo = tok.startsWith('cmdu2-') ? DEMO_TOKENS.customerA_user2 : tok.startsWith('cmdb1-') ? DEMO_TOKENS.customerB_user1 : DEMO_TOKENS.customerA_user1;
        if (tok.startsWith('cmd') && !issued.has(tok)) issued.set(tok, { demo, until: Number.POSITIVE_INFINITY, uses: 40 });
        const t = issued.get(tok);
        if (t?.uses !== undefined) t.uses--;
        if (!t || Date.now() > t.until || (t.uses !== undefined && t.uses < 0)) return json(401, { detail: 'Token expired.' });
        headers.authorization = `Bearer ${t.demo}`;
      }
      const up = new URL(mock.baseUrl);
      const fwd = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: url.slice(prefix.length), headers }, (r) => {
        const body: Buffer[] = [];
        r.on('data', (c: Buffer) => body.push(c));
        r.on('end', () => {
          let out = Buffer.concat(body);
          const h = { ...r.headers };
          if (/json/.test(String(h['content-type'] ?? ''))) {
            out = Buffer.from(out.toString('utf8').split(`http://${req.headers.host}/`).join(`${origin()}${prefix}/`));
            delete h['content-length'];
          }
          delete h['transfer-encoding'];
          res.writeHead(r.statusCode ?? 502, { ...h, 'content-length': String(out.length) });
          res.end(out);
        });
      });
      fwd.on('error', () => json(502, { detail: 'upstream' }));
      fwd.end(Buffer.concat(chunks));
    });
  };
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

const file = (n: string): string => join(dir, n);
const KEY_PASSPHRASE = 'client-key-passphrase-42';

let plain: string; // http, no prefix
let api: string; // http, prefix /api
let gateway: string; // http, prefix /gateway/v2
let tlsFront: string; // https, client certificate required, prefix /gateway/v2
let tinyproxy: ChildProcess;
let proxyUrl: string;
const proxyLog = file('tinyproxy.log');

beforeAll(async () => {
  mock = await startMock({ seed: 7, orders: 30, stepMs: 40, exportMs: 80, exportWindowS: 60, now: () => Date.now() + offset });
  // certificates: a CA, the front's certificate for 127.0.0.1, a client certificate with an encrypted key
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=staging test CA']);
  const sign = (n: string, subject: string, ext: string): void => {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', subject]);
    writeFileSync(file(`${n}.ext`), ext);
    openssl(['x509', '-req', '-in', `${n}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${n}.pem`, '-days', '2', '-extfile', `${n}.ext`]);
  };
  sign('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\n');
  sign('client', '/CN=conformance client', 'extendedKeyUsage=clientAuth\n');
  openssl(['pkey', '-in', 'client.key', '-aes256', '-passout', `pass:${KEY_PASSPHRASE}`, '-out', 'client-enc.key']);

  const plainPort: number = await listen(createHttpServer(front('plain', '', () => `http://127.0.0.1:${plainPort}`)));
  plain = `http://127.0.0.1:${plainPort}`;
  const apiPort = await listen(createHttpServer(front('api', '/api', () => `http://127.0.0.1:${apiPort}`)));
  api = `http://127.0.0.1:${apiPort}/api`;
  const gatewayPort = await listen(createHttpServer(front('gateway', '/gateway/v2', () => `http://127.0.0.1:${gatewayPort}`)));
  gateway = `http://127.0.0.1:${gatewayPort}/gateway/v2/`;
  const tlsOptions = { key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')), ca: readFileSync(file('ca.pem')), requestCert: true, rejectUnauthorized: true };
  const tlsPort = await listen(
    createHttpsServer(
      tlsOptions,
      front('tls', '/gateway/v2', () => `https://127.0.0.1:${tlsPort}`),
    ),
  );
  tlsFront = `https://127.0.0.1:${tlsPort}/gateway/v2/`;

  // Debian's tinyproxy, on a free port, logging every request line
  if (!TINYPROXY) return;
  const tp = await freePort();
  writeFileSync(file('tinyproxy.conf'), [`Port ${tp}`, 'Listen 127.0.0.1', 'Timeout 60', `LogFile "${proxyLog}"`, 'LogLevel Info', `PidFile "${file('tinyproxy.pid')}"`, 'MaxClients 200', 'Allow 127.0.0.1', 'DisableViaHeader Yes', ''].join('\n'));
  tinyproxy = spawn('tinyproxy', ['-d', '-c', file('tinyproxy.conf')], { stdio: 'ignore' });
  proxyUrl = `http://127.0.0.1:${tp}`;
  for (let i = 0; i < 50; i++) {
    if (/Accepting connections/.test(readLog())) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(readLog()).toMatch(/Accepting connections/);
}, 60_000);

afterAll(async () => {
  tinyproxy?.kill('SIGTERM');
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});

function readLog(): string {
  try {
    return readFileSync(proxyLog, 'utf8');
  } catch {
    return '';
  }
}

/** A complete run in-process (writes, export), the reference server's clock moved on an hour afterwards. */
async function run(extra: Record<string, unknown>): Promise<{ report: Report; exitCode: number }> {
  try {
    return await runConformance(resolveOptions(runOptions(String(extra.baseUrl), extra)));
  } finally {
    offset += HOUR;
  }
}

const failures = (r: Report): string[] => r.results.filter((x) => x.status === 'fail').map((x) => `${x.check}: ${x.message}`);

describe('reach a real staging', () => {
  it.skipIf(!TINYPROXY)(
    `through tinyproxy from HTTP_PROXY, under a base path /api, with extra headers: PASS, the proxy log shows the requests, the secret header never in a report${needsProxy}`,
    async () => {
      const reports = file('reports-proxy');
      const before = readLog().split('\n').length;
      const out = await runCli(
        [
          'run',
          '--base-url',
          api,
          '--token',
          DEMO_TOKENS.customerA_user1,
          '--token-other-user',
          DEMO_TOKENS.customerA_user2,
          '--token-other-tenant',
          DEMO_TOKENS.customerB_user1,
          '--allow-writes',
          '--allow-export',
          '--fuzz-runs',
          '0',
          '--max-orders',
          '8',
          '--seed',
          '11',
          '--wait-ms',
          '2000',
          '--report-dir',
          reports,
          '--header',
          'X-Api-Key: k3y-value-never-shown',
          '--header',
          'X-Trace: visible-trace',
          '--header',
          'X-Tenant: tenant-marked-secret',
          '--secret-header',
          'x-tenant',
        ],
        { env: { http_proxy: proxyUrl, NO_PROXY: '' } },
      );
      offset += HOUR;
      expect(out.code, out.stdout + out.stderr).toBe(0);
      expect(out.stdout).toMatch(/Verdict: PASS/);
      const lines = readLog()
        .split('\n')
        .slice(before)
        .filter((l) => l.includes('Request (file descriptor'));
      const mine = seen.filter((s) => s.front === 'api');
      // every request the front saw came through the proxy, and the proxy logged each one with its absolute URL
      expect(lines.length).toBeGreaterThanOrEqual(mine.length);
      expect(lines.some((l) => l.includes(`GET ${api}/api/v1/order/`))).toBe(true);
      expect(mine.filter((s) => s.headers['x-api-key'] !== 'k3y-value-never-shown' || s.headers['x-trace'] !== 'visible-trace').map((s) => `${s.method} ${s.url} ${JSON.stringify(s.headers)}`)).toEqual([]);
      const everything = ['conformance.json', 'junit.xml', 'summary.md', 'index.html', 'certificate.json'].map((f) => readFileSync(join(reports, f), 'utf8')).join('\n') + out.stdout + out.stderr;
      expect(everything).not.toContain('k3y-value-never-shown');
      expect(everything).not.toContain('tenant-marked-secret');
      const report = JSON.parse(readFileSync(join(reports, 'conformance.json'), 'utf8')) as Report;
      expect(report.options.headers).toEqual(['X-Api-Key', 'X-Trace', 'X-Tenant']);
      expect(report.tls).toEqual({ certificateChecked: true, ca: false, clientCertificate: false });
    },
    90_000,
  );

  it.skipIf(!TINYPROXY)(
    `NO_PROXY bypasses the proxy: the target is reached directly and tinyproxy logs nothing${needsProxy}`,
    async () => {
      const before = readLog();
      const seenBefore = seen.length;
      const { report, exitCode } = await run({ baseUrl: plain, proxy: proxyUrl, proxyEnv: { noProxy: 'localhost,127.0.0.1' }, checks: 'order_list_schema', allowWrites: false, allowExport: false });
      expect(exitCode, failures(report).join('\n')).toBe(0);
      expect(seen.length).toBeGreaterThan(seenBefore);
      expect(readLog()).toBe(before);
    },
    60_000,
  );

  it.skipIf(!TINYPROXY)(
    `an https:// target through tinyproxy (HTTPS_PROXY): a CONNECT tunnel, the client certificate presented inside it${needsProxy}`,
    async () => {
      const before = readLog().split('\n').length;
      const { report, exitCode } = await run({ baseUrl: tlsFront, proxyEnv: { https: proxyUrl }, ca: file('ca.pem'), cert: file('client.pem'), key: file('client.key'), checks: 'order_list_schema,order_detail_schema', allowWrites: false, allowExport: false });
      expect(exitCode, failures(report).join('\n') + report.problems.join('\n')).toBe(0);
      expect(report.results.find((r) => r.check === 'order_detail_schema')?.status).toBe('pass');
      const port = new URL(tlsFront).port;
      expect(
        readLog()
          .split('\n')
          .slice(before)
          .some((l) => new RegExp(`Request \\(file descriptor \\d+\\): CONNECT 127\\.0\\.0\\.1:${port} `).test(l)),
      ).toBe(true);
    },
    60_000,
  );

  it('the bundled reference server is reached directly whatever HTTP_PROXY says (here a closed port): PASS', async () => {
    const out = await runCli(['run', '--quiet', '--fuzz-runs', '0', '--max-orders', '5', '--report-dir', file('reports-bundled')], { env: { HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' } });
    expect(out.code, out.stdout + out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^Verdict: PASS/m);
  }, 60_000);

  it('base URL http://host/gateway/v2/ (a trailing slash) with a query string: every request under the prefix, the query on each: PASS', async () => {
    const seenBefore = seen.length;
    const { report, exitCode } = await run({ baseUrl: `${gateway}?env=staging&team=orders`, checks: 'order_list_schema,order_list_paging,order_detail_schema,history_schema,documents_schema', allowWrites: false, allowExport: false, maxOrders: 4 });
    expect(exitCode, failures(report).join('\n') + report.problems.join('\n')).toBe(0);
    const mine = seen.slice(seenBefore).filter((s) => s.front === 'gateway');
    expect(mine.length).toBeGreaterThan(10);
    expect(mine.filter((s) => !s.url.startsWith('/gateway/v2/api/v1/')).map((s) => s.url)).toEqual([]);
    expect(
      mine
        .filter((s) => {
          const q = new URL(s.url, 'http://x').searchParams;
          return q.get('env') !== 'staging' || q.get('team') !== 'orders';
        })
        .map((s) => s.url),
    ).toEqual([]);
  }, 60_000);

  it('an HTTPS front with its own CA that wants a client certificate: without --cert exit 2 CONF_ERR_TLS', async () => {
    const reports = file('reports-tls');
    const out = await runCli(['run', '--base-url', tlsFront, '--token', 'a-token', '--ca', file('ca.pem'), '--fuzz-runs', '0', '--report-dir', reports]);
    expect(out.code, out.stdout + out.stderr).toBe(2);
    expect(out.stderr).toMatch(/client certificate.*\[CONF_ERR_TLS\]/);
  }, 60_000);

  it('the same front with --ca, --cert, --key (an encrypted key, its passphrase from CONFORMANCE_KEY_PASSPHRASE), base /gateway/v2/ with a query string, and OAuth2 tokens that expire during the run: PASS, refreshed, secrets nowhere', async () => {
    const before = oauthIssued;
    const seenBefore = seen.length;
    const base = `${tlsFront}?env=staging`;
    const t0 = performance.now();
    const { report, exitCode } = await run({
      baseUrl: base,
      token: undefined,
      ca: file('ca.pem'),
      cert: file('client.pem'),
      key: file('client-enc.key'),
      keyPassphrase: KEY_PASSPHRASE,
      oauthTokenUrl: `${tlsFront.replace('/gateway/v2/', '')}/oauth/token`,
      oauthClientId: CLIENT.id,
      oauthClientSecret: CLIENT.secret,
      oauthScope: 'orders:read',
    });
    const seconds = (performance.now() - t0) / 1000;
    expect(exitCode, failures(report).join('\n') + report.problems.join('\n')).toBe(0);
    expect(report.verdict).toBe('PASS');
    // tokens last 2 s (or 60 requests): the run fetched a new one before each expiry, or on the 401 after it
    expect(oauthIssued - before).toBeGreaterThanOrEqual(Math.max(2, Math.floor(seconds / 2)));
    const tls = seen.slice(seenBefore).filter((s) => s.front === 'tls' && s.url.startsWith('/gateway/v2/api/'));
    expect(tls.length).toBeGreaterThan(100);
    expect(tls.every((s) => new URL(s.url, 'http://x').searchParams.get('env') === 'staging')).toBe(true);
    expect(report.tls).toEqual({ certificateChecked: true, ca: true, clientCertificate: true });
    const text = JSON.stringify(report);
    for (const secret of [CLIENT.secret, KEY_PASSPHRASE, 'oauth-token-']) expect(text).not.toContain(secret);
  }, 90_000);

  it("OAuth2 for each of the three users (one token URL, a client each; tokens expiring): PASS with every user-dependent check run, each client's tokens fetched, no secret anywhere", async () => {
    const before = oauthIssued;
    const { report, exitCode } = await run({
      baseUrl: plain,
      token: undefined,
      tokenOtherUser: undefined,
      tokenOtherTenant: undefined,
      oauthTokenUrl: `${plain}/oauth/token`,
      oauthClientId: CLIENT.id,
      oauthClientSecret: CLIENT.secret,
      oauthClientIdOtherUser: COLLEAGUE.id,
      oauthClientSecretOtherUser: COLLEAGUE.secret,
      oauthClientIdOtherTenant: OTHER_CUSTOMER.id,
      oauthClientSecretOtherTenant: OTHER_CUSTOMER.secret,
    });
    expect(exitCode, failures(report).join('\n') + report.problems.join('\n')).toBe(0);
    expect(oauthIssued - before).toBeGreaterThanOrEqual(3);
    const status = (check: string): string | undefined => report.results.find((r) => r.check === check)?.status;
    expect(status('rate_limit_scope')).toBe('pass'); // the colleague's token
    expect(status('tenant_isolation')).toBe('pass'); // the other customer's token
    const text = JSON.stringify(report);
    for (const secret of [CLIENT.secret, COLLEAGUE.secret, OTHER_CUSTOMER.secret, 'oauth-token-']) expect(text).not.toContain(secret);
  }, 90_000);

  it('a wrong OAuth2 secret: exit 2 CONF_ERR_OAUTH, the secret nowhere', async () => {
    const reports = file('reports-oauth');
    const out = await runCli(['run', '--base-url', plain, '--oauth-token-url', `${plain}/oauth/token`, '--oauth-client-id', CLIENT.id, '--fuzz-runs', '0', '--report-dir', reports], { env: { CONFORMANCE_OAUTH_CLIENT_SECRET: 'wrong-secret-value' } });
    expect(out.code, out.stdout + out.stderr).toBe(2);
    expect(out.stderr).toMatch(/refused the client credentials \(HTTP 401: invalid_client\).*\[CONF_ERR_OAUTH\]/);
    const text = readFileSync(join(reports, 'conformance.json'), 'utf8') + out.stdout + out.stderr;
    expect(text).not.toContain('wrong-secret-value');
    expect((JSON.parse(readFileSync(join(reports, 'conformance.json'), 'utf8')) as Report).incomplete?.code).toBe('CONF_ERR_OAUTH');
  }, 60_000);

  it('--token-command for each of the three users: tokens expire after 40 requests (401), each command is run again and the run PASSes with every user-dependent check run', async () => {
    const command = (who: string): string => {
      const counter = file(`counter-${who}`);
      writeFileSync(counter, '0');
      return `n=$(cat ${counter}); n=$((n+1)); echo $n > ${counter}; echo ${who}-token-$n`;
    };
    const { report, exitCode } = await run({ baseUrl: plain, token: undefined, tokenOtherUser: undefined, tokenOtherTenant: undefined, tokenCommand: command('cmd'), tokenCommandOtherUser: command('cmdu2'), tokenCommandOtherTenant: command('cmdb1') });
    expect(exitCode, failures(report).join('\n') + report.problems.join('\n')).toBe(0);
    expect(Number(readFileSync(file('counter-cmd'), 'utf8'))).toBeGreaterThanOrEqual(2);
    for (const who of ['cmdu2', 'cmdb1']) expect(Number(readFileSync(file(`counter-${who}`), 'utf8')), who).toBeGreaterThanOrEqual(1);
    const status = (check: string): string | undefined => report.results.find((r) => r.check === check)?.status;
    expect(status('rate_limit_scope')).toBe('pass'); // the colleague's token
    expect(status('tenant_isolation')).toBe('pass'); // the other customer's token
    expect(JSON.stringify(report)).not.toMatch(/cmd(u2|b1)?-token-/);
  }, 90_000);

  it('a --token-command that fails: exit 2 CONF_ERR_TOKEN_COMMAND, its output not shown', async () => {
    const { report, exitCode } = await run({ baseUrl: plain, token: undefined, tokenCommand: 'echo leaked-output-xyz; exit 3', checks: 'order_list_schema' });
    expect(exitCode).toBe(2);
    expect(report.incomplete?.code).toBe('CONF_ERR_TOKEN_COMMAND');
    expect(report.incomplete?.message).toMatch(/exited with status 3/);
    expect(JSON.stringify(report)).not.toContain('leaked-output-xyz');
  }, 30_000);

  it('--insecure: the front is reached without its CA, and the report and the console say the certificate was not checked', async () => {
    const reports = file('reports-insecure');
    const out = await runCli(['run', '--base-url', tlsFront, '--insecure', '--cert', file('client.pem'), '--key', file('client.key'), '--token', DEMO_TOKENS.customerA_user1, '--checks', 'order_list_schema', '--fuzz-runs', '0', '--report-dir', reports]);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    expect(out.stderr).toMatch(/--insecure: the target.s TLS certificate is not checked/);
    const report = JSON.parse(readFileSync(join(reports, 'conformance.json'), 'utf8')) as Report;
    expect(report.tls?.certificateChecked).toBe(false);
    expect(report.problems.join('\n')).toMatch(/--insecure: the target's TLS certificate was not checked/);
  }, 60_000);
});

describe('a token command that gives an expiry', () => {
  it('JSON {"access_token", "expires_in"}: the token is kept until half its short life, then the command runs again; a bare token is kept until a 401', async () => {
    const { CommandToken } = await import('../../src/harness/credentials.ts');
    const counter = file('counter-expiring');
    writeFileSync(counter, '0');
    const expiring = new CommandToken(`n=$(cat ${counter}); n=$((n+1)); echo $n > ${counter}; printf '{"access_token": "exp-token-%s", "expires_in": 0.4}' $n`);
    expect(await expiring.current()).toBe('exp-token-1');
    expect(await expiring.current()).toBe('exp-token-1'); // within its life: not fetched again
    await new Promise((r) => setTimeout(r, 250)); // past half of 0.4 s
    expect(await expiring.current()).toBe('exp-token-2');
    expect(expiring.fetches).toBe(2);
    const bare = new CommandToken('echo plain-token');
    expect(await bare.current()).toBe('plain-token');
    await new Promise((r) => setTimeout(r, 50));
    expect(await bare.current()).toBe('plain-token');
    expect(bare.fetches).toBe(1);
    expect(await bare.refresh()).toBe('plain-token'); // what the harness does on a 401
    expect(bare.fetches).toBe(2);
  });
});

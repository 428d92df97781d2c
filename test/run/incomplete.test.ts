/**
 * "Could not certify" (ANALYSIS.md): when the fault is on the user's side or
 * the run's, the run ends with exit 2, a stable code and reports marked
 * INCOMPLETE — never a FAIL certificate of the provider. Each case runs
 * against a real local server that behaves that way: TLS servers with
 * certificates made here by openssl, a server answering 401 to every call,
 * one answering 404 to every path, one asking to wait an hour.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/engine/options.ts';
import { runConformance } from '../../src/engine/run.ts';
import { verifyCertificate } from '../../src/report/certificate.ts';
import type { Report } from '../../src/report/types.ts';
import { writeReports } from '../../src/report/write.ts';
import { startTarget, type Target } from '../faults/target.ts';
import { mainWithStderr, runCli } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'conformance-incomplete-'));
const servers: Server[] = [];
let requests = 0;

function listen(server: Server): Promise<string> {
  servers.push(server);
  return new Promise((resolvePromise) => server.listen(0, '127.0.0.1', () => resolvePromise(String((server.address() as AddressInfo).port))));
}

/** A plain HTTP server that answers every request the same way (and counts them). */
async function answering(status: number, headers: Record<string, string> = {}): Promise<string> {
  const port = await listen(
    createHttpServer((req: IncomingMessage, res: ServerResponse) => {
      requests++;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ detail: `always ${status}` }));
    }),
  );
  return `http://127.0.0.1:${port}`;
}

const ok = (_req: IncomingMessage, res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"terminate_reasons":[]}');
};

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A CA, a server certificate for 127.0.0.1 signed by it, one for another host name, a client certificate, and a self-signed one. */
function makeCertificates(): void {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=conformance test CA']);
  const sign = (name: string, subject: string, ext: string): void => {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
  };
  sign('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\n');
  sign('wronghost', '/CN=wrong.example', 'subjectAltName=DNS:wrong.example\n');
  sign('client', '/CN=conformance client', 'extendedKeyUsage=clientAuth\n');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  // an expired one, signed by the CA (openssl ca is what sets dates in the past)
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=127.0.0.1']);
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'db/index.txt'), '');
  writeFileSync(join(dir, 'db/serial'), '01\n');
  writeFileSync(join(dir, 'ca.cnf'), '[ca]\ndefault_ca=d\n[d]\ndatabase=./db/index.txt\nserial=./db/serial\nnew_certs_dir=./db\ndefault_md=sha256\npolicy=p\nx509_extensions=e\n[p]\ncommonName=supplied\n[e]\nsubjectAltName=IP:127.0.0.1\n');
  openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.pem', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-notext']);
}

const file = (name: string): Buffer => readFileSync(join(dir, name));

let selfSigned: string;
let clientCertWanted: string;
let wrongHost: string;
let expired: string;
let plainHttp: string;
let tlsPort: string;

beforeAll(async () => {
  makeCertificates();
  selfSigned = `https://127.0.0.1:${await listen(createHttpsServer({ key: file('self.key'), cert: file('self.pem') }, ok))}`;
  clientCertWanted = `https://127.0.0.1:${await listen(createHttpsServer({ key: file('server.key'), cert: file('server.pem'), ca: file('ca.pem'), requestCert: true, rejectUnauthorized: true }, ok))}`;
  wrongHost = `https://127.0.0.1:${await listen(createHttpsServer({ key: file('wronghost.key'), cert: file('wronghost.pem') }, ok))}`;
  expired = `https://127.0.0.1:${await listen(createHttpsServer({ key: file('expired.key'), cert: file('expired.pem') }, ok))}`;
  plainHttp = await answering(200);
  tlsPort = await listen(createHttpsServer({ key: file('self.key'), cert: file('self.pem') }, ok));
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  process.exitCode = undefined;
});

/** A run in-process against `baseUrl`; its report must be INCOMPLETE with `code`, exit 2. */
async function expectIncomplete(baseUrl: string, code: string, message: RegExp, extra: Record<string, unknown> = {}): Promise<Report> {
  const { report, exitCode } = await runConformance(resolveOptions({ baseUrl, token: 'a-token', timeoutMs: 3_000, fuzzRuns: 0, seed: 1, ...extra }));
  expect(exitCode).toBe(2);
  expect(report.verdict).toBe('INCOMPLETE');
  expect(report.verdictLabel).toBe('INCOMPLETE');
  expect(report.incomplete?.code).toBe(code);
  expect(report.incomplete?.message).toMatch(message);
  expect(report.results.filter((r) => r.status === 'fail')).toEqual([]);
  return report;
}

describe('could not certify: exit 2, a stable code, an INCOMPLETE report', () => {
  it('the main credential refused on every call (401 everywhere)', async () => {
    await expectIncomplete(await answering(401), 'CONF_ERR_CREDENTIALS', /main credential \(--token\) was refused on every call/);
  });

  it('no --token, and the target asks for credentials', async () => {
    const { report, exitCode } = await runConformance(resolveOptions({ baseUrl: await answering(401), fuzzRuns: 0, seed: 1 }));
    expect(exitCode).toBe(2);
    expect(report.incomplete?.message).toMatch(/no --token was given/);
  });

  it('a base URL under which every path answers 404', async () => {
    await expectIncomplete(await answering(404), 'CONF_ERR_NO_API', /every path answered 404.*API root/);
  });

  it('a self-signed certificate', async () => {
    await expectIncomplete(selfSigned, 'CONF_ERR_TLS', /not signed by a trusted authority.*SELF_SIGNED/);
  });

  it('https:// against a plain HTTP server', async () => {
    await expectIncomplete(plainHttp.replace('http:', 'https:'), 'CONF_ERR_TLS', /does not speak TLS at this address.*use http:\/\//);
  });

  it('http:// against a TLS server', async () => {
    await expectIncomplete(`http://127.0.0.1:${tlsPort}`, 'CONF_ERR_TLS', /speaks TLS at this address: use https:\/\//);
  });

  it('the request budget spent before the checks are done', async () => {
    const target: Target = await startTarget({ orders: 20 });
    try {
      const outcome = await target.run(undefined, { budget: 40 });
      expect(outcome.exitCode).toBe(2);
      expect(outcome.report.verdict).toBe('INCOMPLETE');
      expect(outcome.report.incomplete?.code).toBe('CONF_ERR_BUDGET');
      expect(outcome.report.incomplete?.message).toMatch(/--budget/);
      // the requests the budget kept from being sent say nothing of the target: no check fails on them
      expect(outcome.report.results.filter((r) => r.status === 'fail').map((r) => `${r.check}: ${r.message}`)).toEqual([]);
    } finally {
      await target.close();
    }
  });

  it('the target asks (429, Retry-After) to wait longer than the run may', async () => {
    await expectIncomplete(await answering(429, { 'retry-after': '3600' }), 'CONF_ERR_RETRY_AFTER_LIMIT', /asking to wait 3600 s/);
  });

  it('the target is unavailable (503) and asks to come back later than the run may', async () => {
    await expectIncomplete(await answering(503, { 'retry-after': '600' }), 'CONF_ERR_RETRY_AFTER_LIMIT', /answered 503 asking to wait 600 s/);
  });

  // These two need the server certificate trusted, as a user does with NODE_EXTRA_CA_CERTS: the command line in a child process.
  it.each([
    ['a server that asks for a client certificate', () => clientCertWanted, /client certificate/],
    ['a certificate for another host name', () => wrongHost, /does not name this host/],
    ['an expired certificate', () => expired, /outside its validity dates.*CERT_HAS_EXPIRED/],
  ])(
    '%s (CA trusted through NODE_EXTRA_CA_CERTS)',
    async (_what, url, message) => {
      const reports = mkdtempSync(join(tmpdir(), 'conformance-tls-'));
      try {
        const out = await runCli(['run', '--base-url', url(), '--token', 'a-token', '--fuzz-runs', '0', '--report-dir', reports], { env: { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') } });
        expect(out.code, out.stderr + out.stdout).toBe(2);
        expect(out.stderr).toMatch(/\[CONF_ERR_TLS\]/);
        expect(out.stderr).toMatch(message);
        expect(out.stdout).toMatch(/Verdict: INCOMPLETE/);
        const report = JSON.parse(readFileSync(join(reports, 'conformance.json'), 'utf8')) as Report;
        expect(report.verdict).toBe('INCOMPLETE');
        expect(readFileSync(join(reports, 'summary.md'), 'utf8')).toMatch(/Conformance INCOMPLETE/);
        expect(readFileSync(join(reports, 'index.html'), 'utf8')).toMatch(/could not certify/);
        const cert = JSON.parse(readFileSync(join(reports, 'certificate.json'), 'utf8'));
        expect(cert.verdict).toBe('INCOMPLETE');
        expect(cert.incomplete.code).toBe('CONF_ERR_TLS');
      } finally {
        rmSync(reports, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it('the command line: exit 2, the code on stderr, and the reports of an earlier PASS replaced by INCOMPLETE ones', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'conformance-stale-'));
    try {
      const { passingReport } = await import('../report/fixtures.ts');
      await writeReports(passingReport(), undefined, reports);
      const out = await runCli(['run', '--base-url', await answering(401), '--token', 'expired-token', '--report-dir', reports]);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/could not certify: .*\[CONF_ERR_CREDENTIALS\]/);
      const text = readFileSync(join(reports, 'conformance.json'), 'utf8');
      expect((JSON.parse(text) as Report).verdict).toBe('INCOMPLETE');
      expect(verifyCertificate(JSON.parse(readFileSync(join(reports, 'certificate.json'), 'utf8')), text).ok).toBe(true);
      expect(readFileSync(join(reports, 'junit.xml'), 'utf8')).toMatch(/name="verdict" value="INCOMPLETE"/);
      expect(out.stdout + out.stderr).not.toContain('expired-token');
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('option values checked before any request: a clear error, exit 2, within a second', () => {
  let counting: string;
  beforeAll(async () => {
    counting = await answering(200);
  });
  const fileAsDir = (): string => {
    const f = join(dir, 'a-file');
    writeFileSync(f, 'x');
    return f;
  };
  const cases: [string, () => string[], RegExp][] = [
    ['a token ending in a newline', () => ['--token', 'abc\n'], /--token contains a line break at its end/],
    ['a token with a carriage return inside', () => ['--token', 'ab\rc'], /--token contains a line break/],
    ['a token with a control character', () => ['--token', 'ab\u0007c'], /--token holds a character HTTP headers refuse/],
    ['a header name with a space', () => ['--auth-header', 'Bad Header'], /--auth-header must be an HTTP header name/],
    ['a header name with a colon', () => ['--auth-header', 'X-Auth:'], /--auth-header must be an HTTP header name/],
    ['an auth scheme with a space', () => ['--auth-scheme', 'Bearer x'], /--auth-scheme must be a single word/],
    ['a report directory under /proc', () => ['--report-dir', '/proc/x'], /special filesystem/],
    ['a report directory that is a file', () => ['--report-dir', fileAsDir()], /exists and is not a directory/],
    ['a report directory under a file', () => ['--report-dir', join(fileAsDir(), 'sub')], /a part of the path is a file|is not a directory/],
  ];
  it.each(cases)('%s', async (_what, args, message) => {
    const before = requests;
    const t0 = performance.now();
    const { code, stderr } = await mainWithStderr(['run', '--base-url', counting, '--report-dir', join(dir, 'reports'), ...args()]);
    const lines = [stderr];
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(code).toBe(2);
    expect(lines.join('')).toMatch(message);
    expect(lines.join('')).toMatch(/\[CONF_ERR_(BAD_OPTION|REPORT_DIR)\]/);
    expect(lines.join('')).not.toMatch(/abc|ab\rc/);
    expect(requests - before).toBe(0);
  });
});

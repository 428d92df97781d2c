/**
 * No credential leaves the process: a failing run through the command line,
 * with distinctive tokens (the proxy maps them to the reference server's demo
 * tokens) and a server that echoes the credentials it receives into its
 * bodies and headers, writes reports and console output in which no token
 * appears, in any encoding, while the reproduction curls name the tokens by
 * variable (`$CONFORMANCE_TOKEN`, ...).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TOKENS } from '../../mock/index.ts';
import type { Report } from '../../src/report/types.ts';
import { FAULT_BY_NAME } from '../faults/faults.ts';
import { chain, editJson, jsonAnswer, type Fault, type Transform } from '../faults/proxy.ts';
import { startTarget, type Target } from '../faults/target.ts';
import { runCli, type CliOutcome } from './cli.ts';

const token = (): string => `tok_${randomBytes(24).toString('base64url')}`;
const TOKENS = { main: token(), otherUser: token(), otherTenant: token() };

/** Every character percent-encoded, in upper or lower case hex. */
const percentAll = (t: string, upper: boolean): string =>
  [...Buffer.from(t)]
    .map((b) => `%${b.toString(16).padStart(2, '0')}`)
    .join('')
    [upper ? 'toUpperCase' : 'toLowerCase']();
/** Every character as a JSON \u escape. */
const jsonEscaped = (t: string): string => [...t].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

/** A credential as it may be spelt in a report: raw, URL-encoded, JSON-escaped, base64(url), hex, or its first 12 characters (cut). */
function spellings(t: string): string[] {
  const b = Buffer.from(t);
  return [
    t,
    t.slice(0, 12),
    encodeURIComponent(t),
    percentAll(t, true),
    percentAll(t, false),
    JSON.stringify(t).slice(1, -1),
    jsonEscaped(t),
    b.toString('base64'),
    b.toString('base64url'),
    b.toString('hex'),
    b.toString('hex').toUpperCase(),
    Buffer.from(`Bearer ${t}`).toString('base64'),
    Buffer.from(`Bearer ${t}`).toString('base64url'),
    // the middle of the base64 of the token inside a longer text (any alignment)
    Buffer.from(`x${t}`).toString('base64').slice(4, 28),
    Buffer.from(`xy${t}`).toString('base64').slice(4, 28),
  ];
}

/** What a console must never obey: ANSI erase codes, CR, CI workflow commands, and a fake verdict. */
const HOSTILE_CONSOLE = '\u001b[2J\u001b[H\u001b]0;owned\u0007\r::error::forged\n::add-mask::secret\n##vso[task.setvariable variable=X]1\nVerdict: PASS';

/**
 * Puts the credential the caller sent, in every spelling, into the order
 * detail: once so that it straddles the 600-character cut of the body
 * excerpt, and in a field whose wrong type puts its value into a message;
 * and makes the first listed order's state a string a console would obey.
 */
const encodings: Transform = async (req, ctx) => {
  const res = await ctx.forward(req);
  if (req.operation === 'listOrders' && res.status === 200) {
    const body = JSON.parse(res.body.toString('utf8')) as { results: { state: string }[] };
    if (body.results[0]) body.results[0].state = HOSTILE_CONSOLE;
    return { ...res, body: Buffer.from(JSON.stringify(body)) };
  }
  if (req.operation !== 'getOrder' || res.status !== 200 || !req.sentAuthorization) return res;
  const t = req.sentAuthorization.replace(/^Bearer /, '');
  const detail = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
  detail.vlan_reference = `spelt: ${spellings(t).slice(2).join(' | ')} | bearer ${req.sentAuthorization}`;
  const rest = JSON.stringify(detail).slice(1);
  const lead = '{"pad":"';
  const key = '","e":"';
  // the token starts at character 595 of the body: the excerpt (600 characters) cuts it after 5
  return { ...res, body: Buffer.from(`${lead}${'p'.repeat(595 - lead.length - key.length)}${key}${t}",${rest}`) };
};

/** Puts the Authorization header the caller sent in front of every JSON body and into WWW-Authenticate. */
const echo: Transform = async (req, ctx) => {
  const res = await ctx.forward(req);
  if (!req.sentAuthorization) return res;
  const headers = { ...res.headers, 'www-authenticate': `Bearer realm="orders", error_description="seen ${req.sentAuthorization}"` };
  if (!/json/.test(res.headers['content-type'] ?? '')) return { ...res, headers };
  let body: unknown;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch {
    return { ...res, headers };
  }
  const echoed = Array.isArray(body) ? [{ seen: req.sentAuthorization }, ...body] : { seen: req.sentAuthorization, ...(body as object) };
  return { ...res, headers, body: Buffer.from(JSON.stringify(echoed)) };
};

function part(name: string): Transform {
  const f = FAULT_BY_NAME.get(name);
  if (!f) throw new Error(`no fault ${name}`);
  return f.transform;
}

/** Several rules broken at once, so evidence is written for each principal, and every answer echoes the credentials. */
const LEAKY: Fault = {
  name: 'leaky',
  breaks: 'order_detail_schema',
  requirement: 'ORD-DETAIL-TYPES',
  description: 'echoes every credential it receives and breaks the detail, tenant isolation and the rate-limit scope',
  transform: chain(
    // outermost: its body is the one the kit reads
    encodings,
    echo,
    part('detail-securing-as-string'),
    part('order-detail-open-to-other-customers'),
    part('rate-limit-per-customer'),
    editJson('listTerminateReasons', (b, req) => ({ ...(b as object), hint: `your token is ${req.sentAuthorization}` })),
    async (req, ctx) => (req.caller === 'unknown' ? jsonAnswer(401, { detail: `Invalid token ${req.sentAuthorization}` }) : ctx.forward(req)),
  ),
};

let target: Target;
let dir: string;
let out: CliOutcome;
let files: Record<string, string>;
/** the run's cassette (--record), outside the report folder (which the reports replace) */
let cassette: string;

beforeAll(async () => {
  target = await startTarget({
    seed: 3,
    orders: 24,
    tokenMap: { [TOKENS.main]: DEMO_TOKENS.customerA_user1, [TOKENS.otherUser]: DEMO_TOKENS.customerA_user2, [TOKENS.otherTenant]: DEMO_TOKENS.customerB_user1 },
  });
  target.proxy.use(LEAKY);
  dir = mkdtempSync(join(tmpdir(), 'conformance-secrets-'));
  const cassetteFile = `${dir}.cassette.jsonl`;
  out = await runCli(['run', '--base-url', target.proxy.baseUrl, '--token', TOKENS.main, '--allow-writes', '--allow-export', '--max-orders', '6', '--fuzz-runs', '3', '--seed', '4', '--wait-ms', '3000', '--report-dir', dir, '--record', cassetteFile], {
    env: { CONFORMANCE_TOKEN_OTHER_USER: TOKENS.otherUser, CONFORMANCE_TOKEN_OTHER_TENANT: TOKENS.otherTenant },
  });
  files = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  cassette = readFileSync(cassetteFile, 'utf8');
  rmSync(cassetteFile, { force: true });
}, 120_000);

afterAll(async () => {
  await target?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('credentials in a failing run', () => {
  it('the run fails, on the rules the server broke', () => {
    expect(out.code, out.stderr).toBe(1);
    const report = JSON.parse(files['conformance.json'] ?? '{}') as Report;
    expect(report.verdict).toBe('FAIL');
    const failing = report.results.filter((r) => r.status === 'fail').map((r) => r.check);
    expect(failing).toEqual(expect.arrayContaining(['order_detail_schema', 'tenant_isolation', 'rate_limit_scope']));
  });

  it('writes every report', () => {
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['conformance.json', 'junit.xml', 'index.html', 'summary.md', 'certificate.json']));
  });

  it('no token appears in any report, in any spelling', () => {
    for (const [name, text] of Object.entries(files)) {
      for (const [who, t] of Object.entries(TOKENS)) {
        for (const s of spellings(t)) expect(text.includes(s), `${who} token (${s === t ? 'raw' : 'encoded'}) in ${name}`).toBe(false);
      }
    }
  });

  it('no token appears in the cassette, in any spelling, though the server echoed them into bodies and headers', () => {
    // every exchange is there, the echoes included (so redaction, not luck, kept the tokens out)
    expect(cassette.split('\n').filter(Boolean).length).toBeGreaterThan(50);
    expect(cassette).toMatch(/seen Bearer \$CONFORMANCE_TOKEN\b/);
    expect(cassette).toContain('"Authorization":"Bearer $CONFORMANCE_TOKEN_OTHER_TENANT"');
    for (const [who, t] of Object.entries(TOKENS)) {
      for (const s of spellings(t)) expect(cassette.includes(s), `${who} token (${s === t ? 'raw' : 'encoded'}) in the cassette`).toBe(false);
    }
  });

  it('no token appears in the console output', () => {
    const console = out.stdout + out.stderr;
    expect(console).toMatch(/Verdict: FAIL/);
    for (const [who, t] of Object.entries(TOKENS)) for (const s of spellings(t)) expect(console.includes(s), `${who} token in the console`).toBe(false);
  });

  it('the console obeys no server string: no escape sequence, no CR, no workflow command, no forged verdict line', () => {
    const console = out.stdout + out.stderr;
    // the hostile state did reach the console, defused
    expect(console).toMatch(/add-mask/);
    expect(console).not.toMatch(/[\u001b\u009b\r\u0007]/);
    expect(console).not.toMatch(/::(error|add-mask)::/);
    expect(console).not.toMatch(/##vso\[/i);
    expect(
      console
        .split('\n')
        .filter((l) => /^\s*(Verdict:|::|##)/.test(l))
        .map((l) => l.slice(0, 14)),
    ).toEqual(['Verdict: FAIL ']);
  });

  it("the credential that straddles the body excerpt's cut is redacted, not cut", () => {
    const json = files['conformance.json'] ?? '';
    expect(json).toMatch(/\\"e\\":\\"\$CONFORMANCE_TOKEN/);
  });

  it('the curls name each credential by its variable', () => {
    const report = JSON.parse(files['conformance.json'] ?? '{}') as Report;
    const curls = report.results.flatMap((r) => r.evidence.map((e) => e.curl ?? '')).filter(Boolean);
    expect(curls.length).toBeGreaterThan(0);
    const all = curls.join('\n');
    expect(all).toContain('Authorization: Bearer $CONFORMANCE_TOKEN"');
    expect(all).toContain('Authorization: Bearer $CONFORMANCE_TOKEN_OTHER_TENANT"');
    expect(all).toContain('Authorization: Bearer $CONFORMANCE_TOKEN_OTHER_USER"');
    expect(out.stdout).toContain('$CONFORMANCE_TOKEN');
  });

  it('what the server echoed reached the report, redacted', () => {
    const json = files['conformance.json'] ?? '';
    // the echo is there (so redaction, not luck, kept the tokens out)
    expect(json).toMatch(/seen Bearer \$CONFORMANCE_TOKEN\b/);
    expect(json).toMatch(/\$CONFORMANCE_TOKEN_OTHER_TENANT/);
  });
});

/**
 * Provider verification of the pinned pacts: against the reference server
 * (started with its provider-state hook), and against providers that break
 * an expectation — a fastify proxy in front of the reference server that
 * renames a field, or answers a wrong status — which must fail with a message
 * naming the interaction and what differs.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../mock/index.ts';
import { pactTelemetryOff, REPO_ROOT } from './config.ts';
import { formatReport, STATE_HOOK_PATH, verifyPacts, type VerificationReport } from './provider/verify.ts';

pactTelemetryOff();

type Mutation = 'none' | 'rename-field' | 'wrong-status' | 'state-hook-refuses';

/** A proxy in front of the reference server that breaks one expectation on demand. */
async function breakingProxy(target: string): Promise<{ app: FastifyInstance; url: string; mutate: (m: Mutation) => void }> {
  let mutation: Mutation = 'none';
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.all('/*', async (req, reply) => {
    if (mutation === 'state-hook-refuses' && req.url === STATE_HOOK_PATH) {
      return reply.code(400).send({ detail: 'this provider cannot set that state up' });
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k)) headers[k] = v;
    }
    const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined;
    const res = await fetch(`${target}${req.url}`, { method: req.method, headers, ...(body ? { body } : {}) });
    let status = res.status;
    let payload: Buffer = Buffer.from(await res.arrayBuffer());
    if (mutation === 'rename-field' && req.method === 'GET' && req.url === '/api/v1/terminate_reason/') {
      const json = JSON.parse(payload.toString('utf8')) as { terminate_reasons?: unknown };
      payload = Buffer.from(JSON.stringify({ reasons: json.terminate_reasons }));
    }
    if (mutation === 'wrong-status' && req.method === 'POST' && /\/terminate\/$/.test(req.url) && status === 201) status = 200;
    reply.code(status);
    res.headers.forEach((value, key) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(key)) reply.header(key, value);
    });
    return reply.send(payload);
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, mutate: (m) => (mutation = m) };
}

const outcome = (r: VerificationReport, description: string) => r.outcomes.find((o) => o.description === description);

describe('provider verification (pact:verify)', () => {
  let mock: RunningMock;
  let proxy: Awaited<ReturnType<typeof breakingProxy>>;

  beforeAll(async () => {
    mock = await startMock({ providerStates: true, host: '127.0.0.1', port: 0 });
    proxy = await breakingProxy(mock.baseUrl.replace(/\/+$/, ''));
  });
  afterAll(async () => {
    await proxy?.app.close();
    await mock?.close();
  });

  it('the reference server honours every interaction of the pinned pacts', async () => {
    const report = await verifyPacts({ baseUrl: mock.baseUrl, stateHookUrl: `${mock.baseUrl.replace(/\/+$/, '')}${STATE_HOOK_PATH}` });
    const text = formatReport(report);
    expect(report.failed, text).toBe(0);
    expect(report.pending, text).toBe(0);
    expect(report.passed).toBeGreaterThanOrEqual(14);
    expect(report.complete).toBe(true);
    expect(text).toMatch(/Result: PASSED — \d+ passed, 0 failed, 0 pending \(not verified\)$/);
  });

  it('a provider that renames a field fails, naming the interaction and the missing field', async () => {
    proxy.mutate('rename-field');
    const report = await verifyPacts({ baseUrl: proxy.url, stateHookUrl: `${proxy.url}${STATE_HOOK_PATH}` });
    const text = formatReport(report);
    expect(report.ok).toBe(false);
    expect(report.failed, text).toBe(1);
    expect(outcome(report, 'a request for the termination reasons')).toMatchObject({
      status: 'failed',
      details: ['body $: Actual map is missing the following keys: terminate_reasons'],
    });
    expect(text).toContain('  ✗ FAILED   a request for the termination reasons\n               body $: Actual map is missing the following keys: terminate_reasons');
    expect(text).toMatch(/Result: FAILED — \d+ passed, 1 failed, 0 pending/);
  });

  it('a provider that answers a wrong status fails, naming the interaction and both statuses', async () => {
    proxy.mutate('wrong-status');
    const report = await verifyPacts({ baseUrl: proxy.url, stateHookUrl: `${proxy.url}${STATE_HOOK_PATH}` });
    const text = formatReport(report);
    expect(report.failed, text).toBe(1);
    expect(outcome(report, 'a termination request for an active order')).toMatchObject({
      status: 'failed',
      details: ['status: expected 201 but was 200'],
    });
    expect(text).toContain('  ✗ FAILED   a termination request for an active order\n               status: expected 201 but was 200');
    // and how to reproduce it: the state set-up, then the request
    expect(outcome(report, 'a termination request for an active order')?.reproduce).toEqual([
      `curl -sS -i -X POST '${proxy.url}${STATE_HOOK_PATH}' -H 'Content-Type: application/json' --data-raw '{"state":"an active order {order_reference} exists","params":{"order_reference":"CMD_X_00009444"},"action":"setup"}'`,
      `curl -sS -i -X POST '${proxy.url}/api/v1/order/CMD_X_00009444/terminate/' -H 'Authorization: Bearer demo-token-a1' -H 'Content-Type: application/json' --data-raw '{"message":"Site closes in June","reason":"Cessation d'\\''activité"}'`,
    ]);
    expect(text).toContain(`               reproduce: curl -sS -i -X POST '${proxy.url}/api/v1/order/CMD_X_00009444/terminate/'`);
  });

  it('an interaction whose provider state cannot be set up fails, even when the answer happens to match', async () => {
    proxy.mutate('state-hook-refuses');
    const report = await verifyPacts({ baseUrl: proxy.url, stateHookUrl: `${proxy.url}${STATE_HOOK_PATH}` });
    // "no order CMD_X_99999999 exists" holds on the seed anyway: the 404 matches, but the state was never set up
    const o = outcome(report, 'a request for an order that does not exist');
    expect(o?.status).toBe('failed');
    expect(o?.details[0]).toMatch(/^provider state could not be set up: state hook answered 400 to setup "no order \{order_reference\} exists"/);
    // the one interaction with no state still passes
    expect(outcome(report, 'a request for the termination reasons')?.status).toBe('passed');
    proxy.mutate('none');
  });

  it('without a state hook, interactions that need a state are PENDING (not verified), never passed', async () => {
    const report = await verifyPacts({ baseUrl: mock.baseUrl });
    const text = formatReport(report);
    expect(report.passed).toBe(1);
    expect(report.failed).toBe(0);
    expect(report.pending).toBe(report.outcomes.length - 1);
    expect(report.ok).toBe(true);
    expect(report.complete).toBe(false);
    expect(text).toContain('provider states: NO STATE HOOK — interactions that need a provider state are PENDING (not verified)');
    expect(text).toContain('  ⏸ PENDING  a request to start a CSV export\n               not verified: needs provider state "user {user} has not exported recently" {"user":"customerA_user1"}, and this provider has no state hook');
    expect(text).toMatch(/Result: NOT FULLY VERIFIED \(pending interactions were not run\) — 1 passed, 0 failed, \d+ pending \(not verified\)$/);
  });

  it('--token replaces the example token of the pact', async () => {
    const report = await verifyPacts({ baseUrl: mock.baseUrl, token: 'not-a-demo-token' });
    expect(outcome(report, 'a request for the termination reasons')).toMatchObject({ status: 'failed' });
    expect(outcome(report, 'a request for the termination reasons')?.details).toContain('status: expected 200 but was 401');
    // the token never shows in the report: the reproduction names it by variable
    expect(formatReport(report)).not.toContain('not-a-demo-token');
    expect(outcome(report, 'a request for the termination reasons')?.reproduce).toEqual([`curl -sS -i -X GET '${mock.baseUrl.replace(/\/+$/, '')}/api/v1/terminate_reason/' -H "Authorization: Bearer $PACT_PROVIDER_TOKEN"`]);
  });

  it('npm run pact:verify -- --base-url URL reports pending interactions as PARTIAL and exits 1', async () => {
    const run = promisify(execFile);
    const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const result = await run(tsx, ['scripts/pact-verify.ts', '--base-url', mock.baseUrl], {
      cwd: REPO_ROOT,
      env: { ...process.env, PACT_DO_NOT_TRACK: 'true' },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    expect(result.stdout).toContain('✓ every interaction is promised by the spec');
    expect(result.stdout).toContain('✓ passed   a request for the termination reasons');
    expect(result.stdout).toContain('⏸ PENDING  a request for the order list');
    expect(result.stdout).toContain('Pact verification: PARTIAL');
    expect(result.code).toBe(1);
  });
});

/**
 * Evidence people act on (issue 18): on a failing run through the fault
 * proxy, every failed check's evidence carries a curl that, run against the
 * same server with the fault still in place and `$CONFORMANCE_TOKEN` set,
 * shows the fault: the same status and, where the finding names a pointer,
 * the same value there. A write's effect is shown by the read, with the write
 * that caused it (method, status, curl) before it. The reads are replayed;
 * the writes are not sent again (they would change what they show).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TOKENS } from '../../mock/index.ts';
import type { Evidence, Report } from '../../src/report/types.ts';
import { FAULTS } from './proxy.ts';
import { startTarget, type Target } from './target.ts';

const run = promisify(execFile);
const fault = (name: string) => {
  const f = FAULTS.find((x) => x.name === name);
  if (!f) throw new Error(`no fault ${name}`);
  return f;
};

/** Runs a curl command line as a shell would, with the credentials in the environment; status and JSON body of the last answer. */
async function replay(curl: string): Promise<{ status: number; body: unknown }> {
  const env = { ...process.env, CONFORMANCE_TOKEN: DEMO_TOKENS.customerA_user1, CONFORMANCE_TOKEN_OTHER_USER: DEMO_TOKENS.customerA_user2, CONFORMANCE_TOKEN_OTHER_TENANT: DEMO_TOKENS.customerB_user1 };
  const { stdout } = await run('bash', ['-c', curl], { env, maxBuffer: 64 * 1024 * 1024 });
  const split = stdout.indexOf('\r\n\r\n');
  const head = stdout.slice(0, split);
  const text = stdout.slice(split + 4);
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head)?.[1]);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status, body };
}

function at(body: unknown, pointer: string): unknown {
  let cur = body;
  for (const t of pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')))
    cur = (cur as Record<string, unknown> | undefined)?.[t];
  return cur;
}

const isPrimitive = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Checks every failed check's evidence of a report; returns how many curls were replayed. */
async function expectReproducible(report: Report): Promise<number> {
  const failed = report.results.filter((r) => r.status === 'fail');
  expect(failed.length).toBeGreaterThan(0);
  let replayed = 0;
  for (const r of failed) {
    expect(r.evidence.length, r.check).toBeGreaterThan(0);
    // written for people: no validator wording
    expect(r.message, r.check).not.toMatch(/expected must|\boneOf\b|\banyOf\b/);
    for (const e of r.evidence) {
      expect(e.curl, `${r.check}: ${e.method} ${e.url}`).toMatch(/^curl /);
      expect(e.status, `${r.check}: ${e.method} ${e.url}`).toBeTypeOf('number');
      expect(e.curl).not.toContain(DEMO_TOKENS.customerA_user1);
      for (const c of e.causedBy ?? []) {
        expect(c.curl).toMatch(/^curl /);
        expect(c.status).toBeTypeOf('number');
      }
      if (e.method !== 'GET') continue;
      const got = await replay(e.curl as string);
      replayed++;
      expect(got.status, `${r.check}: ${e.curl}`).toBe(e.status);
      if (e.pointer !== undefined && 'value' in e && isPrimitive(e.value)) expect(at(got.body, e.pointer), `${r.check} ${e.pointer}`).toEqual(e.value);
    }
  }
  return replayed;
}

let target: Target;
beforeAll(async () => {
  target = await startTarget({ orders: 30 });
});
afterAll(async () => {
  await target?.close();
});

describe('the curls of a failing run reproduce its faults', () => {
  it('a corrupted detail field: the curl shows the same status and the value at the pointer', async () => {
    let replayed = 0;
    await target.run(fault('detail-securing-as-string'), {}, async ({ report }) => {
      replayed = await expectReproducible(report);
      // each check's time is measured (JUnit's time per test case): every check that judged something took some
      expect(report.results.filter((r) => r.examined + r.violations > 0 && !(r.durationMs && r.durationMs > 0)).map((r) => r.check)).toEqual([]);
    });
    expect(replayed).toBeGreaterThan(0);
  }, 60_000);

  it('a termination left out of the history: the GET that shows it, after the POST that caused it', async () => {
    let evidence: Evidence | undefined;
    await target.run(fault('termination-missing-from-history'), {}, async ({ report }) => {
      await expectReproducible(report);
      evidence = report.results.find((r) => r.check === 'terminate_active')?.evidence[0];
    });
    expect(evidence?.method).toBe('GET');
    expect(evidence?.url).toMatch(/\/historic\/$/);
    expect(evidence?.causedBy?.map((c) => `${c.method} ${c.status}`)).toEqual(['POST 201']);
    expect(evidence?.causedBy?.[0]?.curl).toContain('"Authorization: Bearer $CONFORMANCE_TOKEN"');
  }, 60_000);

  it('a refused termination recorded anyway: the order-request list that counts it, after the refused POST', async () => {
    let evidence: Evidence | undefined;
    await target.run(fault('refused-termination-recorded'), {}, async ({ report }) => {
      await expectReproducible(report);
      evidence = report.results.find((r) => r.check === 'action_precondition')?.evidence.find((e) => e.url.includes('order_request'));
    });
    expect(evidence?.status).toBe(200);
    expect(evidence?.causedBy?.map((c) => `${c.method} ${c.status}`)).toEqual(['POST 409']);
  }, 60_000);
});

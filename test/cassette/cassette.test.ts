/**
 * Cassettes (issue 13): one recorded run through the fault proxy (no fault,
 * small settings) is judged offline to the same results; the same cassette
 * edited to break one rule fails exactly that check; a cut or foreign file
 * is refused with CONF_ERR_CASSETTE. Then `conformance replay` on a report of
 * a run through a fault: the failure is gone once the fault is lifted, and
 * still there while it is in place.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TOKENS } from '../../mock/index.ts';
import { judge, judgeCassette } from '../../src/cassette/judge.ts';
import { parseCassette, readCassette, renumbered, writeJsonLines } from '../../src/cassette/file.ts';
import type { ExchangeRecord } from '../../src/cassette/record.ts';
import { replayReport } from '../../src/cassette/replay-report.ts';
import type { RunOutcome } from '../../src/engine/run.ts';
import type { Report } from '../../src/report/types.ts';
import { FAULT_BY_NAME } from '../faults/faults.ts';
import { startTarget, type Target } from '../faults/target.ts';
import { runCli } from '../run/cli.ts';

let target: Target;
let dir: string;
let file: string;
let recorded: RunOutcome;

const byCheck = (r: Report) => Object.fromEntries(r.results.map((x) => [x.check, { status: x.status, examined: x.examined, violations: x.violations }]));

beforeAll(async () => {
  target = await startTarget({ orders: 30 });
  dir = mkdtempSync(join(tmpdir(), 'conformance-cassette-'));
  file = join(dir, 'run.jsonl');
  recorded = await target.run(undefined, { record: file, fuzzRuns: 3, seed: 5 });
}, 120_000);

afterAll(async () => {
  await target?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('judge: a cassette judged offline', () => {
  it('gives the results of the run it recorded: verdict, and per check the status, examined and violation counts', async () => {
    expect(recorded.report.verdict).toBe('PASS');
    const judged = await judgeCassette(file, { reportDir: join(dir, 'judged') });
    expect(judged.report.incomplete).toBeUndefined();
    expect(judged.report.verdict).toBe(recorded.report.verdict);
    expect(byCheck(judged.report)).toEqual(byCheck(recorded.report));
    expect(judged.report.summary.requests).toBe(recorded.report.summary.requests);
    expect(judged.exitCode).toBe(recorded.exitCode);
  }, 60_000);

  it('a history answer edited so that its timestamps go backwards fails history_timestamps, and nothing else changes', async () => {
    const c = parseCassette(readFileSync(file, 'utf8'));
    const rec = c.records.find((r) => r.operationId === 'getOrderHistory' && r.response?.status === 200 && (JSON.parse(r.response.body ?? '{}') as { results?: unknown[] }).results!.length >= 2) as ExchangeRecord;
    const body = JSON.parse(rec.response!.body!) as { results: { change_date: string }[] };
    const [a, b] = [body.results[0]!, body.results[1]!];
    [a.change_date, b.change_date] = [b.change_date, a.change_date];
    rec.response!.body = JSON.stringify(body);
    const judged = await judge(c);
    const want = byCheck(recorded.report);
    const got = byCheck(judged.report);
    // HIST-TIME is graded a warning by the contract: its violation is a warn, and the one finding of the run
    expect(got.history_timestamps?.status).toBe('warn');
    expect(got.history_timestamps?.violations).toBe(1);
    expect(judged.report.results.find((r) => r.check === 'history_timestamps')?.message).toMatch(/history entry 1/);
    const changed = Object.keys(want).filter((k) => JSON.stringify(want[k]) !== JSON.stringify(got[k]));
    expect(changed).toEqual(['history_timestamps']);
  }, 60_000);

  it('an answer the run asks for and the cassette lacks makes the judgement INCOMPLETE (CONF_ERR_CASSETTE), naming the request', async () => {
    const c = parseCassette(readFileSync(file, 'utf8'));
    const i = c.records.findIndex((r) => r.operationId === 'getOrderHistory');
    const [gone] = c.records.splice(i, 1);
    const judged = await judge(c);
    expect(judged.report.verdict).toBe('INCOMPLETE');
    expect(judged.exitCode).toBe(2);
    expect(judged.report.incomplete?.code).toBe('CONF_ERR_CASSETTE');
    expect(judged.report.incomplete?.message).toContain(new URL(gone!.request.url).pathname);
  }, 60_000);

  it('a run that stops INCOMPLETE leaves a cassette complete line by line, which judges to the same INCOMPLETE', async () => {
    const short = join(dir, 'short.jsonl');
    const stopped = await target.run(undefined, { record: short, budget: 40, seed: 5 });
    expect(stopped.report.incomplete?.code).toBe('CONF_ERR_BUDGET');
    const text = readFileSync(short, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const c = parseCassette(text);
    expect(c.records.length).toBe(stopped.report.summary.requests);
    const judged = await judge(c);
    expect(judged.report.incomplete?.code).toBe('CONF_ERR_BUDGET');
    expect(byCheck(judged.report)).toEqual(byCheck(stopped.report));
  }, 60_000);

  it('a cut, headless, foreign or other-contract cassette is refused with CONF_ERR_CASSETTE', async () => {
    const text = readFileSync(file, 'utf8');
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, text.slice(0, Math.floor(text.length / 2)));
    await expect(judgeCassette(cut)).rejects.toMatchObject({ code: 'CONF_ERR_CASSETTE', message: expect.stringMatching(/line \d+ is not JSON \(the file ends inside this line: it was cut\)/) });
    const lines = text.split('\n');
    for (const bad of [lines.slice(1).join('\n'), 'not json at all\n', '', '{"cassette":2,"contract":"x","target":"http://x"}\n', lines[0]!.replace(/"contract":"[0-9a-f]+"/, '"contract":"00"')]) {
      const f = join(dir, 'bad.jsonl');
      writeFileSync(f, bad);
      await expect(judgeCassette(f)).rejects.toMatchObject({ code: 'CONF_ERR_CASSETTE' });
    }
    await expect(judgeCassette(join(dir, 'missing.jsonl'))).rejects.toMatchObject({ code: 'CONF_ERR_CASSETTE' });
  });
});

describe('a cassette larger than memory would hold (read a line at a time, bodies left in the file)', () => {
  it('holds the same records, each body read from the file when asked, and judges to the same results', async () => {
    const whole = parseCassette(readFileSync(file, 'utf8'));
    const big = readCassette(file, { heldWhole: 0 });
    try {
      expect(big.close).toBeTypeOf('function');
      expect(big.header).toEqual(whole.header);
      const withBody = big.records.find((r) => r.response?.body !== undefined)!;
      // the answer is not held: the record reads its line again
      expect(Object.keys(withBody)).not.toContain('response');
      expect(JSON.stringify(big.records)).toBe(JSON.stringify(whole.records));
      // a merge renumbers records with their shard: the copy still reads its answer
      expect(JSON.stringify(big.records.map((r, i) => renumbered(r, i + 7, 2)))).toBe(JSON.stringify(whole.records.map((r, i) => renumbered(r, i + 7, 2))));
      const again = join(dir, 'again.jsonl');
      writeJsonLines(again, [big.header, ...big.records]);
      expect(readFileSync(again, 'utf8')).toBe(`${[whole.header, ...whole.records].map((l) => JSON.stringify(l)).join('\n')}\n`);
      big.close?.();
      // closed, a body asked for opens the file again
      expect(withBody.response?.body).toBe(whole.records[big.records.indexOf(withBody)]?.response?.body);
      const judged = await judge(big);
      expect(judged.report.incomplete).toBeUndefined();
      expect(byCheck(judged.report)).toEqual(byCheck(recorded.report));
      expect(judged.report.summary.requests).toBe(recorded.report.summary.requests);
    } finally {
      big.close?.();
    }
  }, 60_000);

  it('refuses a cut, headless or foreign file with the messages a cassette held whole gets', () => {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const f = join(dir, 'bad-large.jsonl');
    const cases = [text.slice(0, Math.floor(text.length / 2)), lines.slice(1).join('\n'), 'not json at all\n', '', '{"cassette":2,"contract":"x","target":"http://x"}\n', `${lines[0]}\n{"request":{}}\n`, `${lines[0]}\n\n${lines[1]}\n`];
    for (const bad of cases) {
      writeFileSync(f, bad);
      const message = (read: () => unknown): string => {
        try {
          read();
        } catch (e) {
          expect((e as { code?: string }).code).toBe('CONF_ERR_CASSETTE');
          return (e as Error).message;
        }
        return 'read';
      };
      expect(
        message(() => readCassette(f, { heldWhole: 0 })),
        bad.slice(0, 40),
      ).toBe(message(() => readCassette(f)));
    }
  });
});

describe('the command line', () => {
  it('conformance judge writes the reports and exits as the run did; a cut cassette exits 2 with the code and no stack trace', async () => {
    const reports = join(dir, 'cli-judged');
    const ok = await runCli(['judge', file, '--report-dir', reports]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Verdict: PASS/);
    expect(JSON.parse(readFileSync(join(reports, 'conformance.json'), 'utf8')).verdict).toBe('PASS');
    const cut = join(dir, 'cli-cut.jsonl');
    writeFileSync(cut, readFileSync(file, 'utf8').slice(0, 5000));
    const bad = await runCli(['judge', cut, '--report-dir', join(dir, 'cli-bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\[CONF_ERR_CASSETTE\]/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe('replay: the failures of a report sent again', () => {
  it('a failure through a fault is gone against the fixed server, and still there against the faulty one', async () => {
    const fault = FAULT_BY_NAME.get('reads-without-credentials');
    const failing = await target.run(fault, { seed: 6 });
    expect(failing.report.results.find((r) => r.check === 'auth_missing_credentials')?.status).toBe('fail');
    const reportFile = join(dir, 'failing.json');
    writeFileSync(reportFile, JSON.stringify(failing.report));
    const env = { CONFORMANCE_TOKEN: DEMO_TOKENS.customerA_user1, CONFORMANCE_TOKEN_OTHER_USER: DEMO_TOKENS.customerA_user2, CONFORMANCE_TOKEN_OTHER_TENANT: DEMO_TOKENS.customerB_user1 };
    const replay = async (): Promise<{ code: number; lines: string[] }> => {
      const lines: string[] = [];
      const code = await replayReport(
        reportFile,
        { env, reportDir: join(dir, 'replay') },
        (l) => lines.push(l),
        (l) => lines.push(l),
      );
      return { code, lines };
    };

    target.proxy.use(fault);
    const still = await replay();
    expect(still.code, still.lines.join('\n')).toBe(1);
    expect(still.lines.join('\n')).toMatch(/still fails: /);
    // the evidence re-sent: the read without credentials answers 200 again
    expect(still.lines.some((l) => /re-sent GET \/api\/v1\/.* was 200, now 200/.test(l))).toBe(true);
    expect(still.lines.join('\n')).toContain('--checks auth_missing_credentials --seed 6');

    target.proxy.use(undefined);
    const gone = await replay();
    expect(gone.code, gone.lines.join('\n')).toBe(0);
    expect(gone.lines.join('\n')).toMatch(/gone: /);
    expect(gone.lines.some((l) => /re-sent GET \/api\/v1\/.* was 200, now 401/.test(l))).toBe(true);
    expect(gone.lines.at(-1)).toMatch(/1 check\(s\): 0 still fail, 1 gone/);
  }, 120_000);
});

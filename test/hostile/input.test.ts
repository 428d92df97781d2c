/**
 * Hostile input from a server that otherwise answers like the reference
 * server (a proxy in front of it, built here, on 127.0.0.1): links, strings
 * and bodies crafted to crash, hang or fool the kit. Each run ends within its
 * bound with a verdict, and the finding names what the server did. The same
 * checks pass on the reference server (test/run/reference.test.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEMO_TOKENS } from '../../mock/index.ts';
import { describe, expect, it } from 'vitest';
import type { Report, Result } from '../../src/report/types.ts';
import { chain, editJson, editResponse, type Fault, type Operation, type Transform } from '../faults/proxy.ts';
import { runCli } from '../run/cli.ts';
import { fault, fileTarget } from './support.ts';

/** A run against one hostile mode: a few deadlines at most */
const BOUND_MS = 30_000;

// more than one page of orders (the reference server pages by 100)
const target = fileTarget({ orders: 180 });

function result(report: Report, check: string): Result {
  const r = report.results.find((x) => x.check === check);
  if (!r) throw new Error(`no result for ${check}`);
  return r;
}

/** The raw paths the proxy saw, while `transform` is in place. */
function recording(paths: string[], transform: Transform): Transform {
  return (req, ctx) => {
    paths.push(req.url);
    return transform(req, ctx);
  };
}

/** Rewrites the `next` link of every page of the list operations. */
function nextLinks(edit: (next: string) => string, ops: Operation[] = ['listOrders']): Transform {
  return chain(
    ...ops.map((op) =>
      editJson(op, (b) => {
        const page = b as { next?: string | null };
        if (typeof page.next === 'string') page.next = edit(page.next);
      }),
    ),
  );
}

async function certify(f: Fault, options: Record<string, unknown> = {}): Promise<{ report: Report; exitCode: number; ms: number }> {
  const t0 = performance.now();
  const { report, exitCode } = await target().run(f, options);
  return { report, exitCode, ms: performance.now() - t0 };
}

describe('next links resolved as URL references', () => {
  it('a relative link ("?page=2") is followed against its page: the whole list, no finding', async () => {
    const { report, ms } = await certify(
      fault(
        'relative-next',
        'order_list_paging',
        nextLinks((n) => new URL(n).search, ['listOrders', 'listOrderRequests']),
      ),
    );
    expect(ms).toBeLessThan(BOUND_MS);
    const paging = result(report, 'order_list_paging');
    expect(paging.status, paging.message).toBe('pass');
    expect(paging.examined).toBeGreaterThan(1);
    expect(result(report, 'export_content').status).toBe('pass');
  });

  it.each([
    ['javascript:', 'javascript:alert(1)', /javascript: link, not http\(s\)/],
    ['file:', 'file:///etc/passwd', /file: link, not http\(s\)/],
    ['another host', 'http://evil.example.invalid/api/v1/order/?page=2', /another origin \(http:\/\/evil\.example\.invalid/],
    ['a scheme-relative other host', '//evil.example.invalid/api/v1/order/?page=2', /another origin/],
    ['another port', 'http://127.0.0.1:9/api/v1/order/?page=2', /another origin \(http:\/\/127\.0\.0\.1:9/],
  ])('a %s next link is not followed: an error of order_list_paging, a verdict, no hang', async (_what, link, message) => {
    const { report, exitCode, ms } = await certify(
      fault(
        'bad-next',
        'order_list_paging',
        nextLinks(() => link),
      ),
    );
    expect(ms).toBeLessThan(BOUND_MS);
    expect(exitCode).toBe(1);
    const paging = result(report, 'order_list_paging');
    expect(paging.status).toBe('fail');
    expect(paging.message).toMatch(/the "next" link of page 1 is not followed/);
    expect(paging.message).toMatch(message);
  });

  it('with one connection and refused links on every list, every slot is freed: the run ends with a verdict', async () => {
    const { report, exitCode, ms } = await certify(
      fault(
        'bad-next-everywhere',
        'order_list_paging',
        nextLinks(() => 'javascript:void(0)', ['listOrders', 'listOrderRequests']),
      ),
      { concurrency: 1, timeoutMs: 1_000 },
    );
    expect(ms).toBeLessThan(BOUND_MS);
    expect(exitCode).toBe(1);
    expect(result(report, 'order_list_paging').status).toBe('fail');
    // the checks after the list still ran: nothing was left holding the only slot
    expect(result(report, 'order_detail_schema').status).toBe('pass');
    expect(result(report, 'auth_missing_credentials').status).toBe('pass');
  });
});

describe('next links through the command line', () => {
  it('javascript: next links on every list, fuzzing on: exit 1 with every report written (the previous harness ended silently: no verdict, no report)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conformance-next-'));
    const t = target();
    t.proxy.use(
      fault(
        'bad-next-cli',
        'order_list_paging',
        nextLinks(() => 'javascript:void(0)', ['listOrders', 'listOrderRequests']),
      ),
    );
    try {
      const out = await runCli(['run', '--base-url', t.proxy.baseUrl, '--token', DEMO_TOKENS.customerA_user1, '--fuzz-runs', '3', '--max-orders', '5', '--seed', '2', '--timeout-ms', '2000', '--report-dir', dir], { deadlineMs: 60_000 });
      expect(out.signal).toBeNull();
      expect(out.code, out.stderr).toBe(1);
      expect(out.stdout).toMatch(/Verdict: FAIL/);
      expect(readdirSync(dir)).toEqual(expect.arrayContaining(['conformance.json', 'summary.md', 'junit.xml', 'index.html']));
      const report = JSON.parse(readFileSync(join(dir, 'conformance.json'), 'utf8')) as Report;
      expect(result(report, 'order_list_paging').message).toMatch(/javascript: link, not http\(s\)/);
    } finally {
      t.proxy.use(undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hostile strings in path segments', () => {
  it('order references "..", "." and one with a lone surrogate: sent encoded, judged, never a crash', async () => {
    const paths: string[] = [];
    const { report, exitCode, ms } = await certify(
      fault(
        'hostile-refs',
        'order_detail_schema',
        recording(
          paths,
          editJson('listOrders', (b) => {
            const rows = (b as { results: { order_reference: string }[] }).results;
            if (rows[0]) rows[0].order_reference = '..';
            if (rows[1]) rows[1].order_reference = '.';
            if (rows[2]) rows[2].order_reference = `${rows[2].order_reference}\uD800`;
          }),
        ),
      ),
      { maxOrders: 200 },
    );
    expect(ms).toBeLessThan(BOUND_MS);
    expect(report.incomplete, JSON.stringify(report.incomplete)).toBeUndefined();
    expect(exitCode).toBe(1);
    const refs = paths.map((p) => p.split('?')[0]?.split('/')[4]).filter((s): s is string => s !== undefined);
    // the order-reference segment is never a dot segment; the dots and the broken character went out encoded
    expect(refs.filter((s) => s === '.' || s === '..')).toEqual([]);
    expect(refs).toEqual(expect.arrayContaining(['%2E%2E', '%2E']));
    expect(refs.some((s) => s.endsWith('%EF%BF%BD'))).toBe(true);
    const detail = result(report, 'order_detail_schema');
    expect(detail.status).toBe('fail');
    expect(detail.message).toMatch(/expected 200 \/ received 404/);
  });

  it('a document name with a lone surrogate: the download is asked for (U+FFFD), and its 404 is a finding', async () => {
    const paths: string[] = [];
    const { report, exitCode } = await certify(
      fault(
        'hostile-filename',
        'document_download',
        recording(
          paths,
          editJson('listOrderDocuments', (b) => {
            const groups = b as { values: string[] }[];
            const g = groups[0];
            if (g?.values[0]) g.values[0] = `\uDC00${g.values[0]}`;
          }),
        ),
      ),
      { maxOrders: 200 },
    );
    expect(exitCode).toBe(1);
    expect(paths.some((p) => /\/%EF%BF%BD[^/]*\/download\/$/.test(p))).toBe(true);
    expect(result(report, 'document_download').message).toMatch(/expected 200 \/ received (400|404)/);
  });
});

describe('hostile JSON bodies', () => {
  const detailBody = (make: (text: string) => Buffer, headers: Record<string, string> = {}): Transform =>
    editResponse(
      'getOrder',
      (res) => ({ ...res, headers: { ...res.headers, ...headers }, body: make(res.body.toString('utf8')) }),
      (_q, r) => r.status === 200,
    );

  it('5,000 levels of nesting (10 KB): a finding about that exchange, no stack overflow', async () => {
    const bomb = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const { report, exitCode, ms } = await certify(
      fault(
        'nesting-bomb',
        'order_detail_schema',
        chain(
          detailBody(() => Buffer.from(bomb)),
          editResponse(
            'getOrderHistory',
            (res) => ({ ...res, body: Buffer.from(`{"results":${bomb}}`) }),
            (_q, r) => r.status === 200,
          ),
        ),
      ),
    );
    expect(ms).toBeLessThan(BOUND_MS);
    expect(exitCode).toBe(1);
    expect(result(report, 'order_detail_schema').message).toMatch(/nests deeper than 64 levels/);
    expect(result(report, 'history_schema').message).toMatch(/nests deeper than 64 levels/);
  });

  it('a key given twice (a bogus first "state"): a finding naming the key', async () => {
    const { report, exitCode } = await certify(
      fault(
        'duplicate-key',
        'order_list_schema',
        editResponse('listOrders', (res) => ({
          ...res,
          body: Buffer.from(res.body.toString('utf8').replace('"state":"', '"state":"bogus","state":"')),
        })),
      ),
    );
    expect(exitCode).toBe(1);
    const list = result(report, 'order_list_schema');
    expect(list.status).toBe('fail');
    expect(list.message).toMatch(/the key "state" appears twice in one object/);
  });

  it('Latin-1 bytes declared UTF-8: a finding naming the charset', async () => {
    const { report, exitCode } = await certify(
      fault(
        'latin1-as-utf8',
        'order_detail_schema',
        detailBody((text) => Buffer.from(text.replace('{', '{"note":"Caf\u00e9 cr\u00e8me",'), 'latin1'), { 'content-type': 'application/json; charset=utf-8' }),
      ),
    );
    expect(exitCode).toBe(1);
    expect(result(report, 'order_detail_schema').message).toMatch(/not valid utf-8 \(its declared charset\)/);
  });

  it('a gzip body nobody asked for: named as such, not just "not JSON"', async () => {
    const { report, exitCode } = await certify(
      fault(
        'unasked-gzip',
        'order_detail_schema',
        detailBody((text) => gzipSync(text), { 'content-encoding': 'gzip' }),
      ),
    );
    expect(exitCode).toBe(1);
    expect(result(report, 'order_detail_schema').message).toMatch(/gzip-encoded \(Content-Encoding: gzip\), which the request did not ask for/);
  });
});

describe('strictness where hostility hides', () => {
  it('an export of 256 KB of random bytes (served as text/csv) fails export_download', async () => {
    // deterministic bytes (xorshift), so a failure replays
    let x = 0x9e3779b9;
    const random = Buffer.alloc(256 * 1024);
    for (let i = 0; i < random.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      random[i] = x & 0xff;
    }
    const { report, exitCode } = await certify(
      fault(
        'export-random-bytes',
        'export_download',
        editResponse(
          'downloadOrderExport',
          (res) => ({ ...res, body: random }),
          (_q, r) => r.status === 200,
        ),
      ),
    );
    expect(exitCode).toBe(1);
    const dl = result(report, 'export_download');
    expect(dl.status).toBe('fail');
    expect(dl.message).toMatch(/expected CSV that parses \/ received expected (UTF-8|CSV) text/);
    expect(result(report, 'export_content').message).toMatch(/could not be compared/);
  });

  it('an export whose header row repeats a column name fails export_download', async () => {
    const { report } = await certify(
      fault(
        'export-duplicate-column',
        'export_download',
        editResponse(
          'downloadOrderExport',
          (res) => {
            const text = res.body.toString('utf8');
            const eol = text.indexOf('\r\n') >= 0 ? text.indexOf('\r\n') : text.indexOf('\n');
            const header = text.slice(0, eol).split(',');
            header[1] = header[0] ?? 'x';
            return { ...res, body: Buffer.from(header.join(',') + text.slice(eol)) };
          },
          (_q, r) => r.status === 200,
        ),
      ),
    );
    expect(result(report, 'export_download').message).toMatch(/expected a header row of distinct column names \/ received the name .* twice/);
  });

  it('a response nobody asked for, sent right behind an answer on the same connection: a finding of no_server_errors', async () => {
    const { report, exitCode } = await certify(
      fault(
        'unsolicited-response',
        'no_server_errors',
        editResponse('listTerminateReasons', (res) => ({
          ...res,
          pump: (out) => {
            // right behind the answer, before the client can send its next request on this connection
            out.end(res.body);
            out.socket?.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}');
          },
        })),
      ),
    );
    expect(exitCode).toBe(1);
    const no5xx = result(report, 'no_server_errors');
    expect(no5xx.status).toBe('fail');
    expect(no5xx.message).toMatch(/the target sent a response no request asked for on a connection after GET \/api\/v1\/terminate_reason\//);
  });
});

/**
 * The export protocol: start (EXP-START), the per-user rate limit
 * (RATE-LIMIT, RATE-SCOPE, RATE-RETRY-AFTER), status polling with a deadline
 * (EXP-STATUS), the CSV download parsed as a stream (EXP-DOWNLOAD) and its
 * rows cross-checked against the order list (EXP-CONTENT). Another customer
 * may not read the task (AUTH-TENANT).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Exchange } from '../../harness/http.ts';
import { TextDecoder } from 'node:util';
import { CsvParseError, parseCsvStream } from '../csv.ts';
import type { RunContext } from '../context.ts';

const START = '/api/v1/order/export/csv/';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CsvSummary {
  header: string[];
  rows: number;
  /** references in the CSV but not in the list */
  unknown: string[];
  /** references listed more than once */
  duplicates: string[];
  /** rows whose state differs from the list */
  stateMismatch: { ref: string; csv: string; list: string }[];
  /** list references missing from the CSV */
  missing: number;
  refColumn: number;
  stateColumn: number;
}

/**
 * Parses CSV from a byte stream (src/engine/csv.ts: csv-parse's dialect and
 * strictness, several times faster) and compares it with the order list as it
 * streams: memory holds the list, not the file. While the rows come in list
 * order (the usual export) each is matched with the next listed reference;
 * the first row out of that order builds an index of the list (reference →
 * position) and every later row is looked up in it.
 */
export async function crossCheckCsv(body: AsyncIterable<Buffer>, listed: Map<string, string> | undefined): Promise<CsvSummary> {
  const summary: CsvSummary = { header: [], rows: 0, unknown: [], duplicates: [], stateMismatch: [], missing: 0, refColumn: -1, stateColumn: -1 };
  const seen = listed ? new Uint8Array(listed.size) : undefined;
  let index: Map<string, number> | undefined;
  const keys = listed?.keys();
  let nextKey = keys?.next();
  let position = 0;
  const positionOf = (ref: string): number | undefined => {
    if (!index) {
      if (nextKey && !nextKey.done && nextKey.value === ref) {
        nextKey = keys!.next();
        return position++;
      }
      index = new Map();
      let i = 0;
      for (const k of listed!.keys()) index.set(k, i++);
    }
    return index.get(ref);
  };
  await parseCsvStream(textOnly(body), (record) => {
    if (summary.header.length === 0) {
      const names = new Set<string>();
      const bad = record.findIndex((h) => h.trim() === '' || names.size === names.add(h).size);
      if (bad >= 0) throw new CsvParseError('CSV_BAD_HEADER', `expected a header row of distinct column names / received ${record[bad]?.trim() === '' ? `an empty name in column ${bad + 1}` : `the name ${JSON.stringify(record[bad]?.slice(0, 100))} twice`}`);
      summary.header = record;
      summary.refColumn = record.findIndex((h) => h.trim().toLowerCase() === 'order_reference');
      if (summary.refColumn < 0) summary.refColumn = record.findIndex((h) => /reference/i.test(h));
      summary.stateColumn = record.findIndex((h) => h.trim().toLowerCase() === 'state');
      return;
    }
    summary.rows++;
    if (!listed || !seen || summary.refColumn < 0) return;
    const ref = record[summary.refColumn] ?? '';
    const i = positionOf(ref);
    if (i === undefined) {
      if (summary.unknown.length < 5) summary.unknown.push(ref);
      return;
    }
    if (seen[i]) {
      if (summary.duplicates.length < 5) summary.duplicates.push(ref);
      return;
    }
    seen[i] = 1;
    const state = summary.stateColumn >= 0 ? record[summary.stateColumn] : undefined;
    const expected = listed.get(ref);
    if (state !== undefined && expected !== undefined && state !== expected && summary.stateMismatch.length < 5) summary.stateMismatch.push({ ref, csv: state, list: expected });
  });
  if (seen) summary.missing = seen.reduce((n, v) => n + (v ? 0 : 1), 0);
  return summary;
}

/**
 * The bytes of an export, passed through as they come, and refused unless
 * they are text: valid UTF-8 (the download's charset), and no control
 * character but tab, CR and LF. Random bytes, a PDF or a gzip file fail here
 * however the CSV parser would have split them.
 */
async function* textOnly(body: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  for await (const chunk of body) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new CsvParseError('CSV_NOT_TEXT', `expected UTF-8 text / received bytes that are not UTF-8 (within bytes ${offset}–${offset + chunk.length})`);
    }
    const control = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.exec(text);
    if (control) throw new CsvParseError('CSV_NOT_TEXT', `expected CSV text / received the control character 0x${control[0].charCodeAt(0).toString(16).padStart(2, '0')} (binary data) within bytes ${offset}–${offset + chunk.length}`);
    offset += chunk.length;
    yield chunk;
  }
  try {
    decoder.decode();
  } catch {
    throw new CsvParseError('CSV_NOT_TEXT', 'expected UTF-8 text / received a file that ends inside a UTF-8 character');
  }
}

async function start(ctx: RunContext, as: 'main' | 'otherUser'): Promise<Exchange> {
  return ctx.http.request({ path: START, method: 'POST', as, operationId: 'startOrderExport', retry429: false });
}

export async function checkExport(ctx: RunContext): Promise<void> {
  if (!ctx.enabled('export_start')) {
    for (const c of ['export_status', 'export_download', 'export_content', 'rate_limit', 'rate_limit_scope', 'rate_limit_retry_after'] as const) ctx.enabled(c);
    return;
  }
  const strictStatus = Number(ctx.spec.operations.get('startOrderExport')?.raw['x-strict-status'] ?? 202);
  const first = await start(ctx, 'main');
  const st = ctx.check('export_start');
  if (first.status === 429) {
    const why = `the user already exported within the window (429, Retry-After ${first.headers['retry-after'] ?? 'absent'}); run again later`;
    for (const c of ['export_start', 'export_status', 'export_download', 'export_content', 'rate_limit', 'rate_limit_retry_after', 'rate_limit_scope'] as const) ctx.check(c).skip(why);
    return;
  }
  // the checks that need a started task say why they did not run, never "nothing to examine"
  const skipDependents = (why: string): void => {
    for (const c of ['export_status', 'export_download', 'export_content', 'rate_limit', 'rate_limit_retry_after', 'rate_limit_scope'] as const) ctx.check(c).skip(why);
  };
  if (!ctx.expectStatus('export_start', first, [200, 201, 202], 'export start')) {
    skipDependents(`the export did not start (export start answered ${first.status ?? first.error?.message})`);
    return;
  }
  ctx.schema('export_start', first, 'startOrderExport');
  if (first.status !== strictStatus) {
    st.fail(`export start: expected ${strictStatus} Accepted (strict profile) / received ${first.status}`, ctx.http.evidence(first, { expected: String(strictStatus), received: String(first.status) }), 'warning');
  }
  const taskId = (first.json() as { task_id?: unknown })?.task_id;
  if (typeof taskId !== 'string' || !UUID.test(taskId)) {
    skipDependents(`the export start gave no usable task_id (received ${JSON.stringify(taskId)})`);
    return;
  }

  // the limit: a second start by the same user at once, and a colleague's start
  if (ctx.enabled('rate_limit')) {
    const second = await start(ctx, 'main');
    if (ctx.expectStatus('rate_limit', second, [429], 'a second export by the same user within 5 minutes')) {
      if (ctx.enabled('rate_limit_retry_after')) {
        const ra = second.headers['retry-after'];
        const ok = ra !== undefined && (/^\d+$/.test(ra.trim()) || !Number.isNaN(Date.parse(ra)));
        if (ok) ctx.check('rate_limit_retry_after').pass();
        else ctx.check('rate_limit_retry_after').fail(`429: expected a Retry-After header (seconds or a date) / received ${ra === undefined ? 'none' : JSON.stringify(ra)}`, ctx.http.evidence(second, { expected: 'Retry-After', received: ra ?? 'absent' }));
      }
    } else ctx.check('rate_limit_retry_after').skip('no 429 to inspect');
  }
  if (ctx.enabled('rate_limit_scope')) {
    const colleague = await start(ctx, 'otherUser');
    ctx.expectStatus('rate_limit_scope', colleague, [200, 201, 202], "a colleague's export right after the user's (the limit is per user)");
  }
  if (ctx.options.tokenOtherTenant && ctx.enabled('tenant_isolation')) {
    const peek = await ctx.http.request({ path: `/api/v1/order/export/${taskId}/status/`, as: 'otherTenant', operationId: 'getOrderExportStatus' });
    ctx.expectStatus('tenant_isolation', peek, [403, 404], `export task ${taskId} read by another customer`);
  }

  // status, polled until final or the deadline
  const statusCheck = ctx.check('export_status');
  const deadline = Date.now() + ctx.options.waitMs;
  let success: unknown = null;
  let last: Exchange | undefined;
  let delay = 100;
  while (Date.now() < deadline) {
    last = await ctx.http.request({ path: `/api/v1/order/export/${taskId}/status/`, operationId: 'getOrderExportStatus' });
    if (!ctx.expectStatus('export_status', last, [200], `status of export ${taskId}`)) return;
    ctx.schema('export_status', last, 'getOrderExportStatus');
    const body = last.json() as { task_id?: unknown; success?: unknown };
    if (body?.task_id !== taskId) statusCheck.fail(`status of ${taskId}: expected task_id "${taskId}" / received ${JSON.stringify(body?.task_id)}`, ctx.http.evidence(last, { pointer: '/task_id', value: body?.task_id }));
    success = body?.success;
    if (success === true || success === false) break;
    await sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
  if (success !== true && success !== false) {
    statusCheck.fail(`export ${taskId}: expected success to become true or false within ${ctx.options.waitMs} ms / received ${JSON.stringify(success)}`, last ? ctx.http.evidence(last) : { method: 'GET', url: `${ctx.http.origin}/api/v1/order/export/${taskId}/status/` });
    for (const c of ['export_download', 'export_content'] as const) ctx.check(c).skip(`the export task did not finish within ${ctx.options.waitMs} ms`);
    return;
  }
  if (success === false) {
    for (const c of ['export_download', 'export_content'] as const) ctx.check(c).skip('the export task failed (success: false)');
    return;
  }

  // download, streamed through the CSV parser and compared with the list
  if (!ctx.enabled('export_download')) return;
  // built in one pass: no million-entry array of pairs on the way
  const listed = new Map<string, string>();
  for (const o of ctx.orders) listed.set(o.ref, o.state);
  const { ex, result, error } = await ctx.http.stream({ path: `/api/v1/order/export/${taskId}/download/`, operationId: 'downloadOrderExport' }, Math.max(ctx.options.waitMs, ctx.options.timeoutMs), (body) => crossCheckCsv(body, listed));
  const dl = ctx.check('export_download');
  const noContent = (why: string): void => ctx.check('export_content').skip(`the export file could not be compared: ${why}`);
  if (!ctx.expectStatus('export_download', ex, [200], `download of export ${taskId}`)) {
    noContent(`the download answered ${ex.status ?? ex.error?.message}`);
    return;
  }
  if (ex.contentType() !== 'text/csv') dl.fail(`export download: expected Content-Type text/csv / received ${JSON.stringify(ex.headers['content-type'] ?? 'none')}`, ctx.http.evidence(ex, { expected: 'text/csv', received: ex.headers['content-type'] ?? 'none' }));
  if (error || !result) {
    dl.fail(`export download: expected CSV that parses / received ${error}`, ctx.http.evidence(ex));
    noContent(String(error));
    return;
  }
  if (result.header.length === 0) {
    dl.fail('export download: expected a header row / received an empty file', ctx.http.evidence(ex));
    noContent('it is empty');
    return;
  }
  dl.pass();
  if (!ctx.enabled('export_content')) return;
  const content = ctx.check('export_content');
  const ev = ctx.http.evidence(ex, { note: `header: ${result.header.join(',')}` });
  if (result.refColumn < 0) {
    content.fail(`export: expected a column of order references to compare with the list / received header ${result.header.join(',')}`, ev);
    return;
  }
  const problems: string[] = [];
  if (result.rows !== listed.size) problems.push(`${result.rows} rows for ${listed.size} orders in the list`);
  if (result.unknown.length > 0) problems.push(`references not in the list: ${result.unknown.join(', ')}`);
  if (result.duplicates.length > 0) problems.push(`references twice: ${result.duplicates.join(', ')}`);
  if (result.missing > 0) problems.push(`${result.missing} listed order(s) missing`);
  const mism = result.stateMismatch.filter((m) => !ctx.touched.has(m.ref));
  if (mism.length > 0) problems.push(`states differing from the list: ${mism.map((m) => `${m.ref} ${m.csv}≠${m.list}`).join(', ')}`);
  if (problems.length > 0) content.fail(`export: expected the rows to agree with the order list / received ${problems.join('; ')}`, ev);
  else content.pass(result.rows);
}

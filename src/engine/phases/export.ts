/**
 * The export protocol: start (EXP-START), the per-user rate limit
 * (RATE-LIMIT, RATE-SCOPE, RATE-RETRY-AFTER), status polling with a deadline
 * (EXP-STATUS), the CSV download parsed as a stream (EXP-DOWNLOAD) and its
 * rows cross-checked against the order list (EXP-CONTENT). Another customer
 * may not read the task (AUTH-TENANT).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { tenantIsolation } from '../../checks/access/tenant.ts';
import type { Exchange } from '../../harness/http.ts';
import { TextDecoder } from 'node:util';
import { CsvParseError, parseCsvStream } from '../csv.ts';
import type { RunContext } from '../context.ts';
import { orderPath } from './orders.ts';

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
  /** the first few of them */
  missingRefs: string[];
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
  const summary: CsvSummary = { header: [], rows: 0, unknown: [], duplicates: [], stateMismatch: [], missing: 0, missingRefs: [], refColumn: -1, stateColumn: -1 };
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
  if (seen && listed) {
    let i = 0;
    for (const ref of listed.keys()) {
      if (!seen[i++]) {
        summary.missing++;
        if (summary.missingRefs.length < 5) summary.missingRefs.push(ref);
      }
    }
  }
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

/** The checks the export protocol serves: the start runs when any of them is selected and the export is allowed. */
export const EXPORT_CHECKS = ['export_start', 'export_status', 'export_download', 'export_content', 'rate_limit', 'rate_limit_scope', 'rate_limit_retry_after', 'export_fresh'] as const;

export async function checkExport(ctx: RunContext): Promise<void> {
  // each selected export check records why it cannot run (export off, dry run), if it cannot
  for (const c of EXPORT_CHECKS) ctx.enabled(c);
  // the task is also probed with another customer's token (tenant_isolation)
  if (!ctx.wants(...EXPORT_CHECKS) && !(ctx.options.tokenOtherTenant && ctx.wants('tenant_isolation') && ctx.options.allowExport && !ctx.options.dryRun)) return;
  const strictStatus = Number(ctx.spec.operations.get('startOrderExport')?.raw['x-strict-status'] ?? 202);
  const first = await start(ctx, 'main');
  const st = ctx.check('export_start');
  if (first.status === 429) {
    const why = `the user already exported within the window (429, Retry-After ${first.headers['retry-after'] ?? 'absent'}); run again later`;
    for (const c of ['export_start', 'export_status', 'export_download', 'export_content', 'rate_limit', 'rate_limit_retry_after', 'rate_limit_scope', 'export_fresh'] as const) ctx.check(c).skip(why);
    return;
  }
  // the checks that need a started task say why they did not run, never "nothing to examine"
  const skipDependents = (why: string): void => {
    for (const c of ['export_status', 'export_download', 'export_content', 'rate_limit', 'rate_limit_retry_after', 'rate_limit_scope', 'export_fresh'] as const) ctx.check(c).skip(why);
  };
  if (!ctx.expectStatus('export_start', first, [200, 201, 202], 'export start')) {
    skipDependents(`the export did not start (export start answered ${first.status ?? first.error?.message})`);
    return;
  }
  ctx.schema('export_start', first, 'startOrderExport');
  // the documentation shows no success status: any 2xx passes; 202 Accepted is the strict profile's expectation only
  if (first.status !== strictStatus && ctx.options.profile === 'strict') {
    st.fail(`export start: expected ${strictStatus} Accepted (strict profile) / received ${first.status}`, ctx.http.evidence(first, { expected: String(strictStatus), received: String(first.status) }));
  }
  ctx.exportStartedAt = Date.now();
  const taskId = (first.json() as { task_id?: unknown })?.task_id;
  if (typeof taskId !== 'string' || !UUID.test(taskId)) {
    skipDependents(`the export start gave no usable task_id (received ${JSON.stringify(taskId)})`);
    return;
  }

  // the limit: a second start by the same user at once, and a colleague's start
  if (ctx.wants('rate_limit', 'rate_limit_retry_after')) {
    ctx.enabled('rate_limit');
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
  if (ctx.http.hasCredential('otherTenant') && ctx.enabled('tenant_isolation')) {
    const peek = await ctx.http.request({ path: `/api/v1/order/export/${taskId}/status/`, as: 'otherTenant', operationId: 'getOrderExportStatus' });
    ctx.judge(tenantIsolation, { exportTask: { exchange: peek, taskId } });
  }

  // status, polled until final or the deadline
  const success = await pollTask(ctx, 'export_status', taskId, 'main');
  if (success !== true) {
    const why = success === false ? 'the export task failed (success: false)' : `the export task did not finish within ${ctx.options.waitMs} ms`;
    for (const c of ['export_download', 'export_content'] as const) ctx.check(c).skip(why);
    return;
  }

  // download, streamed through the CSV parser and compared with the list
  if (!ctx.wants('export_download', 'export_content')) return;
  // built in one pass: no million-entry array of pairs on the way
  const listed = new Map<string, string>();
  for (const o of ctx.orders) listed.set(o.ref, o.state);
  const got = await downloadCsv(ctx, 'export_download', taskId, 'main', listed);
  const noContent = (why: string): void => ctx.check('export_content').skip(`the export file could not be compared: ${why}`);
  if ('skip' in got) return noContent(got.skip);
  const { ex, result } = got;
  if (!ctx.enabled('export_content')) return;
  const content = ctx.check('export_content');
  const ev = ctx.http.evidence(ex, { note: `header: ${result.header.join(',')}` });
  if (result.refColumn < 0) {
    content.fail(`export: expected a column of order references to compare with the list / received header ${result.header.join(',')}${delimiterHint(result.header)}`, ev);
    return;
  }
  await judgeContent(ctx, result, listed, ev);
}

/** When a header is one field holding `;` or tabs, the file was most likely written with another delimiter. */
function delimiterHint(header: string[]): string {
  if (header.length !== 1) return '';
  const h = header[0] ?? '';
  const d = [';', '\t', '|'].find((c) => h.includes(c));
  return d ? ` (one column only: the delimiter looks like ${d === '\t' ? 'a tab' : `\`${d}\``}, where CSV uses \`,\`)` : '';
}

/** Polls a task's status until success is true or false, or the wait runs out; judges each answer on `check`. */
async function pollTask(ctx: RunContext, check: 'export_status' | 'export_fresh', taskId: string, as: 'main' | 'otherUser'): Promise<unknown> {
  const rec = ctx.check(check);
  const deadline = Date.now() + ctx.options.waitMs;
  let success: unknown = null;
  let last: Exchange | undefined;
  let delay = 100;
  while (Date.now() < deadline) {
    last = await ctx.http.request({ path: `/api/v1/order/export/${taskId}/status/`, as, operationId: 'getOrderExportStatus' });
    if (!ctx.expectStatus(check, last, [200], `status of export ${taskId}`)) return undefined;
    if (check === 'export_status') ctx.schema('export_status', last, 'getOrderExportStatus');
    const body = last.json() as { task_id?: unknown; success?: unknown };
    if (check === 'export_status' && body?.task_id !== taskId) rec.fail(`status of ${taskId}: expected task_id "${taskId}" / received ${JSON.stringify(body?.task_id)}`, ctx.http.evidence(last, { pointer: '/task_id', value: body?.task_id }));
    success = body?.success;
    if (success === true || success === false) return success;
    await sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
  rec.fail(`export ${taskId}: expected success to become true or false within ${ctx.options.waitMs} ms / received ${JSON.stringify(success)}`, last ? ctx.http.evidence(last) : { method: 'GET', url: `${ctx.http.origin}/api/v1/order/export/${taskId}/status/` });
  return undefined;
}

/** Downloads a task's CSV through the streaming cross-check; judges the download itself on `check`. */
async function downloadCsv(ctx: RunContext, check: 'export_download' | 'export_fresh', taskId: string, as: 'main' | 'otherUser', listed: Map<string, string> | undefined): Promise<{ ex: Exchange; result: CsvSummary } | { skip: string }> {
  const { ex, result, error } = await ctx.http.stream({ path: `/api/v1/order/export/${taskId}/download/`, as, operationId: 'downloadOrderExport' }, Math.max(ctx.options.waitMs, ctx.options.timeoutMs), (body) => crossCheckCsv(body, listed));
  const rec = ctx.check(check);
  if (!ctx.expectStatus(check, ex, [200], `download of export ${taskId}`)) return { skip: `the download answered ${ex.status ?? ex.error?.message}` };
  if (check === 'export_download' && ex.contentType() !== 'text/csv') rec.fail(`export download: expected Content-Type text/csv / received ${JSON.stringify(ex.headers['content-type'] ?? 'none')}`, ctx.http.evidence(ex, { expected: 'text/csv', received: ex.headers['content-type'] ?? 'none' }));
  if (error || !result) {
    rec.fail(`export download: expected CSV that parses / received ${error}`, ctx.http.evidence(ex));
    return { skip: String(error) };
  }
  if (result.header.length === 0) {
    rec.fail('export download: expected a header row / received an empty file', ctx.http.evidence(ex));
    return { skip: 'it is empty' };
  }
  rec.pass();
  return { ex, result };
}

/**
 * EXP-CONTENT: the CSV against the list. A difference is a server that
 * contradicts itself only once confirmed (ANALYSIS.md rule 2): a live staging
 * changes under a run, so the orders at fault are read again — a reference
 * the CSV has and the list did not, now listed, is an order created during
 * the run; a state that differs, where the order's detail now says what the
 * CSV says, is an order that moved. What is explained so is a warning that
 * says why; what is not is an error.
 */
async function judgeContent(ctx: RunContext, result: CsvSummary, listed: Map<string, string>, ev: ReturnType<RunContext['http']['evidence']>): Promise<void> {
  const content = ctx.check('export_content');
  const confirmed: string[] = [];
  const explained: string[] = [];
  const detailState = async (ref: string): Promise<string | undefined> => {
    const ex = await ctx.http.request({ path: orderPath(ref), operationId: 'getOrder' });
    const st = ex.status === 200 ? (ex.json() as { state?: unknown } | undefined)?.state : undefined;
    return ex.status === 404 ? '(gone)' : typeof st === 'string' ? st : undefined;
  };
  if (result.duplicates.length > 0) confirmed.push(`references twice: ${result.duplicates.join(', ')}`);
  if (result.unknown.length > 0) {
    const now = await Promise.all(result.unknown.map(async (ref) => [ref, await detailState(ref)] as const));
    const created = now.filter(([, st]) => st !== undefined && st !== '(gone)').map(([r]) => r);
    const strangers = now.filter(([, st]) => st === undefined || st === '(gone)').map(([r]) => r);
    if (strangers.length > 0) confirmed.push(`references not in the list and unknown to the detail endpoint: ${strangers.join(', ')}`);
    if (created.length > 0) explained.push(`references not in the list read earlier, readable now (created during the run?): ${created.join(', ')}`);
  }
  if (result.missing > 0) {
    const now = await Promise.all(result.missingRefs.map(async (ref) => [ref, await detailState(ref)] as const));
    const stillThere = now.filter(([, st]) => st !== undefined && st !== '(gone)').map(([r]) => r);
    if (stillThere.length > 0 || now.length === 0) confirmed.push(`${result.missing} listed order(s) missing from the export (${result.rows} rows for ${listed.size} listed), e.g. ${result.missingRefs.join(', ')}, still readable`);
    else explained.push(`${result.missing} listed order(s) missing, no longer readable (removed during the run?): ${result.missingRefs.join(', ')}`);
  }
  const mism = result.stateMismatch.filter((m) => !ctx.touched.has(m.ref));
  if (mism.length > 0) {
    const now = await Promise.all(mism.map(async (m) => ({ ...m, now: await detailState(m.ref) })));
    const moved = now.filter((m) => m.now === m.csv);
    const contradicts = now.filter((m) => m.now !== m.csv);
    if (contradicts.length > 0) confirmed.push(`states differing from the list and from the order's detail: ${contradicts.map((m) => `${m.ref} ${m.csv}≠${m.list} (detail: ${m.now ?? 'unreadable'})`).join(', ')}`);
    if (moved.length > 0) explained.push(`states that moved during the run (the detail now agrees with the export): ${moved.map((m) => `${m.ref} ${m.list}→${m.csv}`).join(', ')}`);
  }
  if (confirmed.length > 0) content.fail(`export: expected the rows to agree with the order list / received ${confirmed.join('; ')} (confirmed by reading the orders again)`, ev, 'error');
  if (explained.length > 0) content.fail(`export: rows differ from the list, but the target changed during the run, so this is not confirmed: ${explained.join('; ')}`, ev, 'warning');
  if (confirmed.length === 0 && explained.length === 0) content.pass(result.rows);
}

/**
 * After the writes: the colleague's export (RATE-SCOPE: the limit is per
 * user, so it is accepted while the user's own window is open), and, when the
 * run terminated an order, that export downloaded (EXP-FRESH: started after
 * a change the server acknowledged, it must show the change).
 */
export async function checkColleagueExport(ctx: RunContext): Promise<void> {
  const scope = ctx.enabled('rate_limit_scope');
  const fresh = ctx.enabled('export_fresh');
  if (!scope && !fresh) return;
  if (ctx.exportStartedAt === undefined) {
    const why = "the user's own export did not start, so a colleague's export proves nothing";
    if (scope) ctx.check('rate_limit_scope').skip(why);
    if (fresh) ctx.check('export_fresh').skip(why);
    return;
  }
  const colleague = await start(ctx, 'otherUser');
  const windowOpen = Date.now() - ctx.exportStartedAt < 270_000;
  if (scope) {
    if (windowOpen) ctx.expectStatus('rate_limit_scope', colleague, [200, 201, 202], "a colleague's export while the user's own is rate-limited (the limit is per user)");
    else ctx.check('rate_limit_scope').skip("more than 4.5 minutes passed since the user's export: its window may have closed, so the colleague's export proves nothing");
  }
  if (!fresh) return;
  const rec = ctx.check('export_fresh');
  const ref = ctx.terminated;
  if (!ref) {
    rec.skip('the run terminated no order (terminate_active did not run or did not succeed), so there is no change to look for');
    return;
  }
  const taskId = (colleague.json() as { task_id?: unknown } | undefined)?.task_id;
  if (colleague.status === undefined || colleague.status < 200 || colleague.status > 299 || typeof taskId !== 'string') {
    rec.skip(`the colleague's export did not start (${colleague.status ?? colleague.error?.message})`);
    return;
  }
  const success = await pollTask(ctx, 'export_fresh', taskId, 'otherUser');
  if (success !== true) return;
  const got = await downloadCsv(ctx, 'export_fresh', taskId, 'otherUser', new Map([[ref, '']]));
  if ('skip' in got) return;
  const { ex, result } = got;
  const terminate = ctx.lifecycle.actions.get('terminate');
  const after = [terminate?.via, terminate?.to].filter((x): x is string => !!x);
  // the row of the terminated order, read again from the stream summary: it is the one listed reference
  const row = result.stateMismatch.find((m) => m.ref === ref);
  const inFile = result.missing === 0;
  const detail = await ctx.http.request({ path: orderPath(ref), operationId: 'getOrder' });
  const detailState = (detail.json() as { state?: unknown } | undefined)?.state;
  const ev = ctx.http.evidence(ex, { note: `the run terminated ${ref} before this export started; its detail now says ${JSON.stringify(detailState)}` });
  if (!inFile) {
    rec.fail(`export started after terminating ${ref}: expected the order in the file / received no row for it (${result.rows} rows)`, ev, 'error');
    return;
  }
  const csvState = row?.csv;
  if (csvState === undefined) {
    rec.pass();
    return;
  }
  if (after.includes(csvState)) rec.pass();
  else if (typeof detailState === 'string' && after.includes(detailState)) rec.fail(`export started after terminating ${ref}: expected its state ${after.join(' or ')} / received "${csvState}" (the order's detail says "${detailState}": a stale export)`, ctx.http.evidence(ex, { expected: after.join(' or '), received: csvState }), 'error');
  else rec.fail(`export started after terminating ${ref}: expected its state ${after.join(' or ')} / received "${csvState}" (the detail says ${JSON.stringify(detailState)}, so this is not confirmed)`, ev, 'warning');
}

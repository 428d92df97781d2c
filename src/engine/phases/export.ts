/**
 * The export protocol: start (EXP-START), the per-user rate limit
 * (RATE-LIMIT, RATE-SCOPE, RATE-RETRY-AFTER), status polling with a deadline
 * (EXP-STATUS), the CSV download parsed as a stream (EXP-DOWNLOAD) and its
 * rows cross-checked against the order list (EXP-CONTENT). Another customer
 * may not read the task (AUTH-TENANT). This driver sends, polls, streams and
 * reads again; the modules of src/checks/export/ judge what it hands them.
 */
import { tenantIsolation } from '../../checks/access/tenant.ts';
import { exportContent, refsToReread } from '../../checks/export/content.ts';
import { exportDownload } from '../../checks/export/download.ts';
import { colleagueTask, exportFresh, type ExportFreshInput } from '../../checks/export/fresh.ts';
import { rateLimit, rateLimitRetryAfter, rateLimitScope } from '../../checks/export/rate.ts';
import { ACCEPTED, exportStart } from '../../checks/export/start.ts';
import { exportStatus } from '../../checks/export/status.ts';
import { downloadProblem, successOf, type CsvSummary, type TaskDownload } from '../../checks/export/task.ts';
import type { Exchange } from '../../harness/http.ts';
import { TextDecoder } from 'node:util';
import { CsvParseError, parseCsvStream } from '../csv.ts';
import type { RunContext } from '../context.ts';

/** rows held while a column the header does not name is looked for in them */
const DETECT_ROWS = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type { CsvSummary };

/**
 * Parses CSV from a byte stream (src/engine/csv.ts: csv-parse's dialect and
 * strictness, several times faster) and compares it with the order list as it
 * streams: memory holds the list, not the file. While the rows come in list
 * order (the usual export) each is matched with the next listed reference;
 * the first row out of that order builds an index of the list (reference →
 * position) and every later row is looked up in it.
 *
 * The documentation does not name the CSV's columns. A header
 * `order_reference` (`state`) names the reference (state) column; otherwise
 * the column is found by what it holds: the first row with a cell that is a
 * listed (or `known`) reference gives the reference column, and in that row
 * the first other cell that is an order state (`states`, else the listed
 * states) gives the state column. The rows before it are held (at most
 * DETECT_ROWS) and compared once it is found. A header merely containing
 * "reference" (accents aside) is the last resort.
 */
export async function crossCheckCsv(body: AsyncIterable<Buffer>, listed: Map<string, string> | undefined, hints: { known?: ReadonlySet<string>; states?: ReadonlySet<string> } = {}): Promise<CsvSummary> {
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
  /** one data row against the list */
  const compare = (record: string[]): void => {
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
  };
  // the columns the header does not name, found in the first rows (held meanwhile)
  const states = hints.states ?? new Set(listed?.values() ?? []);
  const isRef = (cell: string): boolean => cell !== '' && (listed?.has(cell) === true || hints.known?.has(cell) === true);
  let held: string[][] | undefined;
  const found = (record: string[]): boolean => {
    const r = summary.refColumn >= 0 ? summary.refColumn : record.findIndex(isRef);
    if (r < 0 || !isRef(record[r] ?? '')) return false;
    summary.refColumn = r;
    if (summary.stateColumn < 0) summary.stateColumn = record.findIndex((cell, i) => i !== r && states.has(cell));
    return true;
  };
  const release = (): void => {
    const rows = held ?? [];
    held = undefined;
    if (summary.refColumn < 0) summary.refColumn = summary.header.findIndex((h) => /reference/i.test(h.normalize('NFD').replace(/[\u0300-\u036f]/g, '')));
    for (const r of rows) compare(r);
  };
  await parseCsvStream(textOnly(body), (record) => {
    if (summary.header.length === 0) {
      const names = new Set<string>();
      const bad = record.findIndex((h) => h.trim() === '' || names.size === names.add(h).size);
      if (bad >= 0) throw new CsvParseError('CSV_BAD_HEADER', `expected a header row of distinct column names / received ${record[bad]?.trim() === '' ? `an empty name in column ${bad + 1}` : `the name ${JSON.stringify(record[bad]?.slice(0, 100))} twice`}`);
      summary.header = record;
      summary.refColumn = record.findIndex((h) => h.trim().toLowerCase() === 'order_reference');
      summary.stateColumn = record.findIndex((h) => h.trim().toLowerCase() === 'state');
      if (summary.refColumn < 0 || summary.stateColumn < 0) held = [];
      return;
    }
    summary.rows++;
    if (!held) return compare(record);
    held.push(record);
    if (found(record) || held.length >= DETECT_ROWS) release();
  });
  if (held) release();
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
  return ctx.call('startOrderExport', {}, { as, retry429: false });
}

/** The checks the export protocol serves: the start runs when any of them is selected and the export is allowed. */
export const EXPORT_CHECKS = ['export_start', 'export_status', 'export_download', 'export_content', 'rate_limit', 'rate_limit_scope', 'rate_limit_retry_after', 'export_fresh'] as const;

const statusUrl = (ctx: RunContext, taskId: string): string => `${ctx.http.origin}/api/v1/order/export/${taskId}/status/`;

export async function checkExport(ctx: RunContext): Promise<void> {
  // each selected export check records why it cannot run (export off, dry run), if it cannot
  for (const c of EXPORT_CHECKS) ctx.enabled(c);
  // the task is also probed with another customer's token (tenant_isolation)
  if (!ctx.wants(...EXPORT_CHECKS) && !(ctx.options.tokenOtherTenant && ctx.wants('tenant_isolation') && ctx.options.allowExport && !ctx.options.dryRun)) return;
  const first = await start(ctx, 'main');
  const firstAt = ctx.clock.now();
  if (first.status === 429) {
    const why = `the user already exported within the window (429, Retry-After ${first.headers['retry-after'] ?? 'absent'}); run again later`;
    for (const c of ['export_start', 'export_status', 'export_download', 'export_content', 'rate_limit', 'rate_limit_retry_after', 'rate_limit_scope', 'export_fresh'] as const) ctx.check(c).skip(why);
    return;
  }
  // the checks that need a started task say why they did not run, never "nothing to examine"
  const skipDependents = (why: string): void => {
    for (const c of ['export_status', 'export_download', 'export_content', 'rate_limit', 'rate_limit_retry_after', 'rate_limit_scope', 'export_fresh'] as const) ctx.check(c).skip(why);
  };
  ctx.judge(exportStart, { start: first, profile: ctx.options.profile });
  if (first.status === undefined || !ACCEPTED.includes(first.status)) {
    skipDependents(`the export did not start (export start answered ${first.status ?? first.error?.message})`);
    return;
  }
  ctx.exportStartedAt = firstAt;
  const taskId = (first.json() as { task_id?: unknown })?.task_id;
  if (typeof taskId !== 'string' || !UUID.test(taskId)) {
    skipDependents(`the export start gave no usable task_id (received ${JSON.stringify(taskId)})`);
    return;
  }

  // the limit: a second start by the same user at once, and a colleague's start
  if (ctx.wants('rate_limit', 'rate_limit_retry_after')) {
    ctx.enabled('rate_limit');
    const second = await start(ctx, 'main');
    ctx.judge(rateLimit, { first: { exchange: first, at: firstAt }, second: { exchange: second, at: ctx.clock.now() } });
    if (second.status !== 429 || ctx.enabled('rate_limit_retry_after')) ctx.judge(rateLimitRetryAfter, { second });
  }
  if (ctx.http.hasCredential('otherTenant') && ctx.enabled('tenant_isolation')) {
    const peek = await ctx.call('getOrderExportStatus', { task_id: taskId }, { as: 'otherTenant' });
    ctx.judge(tenantIsolation, { exportTask: { exchange: peek, taskId } });
  }

  // status, polled until final or the deadline
  const polls = await pollTask(ctx, taskId, 'main');
  ctx.judge(exportStatus, { taskId, polls, waitMs: ctx.options.waitMs, url: statusUrl(ctx, taskId) });
  const last = polls[polls.length - 1];
  const success = last?.status === 200 ? successOf(last) : undefined;
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
  const download = await downloadCsv(ctx, taskId, 'main', listed);
  ctx.judge(exportDownload, download);
  if (downloadProblem(download) === undefined && !ctx.enabled('export_content')) return;
  // the orders at fault are read again, group by group: a live target changes under a run
  const reread: { ref: string; exchange: Exchange }[] = [];
  for (const refs of refsToReread(download, ctx.touched)) {
    reread.push(...(await Promise.all(refs.map(async (ref) => ({ ref, exchange: await ctx.call('getOrder', { order_reference: ref }) })))));
  }
  ctx.judge(exportContent, { download, listed: listed.size, touched: [...ctx.touched], reread });
}

/** Polls a task's status until an answer is not 200, `success` is true or false, or the wait runs out; judges nothing. */
async function pollTask(ctx: RunContext, taskId: string, as: 'main' | 'otherUser'): Promise<Exchange[]> {
  const deadline = ctx.clock.now() + ctx.options.waitMs;
  const polls: Exchange[] = [];
  let delay = 100;
  while (ctx.clock.now() < deadline) {
    const ex = await ctx.call('getOrderExportStatus', { task_id: taskId }, { as });
    polls.push(ex);
    if (ex.status !== 200) break;
    const success = successOf(ex);
    if (success === true || success === false) break;
    await ctx.clock.sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
  return polls;
}

/** Downloads a task's CSV through the streaming cross-check against `listed`. */
async function downloadCsv(ctx: RunContext, taskId: string, as: 'main' | 'otherUser', listed: Map<string, string> | undefined, known?: ReadonlySet<string>): Promise<TaskDownload> {
  const hints = { states: new Set(ctx.lifecycle.order.states), ...(known ? { known } : {}) };
  const { ex, result, error } = await ctx.http.stream({ path: ctx.path('downloadOrderExport', { task_id: taskId }), as, operationId: 'downloadOrderExport' }, Math.max(ctx.options.waitMs, ctx.options.timeoutMs), (body) => crossCheckCsv(body, listed, hints));
  const d: TaskDownload = { taskId, exchange: ex };
  if (result) d.summary = result;
  if (error || !result) d.error = String(error);
  return d;
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
  if (scope) ctx.judge(rateLimitScope, { userStartedAt: ctx.exportStartedAt, colleague: { exchange: colleague, at: ctx.clock.now() } });
  if (!fresh) return;
  const ref = ctx.terminated;
  const input: ExportFreshInput = { terminated: ref, colleague, waitMs: ctx.options.waitMs, url: '' };
  const taskId = colleagueTask(colleague);
  if (ref && taskId !== undefined) {
    input.url = statusUrl(ctx, taskId);
    input.polls = await pollTask(ctx, taskId, 'otherUser');
    const last = input.polls[input.polls.length - 1];
    if (last?.status === 200 && successOf(last) === true) {
      // the other listed references help find the reference column when the header does not name it
      input.download = await downloadCsv(ctx, taskId, 'otherUser', new Map([[ref, '']]), new Set(ctx.orders.map((o) => o.ref)));
      if (downloadProblem(input.download) === undefined) input.detail = await ctx.call('getOrder', { order_reference: ref });
    }
  }
  ctx.judge(exportFresh, input);
}

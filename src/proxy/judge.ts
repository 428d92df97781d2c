/**
 * Judging traffic the kit did not send: an integrator's client seen through
 * `conformance proxy`, or a recording (`conformance judge`). Two verdicts,
 * kept apart (ANALYSIS.md, "The client side"): the client's requests are
 * judged by the client checks (src/checks/client/), the provider's answers by
 * the provider checks a single exchange can show (no 5xx, a declared status,
 * JSON where JSON is declared, the response schema, the history rules) and,
 * passively, across what was seen: states of one order in a list and a
 * detail, the walks of the list the client made, an export's rows against
 * the lists (unconfirmed, so warnings). A client finding never fails the
 * provider, nor the other way round.
 *
 * `TrafficJudge` takes the exchanges one by one as they complete (the proxy
 * prints a line per new finding) and gives both reports at the end; a
 * recording is the same judge fed every record at once.
 */
import { PassThrough } from 'node:stream';
import { fromRecord, type ExchangeRecord } from '../cassette/record.ts';
import { CHECK_BY_NAME, CLIENT_CHECKS, type CheckName } from '../checks/catalog.ts';
import { clientAuth } from '../checks/client/auth.ts';
import { clientPoll } from '../checks/client/poll.ts';
import { clientRate } from '../checks/client/rate.ts';
import { clientReason, reasonsOf } from '../checks/client/reason.ts';
import { clientRequest, requestFindings } from '../checks/client/request.ts';
import { millis, operationOf, pageLinks, pathAndQuery, rawTarget, routeOf, type ClientTraffic, type Seen } from '../checks/client/traffic.ts';
import { judgeEnv, type Check, type Finding, type JudgeEnv, type Judgement } from '../checks/define.ts';
import { historyOrder, historySteps, historyTimestamps, historyVocabulary } from '../checks/lifecycle/history.ts';
import { pageRows, type WalkSummary } from '../checks/lists.ts';
import { orderListPaging } from '../checks/orders/paging.ts';
import type { CsvSummary } from '../checks/export/task.ts';
import { canReach } from '../contract/lifecycle.ts';
import { crossCheckCsv } from '../engine/phases/export.ts';
import type { Exchange } from '../harness/http.ts';
import { toCurl } from '../harness/redact.ts';
import type { Evidence, Profile, Report, Result, Severity } from '../report/types.ts';
import { verdictOf } from '../report/verdict.ts';
import type { Spec } from '../contract/load.ts';

export type Side = 'client' | 'provider';

/** The purpose of a record the proxy made itself (it fetched the reasons list): kept in the cassette, never judged as the client's. */
export const PROXY_OWN = 'proxy:own';

/** The check that owns the response schema of each operation (the one a run reports a schema fault under). */
const SCHEMA_CHECK: Record<string, CheckName> = {
  listOrders: 'order_list_schema',
  getOrder: 'order_detail_schema',
  getOrderHistory: 'history_schema',
  listOrderDocuments: 'documents_schema',
  listTerminateReasons: 'terminate_reasons_schema',
  listOrderRequests: 'order_requests_schema',
  startOrderExport: 'export_start',
  getOrderExportStatus: 'export_status',
  requestOrderAction: 'terminate_active',
  createProductOrder: 'product_order_status',
  getProductOrder: 'product_order_status',
};

const HISTORY_CHECKS: Check<{ ref: string; history: Exchange }>[] = [historyOrder, historyVocabulary, historyTimestamps, historySteps];

/** The provider checks judged from traffic, in the catalogue's order. */
export const PROVIDER_TRAFFIC_CHECKS: CheckName[] = [...new Set<CheckName>([...Object.values(SCHEMA_CHECK), ...HISTORY_CHECKS.map((c) => c.name), 'state_consistency', 'order_list_paging', 'export_content', 'no_server_errors', 'json_content_type', 'response_status_declared'])].sort(
  (a, b) => [...CHECK_BY_NAME.keys()].indexOf(a) - [...CHECK_BY_NAME.keys()].indexOf(b),
);

/** The client checks, each a module judged on the whole traffic. */
const CLIENT_MODULES: Check<ClientTraffic>[] = [clientRequest, clientAuth, clientReason, clientRate, clientPoll];
/** the operations the over-time client checks read: only their exchanges are judged again as the traffic grows */
const TIMED_OPERATIONS = new Set(['startOrderExport', 'getOrderExportStatus', 'requestOrderAction', 'listTerminateReasons']);

interface Tally {
  passed: number;
  findings: Finding[];
}

/** The provider's answer to one exchange, judged: the findings of each provider check it concerns. */
export function judgeAnswer(ex: Exchange, env: JudgeEnv): Map<CheckName, Tally> {
  const out = new Map<CheckName, Tally>();
  const note = (name: CheckName, f?: Finding): void => {
    let t = out.get(name);
    if (!t) out.set(name, (t = { passed: 0, findings: [] }));
    if (f) t.findings.push(f);
    else t.passed++;
  };
  const op = operationOf(env.spec, ex);
  const shown = `${ex.method} ${ex.url.replace(/^[a-z]+:\/\/[^/]+/i, '')}`;
  if (ex.error || ex.status === undefined) {
    note('no_server_errors', { message: `answer to ${shown}: expected an HTTP answer / received ${ex.error?.code ?? 'none'} (${ex.error?.message ?? 'no answer'})`, exchange: ex });
    return out;
  }
  if (ex.status >= 500) note('no_server_errors', { message: `answer to ${shown}: expected no 5xx / received ${ex.status}`, exchange: ex, received: String(ex.status) });
  else note('no_server_errors');
  // an unknown path or method is the client's fault (CLI-REQUEST); whatever the provider answers it is not judged
  if (!op) return out;
  const key = env.validators.responseKey(op, ex.status);
  const operation = env.spec.operations.get(op);
  if (!key || !operation) {
    const declared = Object.keys(operation?.responses ?? {}).join(', ');
    note('response_status_declared', { message: `status of ${op} (${shown}): expected one of ${declared} / received ${ex.status}`, exchange: ex, expected: declared, received: String(ex.status) });
    return out;
  }
  note('response_status_declared');
  const declaredJson = operation.responses[key]?.content['application/json'] !== undefined;
  if (declaredJson && ex.bytes > 0) {
    if (!/json/i.test(ex.contentType()) || (!ex.truncated && !ex.isJson())) {
      const why = ex.jsonProblem();
      note('json_content_type', { message: `answer of ${op} (${shown}): expected application/json that parses / received ${ex.bytes} bytes of ${ex.contentType() || 'unknown type'}${why ? ` (${why})` : ''}`, exchange: ex, received: ex.contentType() });
      return out;
    }
    note('json_content_type');
  }
  const schema = SCHEMA_CHECK[op];
  const validate = env.validators.response(op, ex.status);
  if (schema && validate && !ex.truncated && ex.isJson()) {
    const violations = validate(ex.json());
    if (violations.length === 0) note(schema);
    for (const v of violations) {
      note(schema, { message: `answer of ${op} (${shown}) at ${v.pointer || '/'}: expected it ${v.message} / received ${env.show(v.value, 120)}`, exchange: ex, pointer: v.pointer, value: v.value, severity: v.severity });
    }
  }
  if (op === 'getOrderHistory' && ex.status === 200 && ex.isJson()) {
    const ref = /\/order\/([^/]+)\/historic\//.exec(ex.url)?.[1] ?? '?';
    for (const c of HISTORY_CHECKS) {
      const j = c.judge({ ref: decodeURIComponent(ref), history: ex }, env);
      if (j.skip) continue;
      for (let i = 0; i < j.passed; i++) note(c.name);
      for (const f of j.findings) note(c.name, f);
    }
  }
  return out;
}

/** How far apart a list row and a detail of the same order may be seen to be compared: past it, too much may have happened to the order. */
export const STATE_WINDOW_MS = 60_000;

/** An order's rows in the lists seen, its latest first: the state and when it was seen. */
type Listed = Map<string, { state: string; t: number }>;

/** The exchanges of what was seen that the judgements across it read, oldest first, with what they show. */
function timeline(seen: Seen[], env: JudgeEnv): { t: number; ex: Exchange; op: string | undefined; ref: string | undefined }[] {
  return [...seen]
    .sort((a, b) => millis(a.at) - millis(b.at))
    .map(({ at, exchange: ex }) => {
      const route = routeOf(env.spec, ex);
      return { t: millis(at), ex, op: route?.operation?.operationId, ref: route && 'params' in route ? route.params.order_reference : undefined };
    });
}

/** Notes the rows of a list page: each order's state as the list gave it, and when. */
function noteRows(listed: Listed, ex: Exchange, t: number): void {
  for (const i of pageRows(ex) as { order_reference?: unknown; state?: unknown }[]) {
    if (typeof i?.order_reference === 'string' && typeof i.state === 'string') listed.set(i.order_reference, { state: i.state, t });
  }
}

/**
 * ORD-CONSISTENT over what was seen: the state an order's detail gives
 * against the state the latest list row before it gave, seen within
 * STATE_WINDOW_MS, when the client changed nothing on that order in between
 * (a write on it, whatever its answer, makes the earlier list no witness).
 * The order may have moved on meanwhile: the detail's state may be the
 * list's or one the list's can reach through x-lifecycle's transitions,
 * never one behind it. The proxy cannot look again, so a disagreement is
 * reported unconfirmed: a warning (ANALYSIS.md, "Judging a target we did not
 * write", rule 2).
 */
export function judgeConsistency(seen: Seen[], env: JudgeEnv): Tally {
  const witness = new StateWitness(env);
  const tally: Tally = { passed: 0, findings: [] };
  for (const s of timeline(seen, env)) {
    const f = witness.see(s.t, s.ex, s.op, s.ref);
    if (f === true) tally.passed++;
    else if (f) tally.findings.push(f);
  }
  return tally;
}

/** The rule of judgeConsistency, fed one exchange at a time in the order they were seen (the proxy tells a finding as it comes, without judging the whole traffic again). */
export class StateWitness {
  private readonly listed: Listed = new Map();
  private readonly written = new Map<string, number>();
  constructor(private readonly env: JudgeEnv) {}

  /** true: a detail that agrees with the list; a finding; undefined: nothing to compare. */
  see(t: number, ex: Exchange, op: string | undefined, ref: string | undefined): Finding | true | undefined {
    if (ex.method !== 'GET') {
      if (ref !== undefined) this.written.set(ref, t);
      return undefined;
    }
    if (ex.status !== 200 || !ex.isJson()) return undefined;
    if (op === 'listOrders') noteRows(this.listed, ex, t);
    if (op !== 'getOrder' || ref === undefined) return undefined;
    const state = (ex.json() as { state?: unknown } | undefined)?.state;
    const l = this.listed.get(ref);
    if (!l || typeof state !== 'string' || t - l.t > STATE_WINDOW_MS || (this.written.get(ref) ?? -Infinity) >= l.t) return undefined;
    if (canReach(this.env.lifecycle.order, l.state, state)) return true;
    return {
      message: `order ${this.env.show(ref, 80)}: expected the detail to give the list's state or one it can move to (x-lifecycle) / received: the list says ${JSON.stringify(l.state)} but the detail ${((t - l.t) / 1000).toFixed(1)} s later says ${JSON.stringify(state)} (not confirmed: seen in the traffic, not asked again)`,
      exchange: ex,
      pointer: '/state',
      value: state,
      severity: 'warning',
    };
  }
}

/** Whether a list request asks for the first page (no page, or page 1; no offset, or offset 0). */
function firstPage(url: string): boolean {
  const q = new URLSearchParams(rawTarget(url).query);
  return (q.get('page') ?? '1') === '1' && (q.get('offset') ?? '0') === '0';
}

/**
 * ORD-LIST-PAGING over the list pages the client fetched, judged by the
 * run's check (src/checks/orders/paging.ts) on each walk the client made: a
 * page whose URL is the `next` link of a page seen before continues that
 * walk. An order that came twice within a walk is its finding; the
 * announced `count` against the rows is compared only on a walk the client
 * made whole (from the first page to the one without `next`), and, since
 * the proxy makes no second walk, never confirmed: a warning.
 */
export function judgePaging(seen: Seen[], env: JudgeEnv): Tally {
  interface Walk {
    pages: Exchange[];
    refs: Set<string>;
    repeated: { ref: string; page: Exchange }[];
    counts: number[];
    items: number;
    whole: boolean;
    paginated: boolean;
  }
  const walks: Walk[] = [];
  const byNext = new Map<string, Walk>();
  for (const { ex, op } of timeline(seen, env)) {
    if (op !== 'listOrders' || ex.method !== 'GET' || ex.status !== 200 || !ex.isJson()) continue;
    const key = pathAndQuery(ex.url);
    let w = byNext.get(key);
    if (w) byNext.delete(key);
    else walks.push((w = { pages: [], refs: new Set(), repeated: [], counts: [], items: 0, whole: firstPage(ex.url), paginated: false }));
    const body = ex.json() as { count?: unknown; next?: unknown } | unknown[];
    w.paginated = !Array.isArray(body);
    w.pages.push(ex);
    const rows = pageRows(ex) as { order_reference?: unknown }[];
    w.items += rows.length;
    for (const r of rows) {
      if (typeof r?.order_reference !== 'string') continue;
      if (w.refs.has(r.order_reference)) w.repeated.push({ ref: r.order_reference, page: ex });
      w.refs.add(r.order_reference);
    }
    if (!Array.isArray(body) && typeof body.count === 'number') w.counts.push(body.count);
    if (!Array.isArray(body) && typeof body.next === 'string' && body.next !== '') byNext.set(pathAndQuery(body.next), w);
  }
  // a walk is whole when it began at the first page and its last page has no next
  for (const w of byNext.values()) w.whole = false;
  const tally: Tally = { passed: 0, findings: [] };
  for (const w of walks) {
    const walk: WalkSummary = {
      items: w.items,
      pages: w.pages.length,
      // the count is compared on a whole walk only: the rows of a walk left halfway say nothing of it
      announced: w.whole ? w.counts[0] : undefined,
      counts: w.counts,
      paginated: w.paginated,
      broken: undefined,
      first: w.pages[0],
      brokenAt: undefined,
      refusedLink: false,
    };
    const j = orderListPaging.judge({ what: 'the order list (as the client walked it)', walk, repeated: w.repeated }, env);
    tally.passed += j.passed;
    tally.findings.push(...j.findings);
  }
  return tally;
}

/**
 * An export's CSV compared as it streams through the proxy (a real export is
 * larger than the record keeps): the chunks are handed to the run's
 * streaming cross-check as they pass, against the orders the lists showed
 * before the download began. Memory holds those orders and the chunks the
 * parser has not read yet (it reads far faster than an export streams; past
 * MAX_FEED_BYTES waiting, the comparison is given up and says so).
 */
export interface ExportFeed {
  write(chunk: Buffer): void;
  end(): void;
  /** the download did not end whole: nothing to compare */
  abort(): void;
  readonly listed: Listed;
  readonly summary: Promise<{ summary?: CsvSummary; skip?: string }>;
}

const MAX_FEED_BYTES = 16 * 1024 * 1024;

/** exported for its tests */
export function exportFeed(listed: Listed): ExportFeed {
  // the chunks wait in a PassThrough, whose async iterator the cross-check reads; a failure destroys it, which ends the read
  const pass = new PassThrough();
  let failed: string | undefined;
  const fail = (why: string): void => {
    failed ??= why;
    pass.destroy(new Error(failed));
  };
  const states = new Map([...listed].map(([ref, l]) => [ref, l.state]));
  const summary = crossCheckCsv(pass, states).then(
    (s) => ({ summary: s }),
    (err: unknown) => ({ skip: failed ?? `the export did not parse as CSV (${(err as Error).message})` }),
  );
  return {
    listed,
    summary,
    write(chunk) {
      if (failed || pass.writableEnded) return;
      pass.write(chunk);
      // the bytes written that the cross-check has not read yet, on either side of the PassThrough
      if (pass.writableLength + pass.readableLength > MAX_FEED_BYTES) fail(`the export came faster than it could be compared (over ${MAX_FEED_BYTES / 1024 / 1024} MiB waiting), so its rows were not compared`);
    },
    end() {
      if (!failed) pass.end();
    },
    abort() {
      fail('the download did not end whole, so its rows were not compared');
    },
  };
}

/** An export the client downloaded, its CSV compared with the orders the lists showed before it. */
interface ExportSeen {
  exchange: Exchange;
  /** orders seen in a list before the download (and not written on since), with their listed state */
  listed: Listed;
  summary?: CsvSummary;
  /** why the CSV could not be compared */
  skip?: string;
}

/** The orders the lists seen so far showed, that the client did not write on since (a state it changed is its own doing). */
function listedBefore(seen: Seen[], env: JudgeEnv): Listed {
  const listed: Listed = new Map();
  const written = new Map<string, number>();
  for (const { t, ex, op, ref } of timeline(seen, env)) {
    if (ex.method !== 'GET' && ref !== undefined) written.set(ref, t);
    else if (op === 'listOrders' && ex.status === 200 && ex.isJson()) noteRows(listed, ex, t);
  }
  for (const [ref, l] of listed) if ((written.get(ref) ?? -Infinity) >= l.t) listed.delete(ref);
  return listed;
}

/**
 * EXP-CONTENT over what was seen: the export the client downloaded, parsed
 * by the run's CSV cross-check (src/engine/phases/export.ts), against the
 * orders the lists showed before it: each has its row, and its state is the
 * listed one or one it can have moved to since (x-lifecycle). A reference
 * the CSV has and the lists did not show says nothing (the client saw part
 * of the list). Unconfirmed (the proxy cannot read the orders again): a
 * warning. The cross-check keeps the first five differing states, so a
 * sixth backward one is not seen.
 */
export function judgeExports(exports: ExportSeen[], env: JudgeEnv): Tally & { skip?: string } {
  const tally: Tally & { skip?: string } = { passed: 0, findings: [] };
  for (const e of exports) {
    const s = e.summary;
    if (!s) {
      tally.skip ??= e.skip;
      continue;
    }
    if (s.refColumn < 0) {
      tally.findings.push({ message: `export: expected a column of order references to compare with the orders the lists showed / received header ${s.header.join(',')}`, exchange: e.exchange });
      continue;
    }
    const wrong: string[] = [];
    if (s.missing > 0) wrong.push(`${s.missing} of the ${e.listed.size} order(s) the lists showed missing from the export, e.g. ${s.missingRefs.join(', ')}`);
    const behind = s.stateMismatch.filter((m) => !canReach(env.lifecycle.order, m.list, m.csv));
    if (behind.length > 0) wrong.push(`states the listed ones cannot move to: ${behind.map((m) => `${m.ref} listed ${m.list}, exported ${m.csv}`).join(', ')}`);
    if (wrong.length === 0) tally.passed += e.listed.size;
    else
      tally.findings.push({
        message: `export: expected a row for each order the lists showed, in its listed state or one it can move to (x-lifecycle) / received ${wrong.join('; ')} (not confirmed: seen in the traffic, not asked again)`,
        exchange: e.exchange,
        note: `header: ${s.header.join(',')}`,
        severity: 'warning',
      });
  }
  if (exports.length === 0) tally.skip = 'the client downloaded no export after a list of orders';
  return tally;
}

/** A finding as a report shows it: the exchange it is about, already redacted in the record. */
export function evidenceOf(f: Finding, seen: Map<Exchange, string>, env: JudgeEnv): Evidence {
  const ex = f.exchange;
  const extra: Partial<Evidence> = {};
  if (f.pointer !== undefined) extra.pointer = f.pointer;
  if (f.value !== undefined) extra.value = f.value;
  if (f.expected !== undefined) extra.expected = env.redactor.cut(f.expected, 600);
  if (f.received !== undefined) extra.received = env.redactor.cut(f.received, 600);
  const at = ex ? seen.get(ex) : undefined;
  const note = `${f.message}${at ? ` (sent at ${at})` : ''}`;
  if (!ex) return { method: '', url: '', ...f.evidence, ...extra, note };
  const headers: Record<string, string> = {};
  for (const h of ['content-type', 'content-length', 'retry-after', 'location', 'content-encoding']) if (ex.headers[h] !== undefined) headers[h] = ex.headers[h] as string;
  return {
    method: ex.method,
    url: env.redactor.text(ex.url),
    ...(ex.status !== undefined ? { status: ex.status } : {}),
    curl: toCurl(env.redactor, { method: ex.method, url: ex.url, headers: ex.requestHeaders, ...(ex.requestBody !== undefined ? { body: ex.requestBody } : {}) }),
    ...(ex.requestBody !== undefined ? { requestBody: env.redactor.cut(ex.requestBody, 2000) } : {}),
    responseHeaders: headers,
    ...(ex.body.length > 0 ? { bodyExcerpt: env.redactor.cut(ex.body.subarray(0, 600).toString('utf8'), 500) } : {}),
    ...(ex.status !== undefined ? { bodySha256: ex.digest(), bodyBytes: ex.bytes } : {}),
    durationMs: ex.durationMs,
    ...extra,
    note,
  };
}

export interface LiveFinding {
  side: Side;
  check: CheckName;
  requirement: string;
  severity: Severity;
  message: string;
}

export interface JudgeOptions {
  spec: Spec;
  profile?: Profile;
  /** the termination reasons, when fetched outside the traffic */
  reasons?: string[];
}

const MAX_EVIDENCE = 10;
/** list pages the live telling of order_list_paging looks back over */
const LIVE_PAGES = 50;
/** exchanges of the operations judged over time that the live telling of the client's pace looks back over */
const LIVE_TIMED = 2000;

/** The findings a report shows evidence for: the first of each kind (the message without its numbers), then the first others, up to MAX_EVIDENCE. */
function kept(findings: Finding[]): Finding[] {
  const kinds = new Set<string>();
  const firsts: Finding[] = [];
  for (const f of findings) {
    const kind = f.message.replace(/[0-9][0-9.:TZ-]*/g, '#');
    if (kinds.has(kind) || firsts.length >= MAX_EVIDENCE) continue;
    kinds.add(kind);
    firsts.push(f);
  }
  for (const f of findings) if (firsts.length < MAX_EVIDENCE && !firsts.includes(f)) firsts.push(f);
  return findings.filter((f) => firsts.includes(f));
}

/** The judge of one session's traffic: fed exchange by exchange, it tells what each one showed, and gives the two reports at the end. */
export class TrafficJudge {
  readonly env: JudgeEnv;
  readonly profile: Profile;
  readonly records: ExchangeRecord[] = [];
  private readonly traffic: Seen[] = [];
  private readonly timed: Seen[] = [];
  /** the exchanges the consistency of states reads: lists, details, and the client's writes */
  private readonly orders: Seen[] = [];
  /** the same, judged as they come */
  private readonly witness: StateWitness;
  /** the page links the provider gave (a request that follows one is not judged on its query) */
  private readonly links = new Set<string>();
  /** the list pages, for the walks the client made */
  private readonly lists: Seen[] = [];
  /** the exports the client downloaded, compared with the lists before them */
  private readonly exports: ExportSeen[] = [];
  /** the comparisons of an export with the lists, still being parsed */
  private pending: Promise<void>[] = [];
  /** told of a finding that comes after the exchange was judged (an export's content, parsed apart) */
  onLate: ((f: LiveFinding, record: ExchangeRecord) => void) | undefined;
  private readonly at = new Map<Exchange, string>();
  private readonly provider = new Map<CheckName, Tally>();
  private readonly told = new Set<string>();
  /** the traffic by operation */
  private readonly byOperation = new Map<string, Seen[]>();
  /** operations outside the export that answered a 429 */
  private readonly limited = new Set<string>();
  reasons: string[] | undefined;

  constructor(readonly options: JudgeOptions) {
    this.env = judgeEnv(options.spec);
    this.witness = new StateWitness(this.env);
    this.profile = options.profile ?? 'documented';
    this.reasons = options.reasons;
  }

  /** Whether the traffic so far holds a termination reasons list (the proxy fetches one otherwise, before judging a termination). */
  hasReasons(): boolean {
    return this.reasons !== undefined || this.timed.some((s) => operationOf(this.env.spec, s.exchange) === 'listTerminateReasons' && s.exchange.status === 200);
  }

  /** A download of an export about to stream through: its CSV compared as it passes (undefined when no list was seen before it). */
  exportFeed(): ExportFeed | undefined {
    const listed = listedBefore(this.orders, this.env);
    return listed.size > 0 ? exportFeed(listed) : undefined;
  }

  /** Judges one more exchange (`feed`: the comparison of an export's CSV made as it streamed); returns the findings it brought (each told once). */
  add(record: ExchangeRecord, feed?: ExportFeed): LiveFinding[] {
    const ex = fromRecord(record);
    if (record.purpose === PROXY_OWN) {
      // the proxy's own question (the reasons list): context for CLI-REASON, not the client's traffic
      if (operationOf(this.env.spec, ex) === 'listTerminateReasons') this.reasons = reasonsOf(ex) ?? this.reasons;
      return [];
    }
    this.records.push(record);
    const at = record.at ?? new Date().toISOString();
    const seen: Seen = { at, exchange: ex };
    this.traffic.push(seen);
    this.at.set(ex, at);
    const news: LiveFinding[] = [];
    const tell = (side: Side, check: CheckName, f: Finding, once = false): void => {
      // `once`: a finding about the whole of what was seen (a walk's count), told the first time only
      const key = `${check}\n${f.message}\n${once ? '' : (record.seq ?? '')}`;
      if (this.told.has(key)) return;
      this.told.add(key);
      news.push({ side, check, requirement: this.requirementOf(check), severity: this.severityOf(check, f), message: f.message });
    };
    for (const f of requestFindings(ex, this.env, this.links)) tell('client', 'client_request', f);
    for (const l of pageLinks(ex)) this.links.add(l);
    for (const f of clientAuth.judge({ traffic: [seen] }, this.env).findings) tell('client', 'client_auth', f);
    const op = operationOf(this.env.spec, ex);
    if (op) {
      let same = this.byOperation.get(op);
      if (!same) this.byOperation.set(op, (same = []));
      same.push(seen);
    }
    // the rules over time are told as they come over the latest exchanges only (a session may hold thousands), judged whole at the end
    if (op && TIMED_OPERATIONS.has(op)) {
      this.timed.push(seen);
      const recent = this.timed.slice(-LIVE_TIMED);
      for (const c of [clientReason, clientRate, clientPoll]) {
        for (const f of c.judge({ traffic: recent, reasons: this.reasons }, this.env).findings) if (f.exchange === ex) tell('client', c.name, f);
      }
    } else if (op && (ex.status === 429 || this.limited.has(op))) {
      // an operation that answered 429 once: its later calls are judged against the Retry-After as they come
      this.limited.add(op);
      const same = (this.byOperation.get(op) ?? []).slice(-LIVE_TIMED);
      for (const f of clientRate.judge({ traffic: same }, this.env).findings) if (f.exchange === ex) tell('client', 'client_rate', f);
    }
    const route = op === 'listOrders' || op === 'getOrder' || ex.method !== 'GET' ? routeOf(this.env.spec, ex) : undefined;
    if (op === 'listOrders' || op === 'getOrder' || (ex.method !== 'GET' && route?.operation)) {
      this.orders.push(seen);
      const f = this.witness.see(millis(at), ex, op, route && 'params' in route ? route.params.order_reference : undefined);
      if (f && f !== true) tell('provider', 'state_consistency', f);
      if (op === 'listOrders') {
        this.lists.push(seen);
        // told as they come over the latest pages only (a walk is a few pages; a session may hold thousands), judged whole at the end
        for (const p of judgePaging(this.lists.slice(-LIVE_PAGES), this.env).findings) tell('provider', 'order_list_paging', p, true);
      }
    }
    if (op === 'downloadOrderExport' && ex.status === 200) this.compareExport(ex, record, feed);
    for (const [name, t] of judgeAnswer(ex, this.env)) {
      const mine = this.provider.get(name) ?? { passed: 0, findings: [] };
      mine.passed += t.passed;
      mine.findings.push(...t.findings);
      this.provider.set(name, mine);
      for (const f of t.findings) tell('provider', name, f);
    }
    return news;
  }

  /** An export downloaded: its CSV (compared as it streamed, or parsed apart from the record) against the orders the lists showed before it. */
  private compareExport(ex: Exchange, record: ExchangeRecord, feed: ExportFeed | undefined): void {
    const listed = feed?.listed ?? listedBefore(this.orders, this.env);
    const e: ExportSeen = { exchange: ex, listed };
    this.exports.push(e);
    if (listed.size === 0) return void (e.skip = 'no order was seen in a list before the export was downloaded');
    let compared = feed?.summary;
    if (!compared) {
      if (ex.truncated || record.response?.cut || (record.response?.bytes ?? ex.body.length) > ex.body.length) return void (e.skip = 'the export was kept only in part (over the body cap), so its rows were not compared');
      const f = exportFeed(listed);
      f.write(ex.body);
      f.end();
      compared = f.summary;
    }
    this.pending.push(
      compared.then(({ summary, skip }) => {
        if (!summary) return void (e.skip = skip);
        e.summary = summary;
        for (const f of judgeExports([e], this.env).findings) this.onLate?.({ side: 'provider', check: 'export_content', requirement: this.requirementOf('export_content'), severity: this.severityOf('export_content', f), message: f.message }, record);
      }),
    );
  }

  /** Resolves when every comparison still being made is made (call before `results`). */
  async settled(): Promise<void> {
    while (this.pending.length > 0) {
      const p = this.pending;
      this.pending = [];
      await Promise.all(p);
    }
  }

  private requirementOf(check: CheckName): string {
    return (CHECK_BY_NAME.get(check) ?? CLIENT_CHECKS.find((c) => c.name === check))?.requirement ?? '';
  }

  /** A finding's grade: the requirement's (documented: error; inferred: a warning unless the profile is strict), or the finding's own. */
  private severityOf(check: CheckName, f?: Finding): Severity {
    const source = this.env.spec.requirements.get(this.requirementOf(check))?.source ?? 'documented';
    const base: Severity = source === 'inferred' && this.profile !== 'strict' ? 'warning' : 'error';
    if (f?.severity === 'warning' && this.profile !== 'strict') return 'warning';
    return base;
  }

  private result(check: CheckName, j: Judgement): Result {
    const id = this.requirementOf(check);
    const req = this.env.spec.requirements.get(id);
    const def = CHECK_BY_NAME.get(check) ?? CLIENT_CHECKS.find((c) => c.name === check);
    const severities = j.findings.map((f) => this.severityOf(check, f));
    const status = j.findings.length === 0 ? (j.passed > 0 ? 'pass' : 'skip') : severities.includes('error') ? 'fail' : 'warn';
    const skipReason = status === 'skip' ? (j.skip ?? 'nothing of this kind was seen in the traffic') : undefined;
    const first = j.findings[0];
    return {
      id,
      check,
      title: req?.title ?? def?.does ?? check,
      area: req?.area ?? 'other',
      source: req?.source ?? 'documented',
      severity: this.severityOf(check),
      status,
      message: first ? `${first.message}${j.findings.length > 1 ? ` (and ${j.findings.length - 1} more)` : ''}` : (skipReason ?? `${j.passed} examined, none at fault`),
      examined: j.passed + j.findings.length,
      violations: j.findings.length,
      evidence: kept(j.findings).map((f) => evidenceOf(f, this.at, this.env)),
      doc: req?.doc ?? '',
      ...(skipReason ? { skipReason } : {}),
    };
  }

  /** The provider checks judged across what was seen, each over its exchanges. */
  static readonly across: Partial<Record<CheckName, (j: TrafficJudge) => Tally & { skip?: string }>> = {
    state_consistency: (j) => judgeConsistency(j.orders, j.env),
    order_list_paging: (j) => judgePaging(j.lists, j.env),
    export_content: (j) => judgeExports(j.exports, j.env),
  };

  /** Both sides' results over the whole traffic (after `settled`: an export still being compared is not judged yet). */
  results(): { client: Result[]; provider: Result[] } {
    const whole: ClientTraffic = { traffic: this.traffic, ...(this.reasons ? { reasons: this.reasons } : {}) };
    const client = CLIENT_MODULES.map((c) => this.result(c.name, c.judge(whole, this.env)));
    const provider = PROVIDER_TRAFFIC_CHECKS.map((name) => {
      const across = TrafficJudge.across[name];
      const t: (Tally & { skip?: string }) | undefined = across ? across(this) : this.provider.get(name);
      return this.result(name, t ? { passed: t.passed, findings: t.findings, ...(t.skip ? { skip: t.skip } : {}) } : { passed: 0, findings: [], skip: 'nothing of this kind was seen in the traffic' });
    });
    return { client, provider };
  }
}

export interface SessionInfo {
  /** where the traffic went (the proxy's target, or the hosts of a recording) */
  target: string;
  embedded: boolean;
  startedAt: string;
  finishedAt: string;
  /** how the traffic was seen: proxy, har, cassette */
  source: string;
  problems?: string[];
  toolVersion: string;
  suiteSha256: string;
}

/** The report of one side, in the run's Report shape (so the run's JUnit, HTML and summary writers serve it). */
export function sideReport(side: Side, results: Result[], judge: TrafficJudge, info: SessionInfo): Report {
  const count = (s: Result['status']): number => results.filter((r) => r.status === s).length;
  const findings = results.flatMap((r) => (r.status === 'fail' || r.status === 'warn' ? [r] : []));
  const errors = findings.filter((r) => r.status === 'fail').reduce((n, r) => n + r.violations, 0);
  const warnings = findings.filter((r) => r.status === 'warn').reduce((n, r) => n + r.violations, 0);
  const spec = judge.options.spec;
  const started = Date.parse(info.startedAt);
  const finished = Date.parse(info.finishedAt);
  return {
    tool: { name: 'order-tracking-conformance', version: info.toolVersion, suiteSha256: info.suiteSha256 },
    ...verdictOf(results, errors, undefined, undefined),
    writes: { dryRun: false, planned: [], sent: 0, blocked: [], created: [], disposable: [] },
    target: { baseUrl: info.target, embedded: info.embedded },
    profile: judge.profile,
    spec: { path: spec.path, sha256: spec.hash },
    seed: 0,
    startedAt: info.startedAt,
    finishedAt: info.finishedAt,
    durationMs: Number.isFinite(finished - started) ? Math.max(0, finished - started) : 0,
    options: { side, source: info.source },
    summary: { total: results.length, pass: count('pass'), fail: count('fail'), warn: count('warn'), skip: count('skip'), errors, warnings, requests: judge.records.length },
    results,
    observed: { transitions: [], productionSteps: [], states: {}, latency: [] },
    problems: info.problems ?? [],
  };
}

/**
 * Judging traffic the kit did not send: an integrator's client seen through
 * `conformance proxy`, or a recording (`conformance judge`). Two verdicts,
 * kept apart (ANALYSIS.md, "The client side"): the client's requests are
 * judged by the client checks (src/checks/client/), the provider's answers by
 * the provider checks a single exchange can show (no 5xx, a declared status,
 * JSON where JSON is declared, the response schema, the history rules). A
 * client finding never fails the provider, nor the other way round.
 *
 * `TrafficJudge` takes the exchanges one by one as they complete (the proxy
 * prints a line per new finding) and gives both reports at the end; a
 * recording is the same judge fed every record at once.
 */
import { fromRecord, type ExchangeRecord } from '../cassette/record.ts';
import { CHECK_BY_NAME, CLIENT_CHECKS, type CheckName } from '../checks/catalog.ts';
import { clientAuth } from '../checks/client/auth.ts';
import { clientPoll } from '../checks/client/poll.ts';
import { clientRate } from '../checks/client/rate.ts';
import { clientReason, reasonsOf } from '../checks/client/reason.ts';
import { clientRequest, requestFindings } from '../checks/client/request.ts';
import { millis, operationOf, routeOf, type ClientTraffic, type Seen } from '../checks/client/traffic.ts';
import { judgeEnv, type Check, type Finding, type JudgeEnv, type Judgement } from '../checks/define.ts';
import { historyOrder, historySteps, historyTimestamps, historyVocabulary } from '../checks/lifecycle/history.ts';
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
export const PROVIDER_TRAFFIC_CHECKS: CheckName[] = [
  ...new Set<CheckName>([...Object.values(SCHEMA_CHECK), ...HISTORY_CHECKS.map((c) => c.name), 'state_consistency', 'no_server_errors', 'json_content_type', 'response_status_declared']),
].sort((a, b) => [...CHECK_BY_NAME.keys()].indexOf(a) - [...CHECK_BY_NAME.keys()].indexOf(b));

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

/**
 * ORD-CONSISTENT over what was seen: the state an order's detail gives
 * against the state the latest list before it gave, when the client changed
 * nothing on that order in between (a write on it, whatever its answer,
 * makes the earlier list no witness). The proxy cannot look again, so a
 * disagreement is reported unconfirmed: a warning (ANALYSIS.md, "Judging a
 * target we did not write", rule 2).
 */
export function judgeConsistency(seen: Seen[], env: JudgeEnv): Tally {
  const listed = new Map<string, { state: string; t: number }>();
  const written = new Map<string, number>();
  const tally: Tally = { passed: 0, findings: [] };
  for (const { at, exchange: ex } of [...seen].sort((a, b) => millis(a.at) - millis(b.at))) {
    const route = routeOf(env.spec, ex);
    const op = route?.operation?.operationId;
    const ref = route && 'params' in route ? route.params.order_reference : undefined;
    const t = millis(at);
    if (ex.method !== 'GET') {
      if (ref !== undefined) written.set(ref, t);
      continue;
    }
    if (ex.status !== 200 || !ex.isJson()) continue;
    const body = ex.json() as { results?: unknown; state?: unknown } | unknown[];
    if (op === 'listOrders') {
      const items = Array.isArray(body) ? body : Array.isArray((body as { results?: unknown }).results) ? ((body as { results: unknown[] }).results) : [];
      for (const i of items as { order_reference?: unknown; state?: unknown }[]) {
        if (typeof i?.order_reference === 'string' && typeof i.state === 'string') listed.set(i.order_reference, { state: i.state, t });
      }
    } else if (op === 'getOrder' && ref !== undefined) {
      const state = (body as { state?: unknown }).state;
      const l = listed.get(ref);
      if (!l || typeof state !== 'string' || (written.get(ref) ?? -Infinity) >= l.t) continue;
      if (state === l.state) tally.passed++;
      else {
        tally.findings.push({
          message: `order ${env.show(ref, 80)}: expected one state everywhere / received: the list says ${JSON.stringify(l.state)} but the detail says ${JSON.stringify(state)} (not confirmed: seen in the traffic, not asked again)`,
          exchange: ex,
          pointer: '/state',
          value: state,
          severity: 'warning',
        });
      }
    }
  }
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
  private readonly at = new Map<Exchange, string>();
  private readonly provider = new Map<CheckName, Tally>();
  private readonly told = new Set<string>();
  /** operations outside the export that answered a 429 */
  private readonly limited = new Set<string>();
  reasons: string[] | undefined;

  constructor(readonly options: JudgeOptions) {
    this.env = judgeEnv(options.spec);
    this.profile = options.profile ?? 'documented';
    this.reasons = options.reasons;
  }

  /** Whether the traffic so far holds a termination reasons list (the proxy fetches one otherwise, before judging a termination). */
  hasReasons(): boolean {
    return this.reasons !== undefined || this.timed.some((s) => operationOf(this.env.spec, s.exchange) === 'listTerminateReasons' && s.exchange.status === 200);
  }

  /** Judges one more exchange; returns the findings it brought (each told once). */
  add(record: ExchangeRecord): LiveFinding[] {
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
    const tell = (side: Side, check: CheckName, f: Finding): void => {
      const key = `${check}\n${f.message}\n${record.seq ?? ''}`;
      if (this.told.has(key)) return;
      this.told.add(key);
      news.push({ side, check, requirement: this.requirementOf(check), severity: this.severityOf(check, f), message: f.message });
    };
    for (const f of requestFindings(ex, this.env)) tell('client', 'client_request', f);
    for (const f of clientAuth.judge({ traffic: [seen] }, this.env).findings) tell('client', 'client_auth', f);
    const op = operationOf(this.env.spec, ex);
    if (op && TIMED_OPERATIONS.has(op)) {
      this.timed.push(seen);
      for (const c of [clientReason, clientRate, clientPoll]) {
        for (const f of c.judge({ traffic: this.timed, reasons: this.reasons }, this.env).findings) if (f.exchange === ex) tell('client', c.name, f);
      }
    } else if (op && (ex.status === 429 || this.limited.has(op))) {
      // an operation that answered 429 once: its later calls are judged against the Retry-After as they come
      this.limited.add(op);
      const same = this.traffic.filter((s) => operationOf(this.env.spec, s.exchange) === op);
      for (const f of clientRate.judge({ traffic: same }, this.env).findings) if (f.exchange === ex) tell('client', 'client_rate', f);
    }
    if (op === 'listOrders' || op === 'getOrder' || (ex.method !== 'GET' && routeOf(this.env.spec, ex)?.operation)) {
      this.orders.push(seen);
      for (const f of judgeConsistency(this.orders, this.env).findings) if (f.exchange === ex) tell('provider', 'state_consistency', f);
    }
    for (const [name, t] of judgeAnswer(ex, this.env)) {
      const mine = this.provider.get(name) ?? { passed: 0, findings: [] };
      mine.passed += t.passed;
      mine.findings.push(...t.findings);
      this.provider.set(name, mine);
      for (const f of t.findings) tell('provider', name, f);
    }
    return news;
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

  /** Both sides' results over the whole traffic. */
  results(): { client: Result[]; provider: Result[] } {
    const whole: ClientTraffic = { traffic: this.traffic, ...(this.reasons ? { reasons: this.reasons } : {}) };
    const client = CLIENT_MODULES.map((c) => this.result(c.name, c.judge(whole, this.env)));
    const provider = PROVIDER_TRAFFIC_CHECKS.map((name) => {
      const t = name === 'state_consistency' ? judgeConsistency(this.orders, this.env) : this.provider.get(name);
      return this.result(name, t ? { passed: t.passed, findings: t.findings } : { passed: 0, findings: [], skip: 'nothing of this kind was seen in the traffic' });
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

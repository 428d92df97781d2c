/**
 * The report contract (shared/design/ARCHITECTURE.md, "The command-line
 * contract"). `reports/conformance.json` is exactly a `Report`; other tools
 * (CI jobs, `conformance diff`, the HTML report, the certificate) read it, so
 * fields are only ever added, never renamed.
 */

export type Severity = 'error' | 'warning';
export type Status = 'pass' | 'fail' | 'warn' | 'skip';
/** PASS and FAIL judge the provider; INCOMPLETE says the run could not (exit 2). */
export type Verdict = 'PASS' | 'FAIL' | 'INCOMPLETE';
export type Profile = 'documented' | 'strict';

/** What one request/response showed. Credentials are always redacted. */
export interface Evidence {
  method: string;
  url: string;
  /** HTTP status, absent when no response came (timeout, reset) */
  status?: number;
  /** JSON pointer into the response body (or request body) at fault */
  pointer?: string;
  /** the value found there (truncated) */
  value?: unknown;
  expected?: string;
  received?: string;
  /** a reproduction command, with credentials replaced by $TOKEN-style variables */
  curl?: string;
  /** request body sent, truncated */
  requestBody?: string;
  /** response headers worth showing (content-type, retry-after, location...) */
  responseHeaders?: Record<string, string>;
  /** first bytes of the response body, truncated */
  bodyExcerpt?: string;
  /** sha256 of the full response body */
  bodySha256?: string;
  bodyBytes?: number;
  durationMs?: number;
  /** fast-check replay data for fuzz failures */
  fuzz?: { seed: number; path: string; numRuns: number; shrunk: string };
  note?: string;
  /**
   * The exchanges before this one that brought the target to what it shows,
   * in the order they were sent (the POST that caused a state, before the GET
   * that shows it), each with its own status and curl.
   */
  causedBy?: Evidence[];
}

/** One violation found by a check. */
export interface Finding {
  severity: Severity;
  message: string;
  evidence: Evidence;
}

/** The outcome of one check (one stable name, one requirement ID). */
export interface Result {
  /** requirement ID, e.g. ORD-DETAIL-TYPES */
  id: string;
  /** stable check name, e.g. order_detail_schema (CLI selector and report key) */
  check: string;
  title: string;
  area: string;
  /** documented (error) or inferred (warning in the documented profile) */
  source: 'documented' | 'inferred';
  /** severity a failure has under the run's profile */
  severity: Severity;
  status: Status;
  /** "expected … / received …" for the first finding, a summary otherwise */
  message: string;
  /** how many items (exchanges, orders, cases) the check examined */
  examined: number;
  /** how many violations in all (evidence keeps only the first few) */
  violations: number;
  evidence: Evidence[];
  /** the documentation sentence or table the rule rests on */
  doc: string;
  skipReason?: string;
  durationMs?: number;
}

/** How many requests the run kept in flight (src/harness/policies/concurrency.ts). */
export interface ConcurrencySummary {
  /** `auto`: the number followed the target (--concurrency auto); `fixed`: --concurrency N */
  mode: 'auto' | 'fixed';
  /** the number in flight the run held for most of its answers */
  settled: number;
  /** the most it could hold (--max-concurrency with auto, N when fixed) */
  max: number;
  /** halvings (429, 503, timeouts, latency rising) and additions of one */
  decreases: number;
  increases: number;
}

export interface LatencyStat {
  operationId: string;
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export interface TransitionStat {
  from: string;
  to: string;
  count: number;
  legal: boolean;
}

/** One write or export a run sends (or, in a dry run, would send), and why (src/engine/safety.ts). */
export interface PlannedWrite {
  method: string;
  path: string;
  /** whose credential: main, otherUser, none, invalid */
  as: string;
  /** how many such requests (fuzz cases are an upper bound) */
  count: number;
  purpose: string;
  checks: string[];
}

export interface Report {
  tool: { name: string; version: string; suiteSha256: string };
  verdict: Verdict;
  /** the verdict with its scope: `PASS`, `PASS (partial)`, `FAIL` or `INCOMPLETE` */
  verdictLabel: string;
  /** every error-severity check ran */
  complete: boolean;
  /** error-severity checks that did not run, and why (a PASS with any is partial) */
  notRun: { check: string; id: string; reason: string }[];
  /** why the run could not judge the provider (verdict INCOMPLETE): a stable code and its message */
  incomplete?: { code: string; message: string };
  /** what the run changed on the target, or would have (dry run) */
  writes: { dryRun: boolean; planned: PlannedWrite[]; sent: number; blocked: string[]; created: string[]; disposable: string[] };
  target: { baseUrl: string; embedded: boolean };
  profile: Profile;
  spec: { path: string; sha256: string };
  seed: number;
  /** --shard: which part of the orders this report examined (k 'all': the merge of n shards, `conformance merge`), and the global shard */
  shard?: { k: number | 'all'; n: number; global: number };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** the options the run used, credentials removed */
  options: Record<string, unknown>;
  summary: {
    total: number;
    pass: number;
    fail: number;
    warn: number;
    skip: number;
    /** findings at error severity */
    errors: number;
    /** findings at warning severity */
    warnings: number;
    requests: number;
  };
  results: Result[];
  /** what the run saw of the target, for the report's pictures */
  observed: {
    /** order-state transitions seen in histories (mapped through x-lifecycle) */
    transitions: TransitionStat[];
    /** how many histories reported each production step */
    productionSteps: { step: string; count: number }[];
    /** orders seen per state */
    states: Record<string, number>;
    latency: LatencyStat[];
  };
  /** run-level problems: target unreachable, budget exhausted, timeouts */
  problems: string[];
  /** requests in flight: fixed, or what `--concurrency auto` settled on (absent from reports not made by a run: judge, merge of older reports) */
  concurrency?: ConcurrencySummary;
  /** how the target's TLS was met: `certificateChecked` false means --insecure (the report then proves nothing about who answered) */
  tls?: { certificateChecked: boolean; ca: boolean; clientCertificate: boolean };
  /**
   * A client's traffic judged (`conformance proxy`, `conformance judge` of a
   * HAR or a proxy cassette): the client's verdict, kept apart. The report's
   * own `verdict` and `results` are then the provider's.
   */
  client?: ClientSide;
}

/** The client's side of a session of client traffic (README, "Certify your client"). */
export interface ClientSide {
  verdict: Verdict;
  verdictLabel: string;
  complete: boolean;
  notRun: Report['notRun'];
  summary: Report['summary'];
  /** the client checks (`client_*`), each with its evidence */
  results: Result[];
  /** where the client's full report is, relative to this file */
  report: string;
}

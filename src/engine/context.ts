/**
 * The run context: the spec, its validators and lifecycle, the harness, the
 * options, and one recorder per check. Checks report through their recorder;
 * the recorder turns what they saw into a `Result`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CHECK_BY_NAME, type CheckName, type CheckNeed } from '../checks/catalog.ts';
import { judgeEnv, type Check, type JudgeEnv, type Judgement } from '../checks/define.ts';
import type { Exchange, Harness, RequestSpec } from '../harness/http.ts';
import { segment } from '../harness/url.ts';
import { routerOf, type Router } from '../contract/router.ts';
import type { Evidence, Profile, Result, Severity } from '../report/types.ts';
import { lifecycleOf, type Lifecycle } from '../contract/lifecycle.ts';
import type { Spec } from '../contract/load.ts';
import { validatorsFor, type Validators } from '../contract/validators.ts';
import type { RunOptions } from './options.ts';
import { globalReason, runsGlobal, SHARDED_CHECKS } from './shard.ts';

const MAX_EVIDENCE = 5;

/** The checks that judge every exchange of the run, whichever driver made it. */
export const WATCHERS: readonly CheckName[] = ['no_server_errors', 'json_content_type', 'response_status_declared'];

export class CheckRecorder {
  examined = 0;
  violations = 0;
  errors = 0;
  warnings = 0;
  readonly evidence: Evidence[] = [];
  private firstMessage: string | undefined;
  skipReason: string | undefined;
  /** when the check was first asked for, and when it last judged something (performance.now()) */
  private readonly startedAt = performance.now();
  private judgedAt: number | undefined;

  /**
   * The check's time: from its first use to its last judgement (a pass or a
   * failure), the requests it waited for included. Checks judge while phases
   * run, so the spans of checks judged together overlap; a check that judged
   * nothing took no time.
   */
  get durationMs(): number {
    return this.judgedAt === undefined ? 0 : this.judgedAt - this.startedAt;
  }

  constructor(
    readonly name: string,
    readonly requirement: string,
    private readonly defaultSeverity: Severity,
    private readonly profile: Profile,
  ) {}

  /** Counts items that were examined (and found right, unless a failure is added). */
  pass(n = 1): void {
    this.examined += n;
    this.judgedAt = performance.now();
  }

  /**
   * Records a violation. `severity` overrides the requirement's default (the
   * spec grades a keyword on an `x-inferred` node as a warning); the strict
   * profile makes every warning an error, but an unconfirmed finding
   * (`Finding.unconfirmed`) stays a warning in every profile.
   */
  fail(message: string, evidence: Evidence | (() => Evidence), severity?: Severity | 'unconfirmed'): void {
    const sev: Severity = severity === 'unconfirmed' ? 'warning' : this.profile === 'strict' ? 'error' : (severity ?? this.defaultSeverity);
    this.violations++;
    this.judgedAt = performance.now();
    if (sev === 'error') this.errors++;
    else this.warnings++;
    this.firstMessage ??= message;
    if (this.evidence.length < MAX_EVIDENCE) {
      // evidence given as a function is built only when it is kept
      const ev = typeof evidence === 'function' ? evidence() : evidence;
      this.evidence.push({ ...ev, note: ev.note ? `${message} — ${ev.note}` : message });
    }
  }

  skip(reason: string): void {
    this.skipReason ??= reason;
  }

  toResult(spec: Spec): Result {
    const def = CHECK_BY_NAME.get(this.name);
    const req = spec.requirements.get(this.requirement);
    const source = req?.source ?? 'inferred';
    const status = this.errors > 0 ? 'fail' : this.warnings > 0 ? 'warn' : this.examined > 0 ? 'pass' : 'skip';
    const severity: Severity = this.errors > 0 || this.profile === 'strict' || (this.warnings === 0 && source === 'documented') ? 'error' : 'warning';
    let message: string;
    if (this.violations > 0) message = this.violations > 1 ? `${this.firstMessage} (and ${this.violations - 1} more)` : (this.firstMessage ?? '');
    else if (status === 'skip') message = this.skipReason ?? 'nothing to examine: the target offered no data for this check';
    else message = `${this.examined} examined, all as expected`;
    const result: Result = {
      id: this.requirement,
      check: this.name,
      title: req?.title ?? def?.does ?? this.name,
      area: req?.area ?? 'other',
      source,
      severity,
      status,
      message,
      examined: this.examined,
      violations: this.violations,
      evidence: this.evidence,
      doc: req?.doc ?? '',
      durationMs: Math.round(this.durationMs),
    };
    if (status === 'skip') result.skipReason = message;
    return result;
  }
}

export interface OrderFact {
  ref: string;
  state: string;
}

/** How far the counted part of a phase is: `done` of `total` `what` (e.g. 412 of 1000 orders), begun at `startedMs` (performance.now()). */
export interface RunProgress {
  what: string;
  done: number;
  total: number;
  startedMs: number;
}

/** The run's clock: the time, and a wait. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

export class RunContext {
  readonly validators: Validators;
  readonly lifecycle: Lifecycle;
  /** what a check module judges with: the contract, and the run's redactor */
  readonly env: JudgeEnv;
  /** the spec's routes: drivers ask for operations by operationId, never by a path typed in code */
  readonly router: Router;
  private readonly recorders = new Map<string, CheckRecorder>();
  /** what the run saw, for the report's pictures */
  readonly observed = {
    transitions: new Map<string, { from: string; to: string; count: number; legal: boolean }>(),
    productionSteps: new Map<string, number>(),
    states: new Map<string, number>(),
  };
  /** orders seen in the list, in list order: reference and state only (memory stays small) */
  orders: OrderFact[] = [];
  /** the order list's pages as the walk read them (their URLs) and, for each, the index in `orders` of its first new order: an order's page is read again for a second look (state_consistency) */
  listPages: { url: string; first: number }[] = [];
  /** references of orders the run itself changed: consistency is not judged on them */
  readonly touched = new Set<string>();
  /** orders the run may write to: those it created and those named with --disposable-order (src/engine/safety.ts) */
  readonly writable: Set<string>;
  /** orders the run created (through its product order) */
  readonly createdRefs = new Set<string>();
  /** the target accepted the run's product order (2xx): "created no order" then means "not within --wait-ms" */
  productOrderAccepted = false;
  /** the state each order the write phase read was last seen in (for the reason a write check is skipped) */
  readonly lastSeen = new Map<string, string>();
  /** the order the run terminated, if it did */
  terminated: string | undefined;
  /** when the user's own export was accepted (the colleague's must come within its window) */
  exportStartedAt: number | undefined;
  /** inputs learnt from the target's own data (a product offering and its options from an existing order) */
  readonly learnt: { offering?: { product_offering_id: string; option_ids: string[] } } = {};
  log: (line: string) => void;
  /** items of the current phase done of those planned (the orders examined), for progress lines; total 0: nothing counted */
  readonly progress: RunProgress = { what: '', done: 0, total: 0, startedMs: 0 };

  constructor(
    readonly spec: Spec,
    readonly http: Harness,
    readonly options: RunOptions,
    log: (line: string) => void,
    /** what the drivers read the time from and wait on: the real clock, or `judge`'s virtual one */
    readonly clock: Clock = REAL_CLOCK,
  ) {
    this.validators = validatorsFor(spec);
    this.lifecycle = lifecycleOf(spec);
    this.env = judgeEnv(spec, http.redactor);
    this.router = routerOf(spec);
    this.log = log;
    this.writable = new Set(options.disposableOrders);
  }

  /**
   * Sends a request for an operation of the contract: its method and path
   * come from openapi.yaml, each path parameter encoded as one segment.
   */
  call(operationId: string, params: Record<string, string> = {}, extra: Omit<RequestSpec, 'path' | 'operationId' | 'method'> = {}): Promise<Exchange> {
    return this.http.request({ ...extra, method: this.router.operation(operationId).method, path: this.path(operationId, params), operationId });
  }

  /** The path of an operation with its parameters filled in (for walks, plans and evidence). */
  path(operationId: string, params: Record<string, string> = {}): string {
    return this.router.path(operationId, params, segment);
  }

  /** Records an order the run created: it may be written to, and its consistency is not judged. */
  created(ref: string): void {
    this.createdRefs.add(ref);
    this.writable.add(ref);
    this.touched.add(ref);
  }

  /** checks whose findings are discarded while a driver runs on behalf of other checks (see `drive`) */
  private readonly muted = new Set<string>();

  /**
   * Runs a check's driver for the traffic other selected checks need, without
   * judging it: e.g. the product order that gives `terminate_active` an order
   * of the run's own when `product_order_status` itself was not selected.
   */
  async drive<T>(name: CheckName, fn: () => Promise<T>): Promise<T> {
    this.muted.add(name);
    try {
      return await fn();
    } finally {
      this.muted.delete(name);
    }
  }

  /** Whether a check was selected (--checks, --exclude-checks; all by default), and runs in this shard (src/engine/shard.ts). */
  selected(name: CheckName): boolean {
    // asked for every judgement (several per exchange); the options do not change during a run
    let yes = this.selection.get(name);
    if (yes === undefined) this.selection.set(name, (yes = !this.elsewhere(name) && this.chosen(name)));
    return yes;
  }

  private readonly selection = new Map<CheckName, boolean>();

  /** Whether the user chose a check (--checks, --exclude-checks, --area), whichever shard runs it. */
  chosen(name: CheckName): boolean {
    return this.options.checks === undefined || this.options.checks.includes(name);
  }

  /** A check of the global phases, in a shard that is not the global one: shard G runs it. */
  elsewhere(name: CheckName): boolean {
    return !runsGlobal(this.options) && !SHARDED_CHECKS.includes(name) && !WATCHERS.includes(name);
  }

  /**
   * Whether a driver must run for any of `names`: one of them is selected and
   * its needs are met. Unlike `enabled` it records nothing, so a driver that
   * serves several checks (the export protocol, the list crawl) runs for any
   * of them and judges only the selected ones.
   */
  wants(...names: CheckName[]): boolean {
    if (this.http.unavailable) return false;
    return names.some((n) => (this.selected(n) || this.watching) && ((CHECK_BY_NAME.get(n)?.needs ?? []) as CheckNeed[]).every((need) => this.missing(need) === undefined));
  }

  /**
   * Only checks that judge every exchange (no_server_errors…) are selected:
   * every driver then runs for them, its own checks muted. With other checks
   * selected too, the watchers judge the traffic those checks' drivers make.
   */
  get watching(): boolean {
    return this.options.checks !== undefined && this.options.checks.length > 0 && this.options.checks.every((c) => WATCHERS.includes(c as CheckName));
  }

  /**
   * Creates every catalogued check's recorder, so that each appears in the
   * report, run or not; a check that was not selected says so.
   */
  register(names: readonly CheckName[]): void {
    for (const name of names) {
      if (this.selected(name)) {
        this.check(name);
        continue;
      }
      if (this.recorders.has(name)) continue;
      const def = CHECK_BY_NAME.get(name);
      const req = def ? this.spec.requirements.get(def.requirement) : undefined;
      if (!def || !req) throw new Error(`unknown check ${name}`);
      const r = new CheckRecorder(name, def.requirement, req.source === 'documented' ? 'error' : 'warning', this.options.profile);
      const area = this.options.areas !== undefined && !this.options.areas.includes(req.area);
      if (this.elsewhere(name) && this.chosen(name)) r.skip(globalReason(this.options));
      else r.skip(`not selected (${this.options.excludeChecks?.includes(name) ? '--exclude-checks' : area ? `--area ${this.options.areas?.join(',')}` : '--checks'})`);
      this.recorders.set(name, r);
    }
  }

  /**
   * The recorder of a check; throws on a name missing from the catalogue. A
   * check that was not selected, or whose driver runs on behalf of others
   * (`drive`), gets a recorder whose findings are discarded: a check that did
   * not run is never reported as passed.
   */
  check(name: CheckName): CheckRecorder {
    if (this.muted.has(name) || !this.selected(name)) return new CheckRecorder(name, CHECK_BY_NAME.get(name)?.requirement ?? '', 'warning', this.options.profile);
    let r = this.recorders.get(name);
    if (!r) {
      const def = CHECK_BY_NAME.get(name);
      if (!def) throw new Error(`unknown check ${name}`);
      const req = this.spec.requirements.get(def.requirement);
      if (!req) throw new Error(`check ${name} cites unknown requirement ${def.requirement}`);
      r = new CheckRecorder(name, def.requirement, req.source === 'documented' ? 'error' : 'warning', this.options.profile);
      this.recorders.set(name, r);
    }
    return r;
  }

  /** Whether a check is selected and its needs are met; records the skip reason when not. */
  enabled(name: CheckName): boolean {
    // a selected watcher (no_server_errors…) judges every exchange: then every driver runs, its own checks muted
    if (!this.selected(name) && !this.watching) return false;
    const rec = this.check(name);
    const def = CHECK_BY_NAME.get(name);
    for (const need of (def?.needs ?? []) as CheckNeed[]) {
      const why = this.missing(need);
      if (why) {
        rec.skip(why);
        return false;
      }
    }
    if (this.http.unavailable) {
      rec.skip(`not run: ${this.http.unavailable}`);
      return false;
    }
    return true;
  }

  private missing(need: CheckNeed): string | undefined {
    switch (need) {
      case 'writes':
        if (!this.options.allowWrites) return 'writes are off against this target (use --allow-writes)';
        return this.options.dryRun ? 'dry run: the writes are listed in the report, not sent' : undefined;
      case 'export':
        if (!this.options.allowExport) return "the export spends the user's one export per 5 minutes (use --allow-export)";
        return this.options.dryRun ? 'dry run: the export is listed in the report, not sent' : undefined;
      case 'otherTenant':
        return this.http.hasCredential('otherTenant') ? undefined : 'needs a token of another customer (--token-other-tenant)';
      case 'otherUser':
        return this.http.hasCredential('otherUser') ? undefined : 'needs a token of a colleague (--token-other-user)';
      case 'fuzz':
        return this.options.fuzzRuns > 0 ? undefined : 'fuzzing is off (--fuzz-runs 0)';
    }
  }

  /**
   * Has a check module judge what a driver handed it, and records its
   * judgement on the check's recorder: its passes, its findings with evidence
   * from their exchanges, or its reason for not judging.
   */
  judge<I>(check: Check<I>, input: I): Judgement {
    const j = check.judge(input, this.env);
    this.record(check.name, j);
    return j;
  }

  /** Records a judgement on a check's recorder. */
  record(name: CheckName, j: Judgement): void {
    const rec = this.check(name);
    if (j.passed > 0) rec.pass(j.passed);
    let unjudged: string | undefined;
    for (const f of j.findings) {
      // an exchange the kit itself did not let happen says nothing of the target: not judged, never a failure
      const cut = f.exchange ? this.cutByKit(f.exchange) : undefined;
      if (cut !== undefined) {
        unjudged ??= cut;
        continue;
      }
      const extra = { pointer: f.pointer, value: f.value, expected: f.expected, received: f.received, note: f.note };
      for (const k of Object.keys(extra) as (keyof typeof extra)[]) if (extra[k] === undefined) delete extra[k];
      rec.fail(
        f.message,
        () => {
          const ev: Evidence = f.exchange ? this.http.evidence(f.exchange, extra) : { method: '', url: '', ...f.evidence, ...extra };
          return f.causedBy && f.causedBy.length > 0 ? { ...ev, causedBy: f.causedBy.map((c) => this.http.evidence(c)) } : ev;
        },
        f.unconfirmed ? 'unconfirmed' : f.severity,
      );
    }
    if (j.skip && j.passed === 0 && j.findings.length === 0) rec.skip(j.skip);
    if (unjudged !== undefined) rec.skip(`not judged: ${unjudged}`);
  }

  /**
   * Why an exchange was not the target's doing, if it was not: the kit did
   * not send it (the run had stopped, its budget was spent, the write guard
   * held it), or the run's own time limit cut it. Undefined for an exchange
   * the target answered, or failed to answer, by itself.
   */
  private cutByKit(ex: Exchange): string | undefined {
    if (ex.status !== undefined || !ex.error) return undefined;
    const { code, message } = ex.error;
    if (code === 'unavailable' || code === 'budget' || code === 'blocked') return `the request was not sent (${message})`;
    // cut at the run's deadline (a timer fires at or just after it; the watchers judge before the harness stops the run)
    if (code === 'timeout' && (this.http.incomplete?.code === 'CONF_ERR_RUN_TIME_LIMIT' || performance.now() >= this.http.runClock.at - 50)) return `the run's time limit (--max-run-s) cut the exchange`;
    return undefined;
  }

  recorded(): CheckRecorder[] {
    return [...this.recorders.values()];
  }
}

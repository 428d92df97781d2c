/**
 * One conformance run: spec → harness → phases → results → report.
 *
 * Phases run in an order that keeps the evidence honest: reads first (the
 * list is the reference the export is compared with), then access probes,
 * then the export, then writes (which change orders), then fuzzing.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CassetteWriter } from '../cassette/file.ts';
import { CASSETTE_VERSION, RECORDED_OPTIONS, type CassetteHeader } from '../cassette/record.ts';
import { CHECKS, type CheckName } from '../checks/catalog.ts';
import { WATCHER_MODULES } from '../checks/robustness/watchers.ts';
import { asConformanceError, ConformanceError } from '../errors.ts';
import { CommandToken, OAuthToken } from '../harness/credentials.ts';
import { Harness, makeDispatcher, tlsProblem, type Exchange, type HarnessOptions, type TlsSettings, type Transport } from '../harness/http.ts';
import type { LatencyStat, Report, Result } from '../report/types.ts';
import { verdictOf } from '../report/verdict.ts';
import { loadSpec, type Spec } from '../contract/load.ts';
import { RunContext, type Clock, type RunProgress } from './context.ts';
import { mostInFlight, type RunOptions } from './options.ts';
import { checkCredentials, checkNotFound, checkTenantIsolation, checkTraversal, type DocRef } from './phases/access.ts';
import { checkColleagueExport, checkExport, EXPORT_CHECKS } from './phases/export.ts';
import { crawlOrderList, examineOrders, noPicks, ordersToExamine, sampleOrders, type KnownFiles } from './phases/orders.ts';
import { checkOrderRequests, fetchReasons } from './phases/requests.ts';
import { awaitActiveOrder, checkInvalidBodies, checkProductOrder, checkTermination } from './phases/writes.ts';
import { planLines, planWrites, writeGuard, type PlannedWrite } from './safety.ts';
import { runsGlobal, shardField } from './shard.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunHooks {
  log?: (line: string) => void;
  /** extra phases (fuzzing) run after the writes */
  extraPhases?: ((ctx: RunContext) => Promise<void>)[];
  /** aborted (Ctrl-C): no new request is sent, those in flight finish, the report is INCOMPLETE (CONF_ERR_INTERRUPTED) */
  signal?: AbortSignal;
  /** the run's harness, once made (progress lines read its request count, and the counted part of a phase: orders examined of those sampled) */
  onHarness?: (http: Harness, progress: RunProgress) => void;
  /** answers the run's requests instead of the network (`conformance judge`: a cassette), and how it waits */
  transport?: Transport;
  sleep?: (ms: number) => Promise<void>;
  /** the run's clock: what the drivers read and wait on (`judge` gives a virtual one, so that no wait sleeps) */
  clock?: Clock;
}

export interface RunOutcome {
  report: Report;
  exitCode: 0 | 1 | 2;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Hands every exchange of the run to the checks that judge each one (src/checks/robustness/watchers.ts). */
function watchExchanges(ctx: RunContext): void {
  const maxBodyBytes = ctx.options.maxBodyBytes;
  ctx.http.onExchange((exchange: Exchange) => {
    const input = { exchange, maxBodyBytes };
    for (const check of WATCHER_MODULES) ctx.judge(check, input);
  });
}

let suiteHashCache: string | undefined;
/** Where the kit's shipped code lives: every file under these, with the contract, makes the suite digest. */
const SUITE_DIRS = ['src', 'mock'];

export function suiteFiles(): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(resolve(ROOT, rel)).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const p = `${rel}/${name}`;
      if (statSync(resolve(ROOT, p)).isDirectory()) walk(p);
      else if (/\.(ts|js|mjs|json|pdf)$/.test(name)) out.push(p);
    }
  };
  for (const d of SUITE_DIRS) walk(d);
  return out;
}

/**
 * A digest of the exact suite: the contract the run used and every shipped
 * source file of the kit (src/ and mock/, each by path and content, in order),
 * so a certificate names the code that judged, not a hand-picked few files.
 */
export function suiteSha256(spec: Spec): string {
  if (suiteHashCache) return `${suiteHashCache}`;
  const h = createHash('sha256').update(spec.hash);
  for (const f of suiteFiles()) h.update(`\0${f}\0`).update(readFileSync(resolve(ROOT, f)));
  suiteHashCache = h.digest('hex');
  return suiteHashCache;
}

export function toolVersion(): string {
  try {
    return String((JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0');
  } catch {
    return '0.0.0';
  }
}

/** The harness a run's options describe: one place maps options to the HTTP layer. */
export function harnessFor(options: RunOptions & { baseUrl: string }, via: Pick<HarnessOptions, 'transport' | 'sleep' | 'now'> = {}): Harness {
  const tls = tlsOf(options);
  const proxy = options.proxy ? { http: options.proxy, https: options.proxy, noProxy: options.proxyEnv?.noProxy } : options.proxyEnv;
  const tokenSources: HarnessOptions['tokenSources'] = {};
  const oauthDispatcher = options.oauthTokenUrl ? makeDispatcher(undefined, { concurrency: 2, timeoutMs: options.timeoutMs, tls, proxy }) : undefined;
  for (const [who, command, clientId, clientSecret] of [
    ['main', options.tokenCommand, options.oauthClientId, options.oauthClientSecret],
    ['otherUser', options.tokenCommandOtherUser, options.oauthClientIdOtherUser, options.oauthClientSecretOtherUser],
    ['otherTenant', options.tokenCommandOtherTenant, options.oauthClientIdOtherTenant, options.oauthClientSecretOtherTenant],
  ] as const) {
    const flag = who === 'main' ? '' : who === 'otherUser' ? '-other-user' : '-other-tenant';
    if (command) tokenSources[who] = new CommandToken(command, `--token-command${flag}`);
    if (options.oauthTokenUrl && oauthDispatcher && clientId && clientSecret) {
      const settings = { tokenUrl: options.oauthTokenUrl, clientId, clientSecret, ...(options.oauthScope ? { scope: options.oauthScope } : {}) };
      tokenSources[who] = new OAuthToken(settings, oauthDispatcher, options.timeoutMs);
    }
  }
  const http = new Harness({
    headers: options.headers,
    secretHeaders: options.secretHeaders,
    tls,
    proxy,
    tokenSources,
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    concurrency: mostInFlight(options),
    adaptive: options.concurrency === 'auto',
    maxBodyBytes: options.maxBodyBytes,
    budget: options.budget,
    tokens: { main: options.token, otherUser: options.tokenOtherUser, otherTenant: options.tokenOtherTenant },
    authHeader: options.authHeader,
    authScheme: options.authScheme,
    maxRunMs: options.maxRunS > 0 ? options.maxRunS * 1000 : undefined,
    ...(options.record ? { keepStreamedBytes: options.recordBodyCap } : {}),
    ...via,
  });
  http.redactor.add(options.oauthClientSecret, 'CONFORMANCE_OAUTH_CLIENT_SECRET');
  http.redactor.add(options.oauthClientSecretOtherUser, 'CONFORMANCE_OAUTH_CLIENT_SECRET_OTHER_USER');
  http.redactor.add(options.oauthClientSecretOtherTenant, 'CONFORMANCE_OAUTH_CLIENT_SECRET_OTHER_TENANT');
  http.redactor.add(options.keyPassphrase, 'CONFORMANCE_KEY_PASSPHRASE');
  if (options.insecure) http.note(INSECURE);
  return http;
}

const INSECURE = "--insecure: the target's TLS certificate was not checked; this report does not show who answered";

/** --ca, --cert, --key (read here, at the start of the run), the passphrase and --insecure, as the TLS layer takes them. */
function tlsOf(options: Partial<RunOptions>): TlsSettings {
  const tls: TlsSettings = {};
  if (options.ca) tls.ca = readFileSync(options.ca, 'utf8');
  if (options.cert) tls.cert = readFileSync(options.cert, 'utf8');
  if (options.key) tls.key = readFileSync(options.key, 'utf8');
  if (options.keyPassphrase) tls.passphrase = options.keyPassphrase;
  if (options.insecure) tls.rejectUnauthorized = false;
  return tls;
}

/**
 * Before any check: can this target be judged at all? A refused connection,
 * a TLS failure, a credential refused on every read, or a base URL under which
 * every path answers 404 is the user's problem or the run's, not the
 * provider's: the run stops INCOMPLETE (exit 2) with the reason.
 */
async function preflight(ctx: RunContext): Promise<void> {
  const http = ctx.http;
  const reads = [
    { path: ctx.path('listTerminateReasons'), operationId: 'listTerminateReasons', purpose: 'preflight' },
    { path: ctx.path('listOrders'), operationId: 'listOrders', purpose: 'preflight' },
  ];
  const first = await http.request(reads[0]!);
  if (first.error) {
    const target = http.redactor.text(ctx.options.baseUrl ?? '');
    if (first.error.code === 'refused') return http.stop({ code: 'CONF_ERR_UNREACHABLE', message: `${target}: ${first.error.message}` });
    if (first.error.code === 'tls') return http.stop({ code: 'CONF_ERR_TLS', message: `${target}: ${first.error.message}` });
    if (first.error.code === 'reset' || first.error.code === 'protocol') {
      const tls = await tlsDiagnosis(http.origin, http.options.tls);
      if (tls) return http.stop({ code: 'CONF_ERR_TLS', message: `${target}: ${tls}` });
    }
    return; // a target that hangs or breaks is judged by the checks (a FAIL that names it)
  }
  const second = await http.request(reads[1]!);
  const answers = [first, second];
  if (answers.every((ex) => ex.status === 401 || ex.status === 403)) {
    const how = `${first.status} to GET ${reads[0]!.path} and ${second.status} to GET ${reads[1]!.path}`;
    return http.stop({
      code: 'CONF_ERR_CREDENTIALS',
      message: http.hasCredential('main')
        ? `the main credential (${ctx.options.token ? '--token' : ctx.options.tokenCommand ? '--token-command' : 'OAuth2'}) was refused on every call (${how}): it is wrong, expired, or needs another --auth-header/--auth-scheme`
        : `no --token was given and the target asks for credentials (${how})`,
    });
  }
  if (answers.every((ex) => ex.status === 404)) {
    return http.stop({ code: 'CONF_ERR_NO_API', message: `every path answered 404 under ${http.redactor.text(ctx.options.baseUrl ?? '')} (GET ${reads[0]!.path}, GET ${reads[1]!.path}): is --base-url the API root (the kit adds /api/v1/…)?` });
  }
  http.credentialProbe = answers.find((ex) => ex.status === 200) ? reads[answers.findIndex((ex) => ex.status === 200)]!.path : undefined;
}

/**
 * A connection that was reset at once may be TLS trouble that undici reports
 * only as a closed socket: an http:// URL aimed at a TLS server, or (TLS 1.3)
 * a server that wants a client certificate and says so in an alert after the
 * handshake. One raw TLS connection tells which; undefined when neither.
 */
async function tlsDiagnosis(origin: string, settings: TlsSettings = {}): Promise<string | undefined> {
  const u = new URL(origin);
  const { connect } = await import('node:tls');
  const plain = u.protocol === 'http:';
  return new Promise((resolvePromise) => {
    const socket = connect({ ...settings, host: u.hostname, port: Number(u.port || (plain ? 80 : 443)), rejectUnauthorized: !plain && settings.rejectUnauthorized !== false, servername: /^[\d.]+$|:/.test(u.hostname) ? undefined : u.hostname });
    const done = (v: string | undefined): void => {
      socket.destroy();
      resolvePromise(v);
    };
    socket.setTimeout(2000, () => done(undefined));
    socket.once('secureConnect', () => {
      if (plain) return done('the target speaks TLS at this address: use https:// instead of http://');
      socket.write(`GET / HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`);
    });
    socket.once('data', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(plain ? undefined : tlsProblem(err.code ?? '', err.message)));
  });
}

/**
 * Work run side by side, all of it finished before this resolves: one that
 * fails is rethrown only once the others are done, so that no request is
 * still in flight when the run closes its connections and writes the report.
 */
async function together(work: Promise<unknown>[]): Promise<void> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Certifies the target of `options.baseUrl` (which must be set) and returns the report. */
export async function certify(options: RunOptions & { baseUrl: string }, embedded: boolean, hooks: RunHooks = {}): Promise<RunOutcome> {
  const log = hooks.log ?? (() => undefined);
  const spec = loadSpec(options.specPath);
  const startedAt = new Date();
  const http = harnessFor(options, { ...(hooks.transport ? { transport: hooks.transport } : {}), ...(hooks.sleep ? { sleep: hooks.sleep } : {}), ...(hooks.clock ? { now: hooks.clock.now } : {}) });
  // the cassette is opened before the first request: a file that cannot be written stops the run before it starts
  let cassette: CassetteWriter | undefined;
  if (options.record) {
    try {
      cassette = CassetteWriter.open(options.record, cassetteHeader(options, spec, http, embedded, startedAt));
    } catch (e) {
      await http.close();
      throw e;
    }
    cassette.attach(http, options.recordBodyCap);
  }
  const ctx = new RunContext(spec, http, options, (l) => log(http.redactor.text(l)), hooks.clock);
  ctx.register(CHECKS.map((c) => c.name));
  http.setWriteGuard(writeGuard(ctx));
  hooks.onHarness?.(http, ctx.progress);
  const interrupt = (): void => http.stop({ code: 'CONF_ERR_INTERRUPTED', message: 'interrupted (SIGINT): no request was sent after it, those in flight were waited for' });
  if (hooks.signal?.aborted) interrupt();
  hooks.signal?.addEventListener('abort', interrupt, { once: true });
  let plan: PlannedWrite[] = [];
  try {
    // the preflight's two reads are made again by the phases: judged there, so that a run stopped here judges nothing
    await preflight(ctx);
    watchExchanges(ctx);

    const global = runsGlobal(options);
    const phase = async (name: string, fn: () => Promise<void>): Promise<void> => {
      if (http.unavailable) return;
      // with --shard, the phases that act on the target as a whole are shard G's (src/engine/shard.ts)
      if (!global && GLOBAL_PHASES.includes(name)) return;
      // a phase runs when a selected check needs its traffic (the watchers judge every phase's); in
      // another shard than G, also when a check G runs needs it: the merge judges every shard's orders for it
      const serves = PHASE_SERVES[name];
      if (serves && !ctx.watching && !serves.some((c) => ctx.chosen(c))) return;
      const t0 = performance.now();
      log(`• ${name}`);
      await fn();
      log(`  ${name} done in ${Math.round(performance.now() - t0)} ms (${http.requests} requests so far)`);
    };
    let reasons: string[] = [];
    const known: KnownFiles = new Map();
    let doc: DocRef | undefined;
    let otherDoc: DocRef | undefined;
    let sample = ctx.orders;
    // the reference data and the orders are independent reads: fetched side by side, so that neither waits on the other's latency
    await together([
      phase('reference data', async () => {
        [reasons] = await Promise.all([fetchReasons(ctx), checkOrderRequests(ctx)]);
      }),
      phase('orders, histories, documents', async () => {
        await crawlOrderList(ctx);
        // the selection is made on the whole list, the same in every shard; each shard examines its part of it
        sample = sampleOrders(ctx.orders, options.maxOrders);
        Object.assign(ctx.progress, { what: 'orders', done: 0, total: ordersToExamine(ctx, sample).length, startedMs: performance.now() });
        const picks = noPicks();
        await examineOrders(ctx, sample, known, picks);
        ctx.progress.total = 0;
        // two documents of different orders, for not-found, traversal and isolation probes: the earliest of the global shard's
        [doc, otherDoc] = picks.docs.map((d) => d.doc);
        if (options.shard) log(`  shard ${options.shard.k} of ${options.shard.n}: ${ordersToExamine(ctx, sample).length} of ${sample.length} selected orders examined here${global ? ' (and the checks that act on the target as a whole)' : ''}`);
      }),
    ]);
    // what the run will change, said before the first write or export (in shard G only: the others change nothing)
    plan = global ? planWrites(ctx, reasons) : [];
    if (!http.unavailable) for (const line of planLines(plan, options.dryRun, embedded ? 'the bundled reference server' : http.redactor.text(options.baseUrl))) log(line);
    await phase('errors and access', async () => {
      // four independent sets of probes, side by side (each judges its own checks)
      await together([checkCredentials(ctx, sample, doc), checkNotFound(ctx, doc), checkTraversal(ctx, doc, otherDoc, known), checkTenantIsolation(ctx, sample, doc, known)]);
    });
    await phase('export', () => checkExport(ctx));
    await phase('writes', async () => {
      await checkProductOrder(ctx);
      await awaitActiveOrder(ctx);
      await checkInvalidBodies(ctx, reasons);
    });
    await phase('fuzz', async () => {
      if (options.fuzzRuns === 0) {
        // each fuzz check records why it did not run; fast-check is not even loaded
        for (const c of CHECKS) if ((c as { needs?: readonly string[] }).needs?.includes('fuzz')) ctx.enabled(c.name);
        return;
      }
      // loaded only when the run gets this far: fast-check stays out of the other phases
      const { runFuzz } = await import('../fuzz/index.ts');
      await runFuzz(ctx);
    });
    await phase('final writes', () => checkTermination(ctx, reasons));
    await phase("colleague's export", () => checkColleagueExport(ctx));
    for (const extra of hooks.extraPhases ?? []) await phase('extra', () => extra(ctx));
  } catch (err) {
    // a run always ends with a report: an unexpected error in the kit is INTERNAL, and INCOMPLETE
    const e = err instanceof ConformanceError ? err : asConformanceError(err);
    http.stop({ code: e.code === 'CONF_ERR_UNREACHABLE' || e.code === 'CONF_ERR_INTERRUPTED' ? e.code : 'CONF_ERR_INTERNAL', message: e.message });
  } finally {
    hooks.signal?.removeEventListener('abort', interrupt);
    await http.close();
    cassette?.close();
    if (cassette) log(`Cassette: ${cassette.records} exchanges in ${cassette.path}`);
  }
  const report = buildReport(ctx, spec, options, embedded, startedAt, plan);
  return { report, exitCode: exitCodeOf(report, options) };
}

/** The first line of a cassette: which run it is (docs/cassette.md), never a credential. */
function cassetteHeader(options: RunOptions & { baseUrl: string }, spec: Spec, http: Harness, embedded: boolean, startedAt: Date): CassetteHeader {
  const kept: Record<string, unknown> = {};
  for (const k of RECORDED_OPTIONS) if (options[k] !== undefined) kept[k] = options[k];
  if (Object.keys(options.headers ?? {}).length > 0) kept.headerNames = Object.keys(options.headers);
  return {
    cassette: CASSETTE_VERSION,
    tool: { name: 'order-tracking-conformance', version: toolVersion() },
    contract: spec.hash,
    contractPath: spec.path.startsWith(ROOT) ? spec.path.slice(ROOT.length + 1) : spec.path,
    suite: suiteSha256(spec),
    seed: options.seed,
    target: http.redactor.text(options.baseUrl),
    embedded,
    options: http.redactor.value(kept),
    principals: (['main', 'otherUser', 'otherTenant'] as const).filter((p) => http.hasCredential(p)),
    bodyCap: options.recordBodyCap,
    ...(options.shard ? { shard: shardField(options) } : {}),
    startedAt: startedAt.toISOString(),
  };
}

/** 0 PASS, 1 FAIL (and a partial PASS with --require-complete), 2 INCOMPLETE. */
export function exitCodeOf(report: Report, options: Pick<RunOptions, 'requireComplete'>): 0 | 1 | 2 {
  if (report.verdict === 'INCOMPLETE') return 2;
  if (report.verdict === 'FAIL') return 1;
  return options.requireComplete && !report.complete ? 1 : 0;
}

const ACCESS: CheckName[] = ['auth_missing_credentials', 'auth_invalid_credentials', 'tenant_isolation', 'order_not_found', 'document_not_found', 'document_traversal', 'export_not_found'];
const WRITES: CheckName[] = ['product_order_status', 'terminate_active', 'action_precondition', 'action_invalid_body', 'fuzz_invalid_body', 'fuzz_invalid_product_order', 'export_fresh'];
const FUZZ = CHECKS.filter((c) => (c as { needs?: readonly string[] }).needs?.includes('fuzz')).map((c) => c.name);
/**
 * Which checks each phase's traffic serves: the checks it judges, and the
 * later ones that use what it learnt (the list for the export's content, a
 * sampled order for the access probes, an existing order's offering for the
 * product order). `--checks X` runs only the phases X needs.
 */
const PHASE_SERVES: Record<string, readonly CheckName[]> = {
  'reference data': ['terminate_reasons_schema', 'order_requests_schema', 'order_requests_filter', 'order_list_paging', ...WRITES],
  'orders, histories, documents': ['order_list_schema', 'order_list_paging', 'order_state_enum', 'order_detail_schema', 'state_consistency', 'history_schema', 'history_vocabulary', 'history_order', 'history_timestamps', 'history_steps', 'documents_schema', 'document_download', ...ACCESS, 'export_content', ...WRITES],
  'errors and access': ACCESS,
  export: [...EXPORT_CHECKS, 'tenant_isolation'],
  writes: WRITES,
  fuzz: FUZZ,
  'final writes': ['terminate_active', 'action_precondition', 'export_fresh'],
  "colleague's export": ['rate_limit_scope', 'export_fresh'],
};

/** The phases of shard G only (src/engine/shard.ts): every shard crawls the list and examines its orders. */
const GLOBAL_PHASES: readonly string[] = ['reference data', 'errors and access', 'export', 'writes', 'fuzz', 'final writes', "colleague's export"];

/** Embedded-mode settings: the reference server moves fast enough for a run to watch it. */
export const EMBEDDED_MOCK = { stepMs: 40, exportMs: 80 } as const;

/**
 * Runs against `options.baseUrl`, or, when it is absent, against the bundled
 * reference server started for the run (writes and export always on there,
 * with its demo tokens).
 */
export async function runConformance(options: RunOptions, hooks: RunHooks = {}): Promise<RunOutcome> {
  if (options.baseUrl) return certify({ ...options, baseUrl: options.baseUrl }, false, hooks);
  const { startMock, DEMO_TOKENS } = await import('../../mock/index.ts');
  let mock: Awaited<ReturnType<typeof startMock>>;
  try {
    mock = await startMock({ seed: options.seed, ...EMBEDDED_MOCK });
  } catch (err) {
    throw new ConformanceError('CONF_ERR_MOCK_START', (err as Error).message);
  }
  hooks.log?.(`Started the bundled reference server at ${mock.baseUrl} (seed ${options.seed})`);
  try {
    return await certify(
      {
        ...options,
        baseUrl: mock.baseUrl,
        token: DEMO_TOKENS.customerA_user1,
        tokenOtherUser: DEMO_TOKENS.customerA_user2,
        tokenOtherTenant: DEMO_TOKENS.customerB_user1,
        // the bundled server: reached directly, with its demo tokens (no proxy, no token source)
        proxy: undefined,
        proxyEnv: {},
        tokenCommand: undefined,
        tokenCommandOtherUser: undefined,
        tokenCommandOtherTenant: undefined,
        oauthTokenUrl: undefined,
        allowWrites: true,
        allowExport: true,
      },
      true,
      hooks,
    );
  } finally {
    await mock.close();
  }
}

function shown(options: Partial<RunOptions>): Record<string, unknown> {
  const { token, tokenOtherUser, tokenOtherTenant, keyPassphrase, oauthClientSecret, oauthClientSecretOtherUser, oauthClientSecretOtherTenant, headers, tokenCommand, tokenCommandOtherUser, tokenCommandOtherTenant, ...rest } = options;
  void [keyPassphrase, oauthClientSecret, oauthClientSecretOtherUser, oauthClientSecretOtherTenant];
  return {
    ...rest,
    // a command line may carry a password of its own
    ...(tokenCommand ? { tokenCommand: '(set)' } : {}),
    ...(tokenCommandOtherUser ? { tokenCommandOtherUser: '(set)' } : {}),
    ...(tokenCommandOtherTenant ? { tokenCommandOtherTenant: '(set)' } : {}),
    // header names only: a value may be a credential whatever its name
    ...(headers ? { headers: Object.keys(headers) } : {}),
    token: token ? '(set)' : '(none)',
    tokenOtherUser: tokenOtherUser ? '(set)' : '(none)',
    tokenOtherTenant: tokenOtherTenant ? '(set)' : '(none)',
  };
}

export function buildReport(ctx: RunContext, spec: Spec, options: RunOptions, embedded: boolean, startedAt: Date, plan: PlannedWrite[] = []): Report {
  // every catalogued check appears, run or not
  const results: Result[] = ctx.recorded().map((r) => r.toResult(spec));
  if (ctx.http.unavailable) {
    for (const r of results) if (r.status === 'skip' && !r.skipReason?.startsWith('not run')) r.skipReason = r.message = `not run: ${ctx.http.unavailable}`;
  }
  results.sort((a, b) => a.area.localeCompare(b.area) || a.id.localeCompare(b.id) || a.check.localeCompare(b.check));
  const count = (s: Result['status']): number => results.filter((r) => r.status === s).length;
  let errors = 0;
  let warnings = 0;
  for (const r of ctx.recorded()) {
    errors += r.errors;
    warnings += r.warnings;
  }
  const latency: LatencyStat[] = [...ctx.http.latency.entries()].map(([operationId, arr]) => {
    const sorted = [...arr].sort((a, b) => a - b);
    return { operationId, count: sorted.length, p50: Math.round(percentile(sorted, 50) * 10) / 10, p95: Math.round(percentile(sorted, 95) * 10) / 10, max: Math.round((sorted[sorted.length - 1] ?? 0) * 10) / 10 };
  });
  const problems = [...ctx.http.problems, ...ctx.http.blocked];
  const finishedAt = new Date();
  const incomplete = ctx.http.incomplete;
  return ctx.http.redactor.value({
    tool: { name: 'order-tracking-conformance', version: toolVersion(), suiteSha256: suiteSha256(spec) },
    ...verdictOf(results, errors, ctx.http.unavailable, incomplete),
    ...(incomplete ? { incomplete } : {}),
    target: { baseUrl: options.baseUrl ?? '', embedded },
    profile: options.profile,
    spec: { path: spec.path.startsWith(ROOT) ? spec.path.slice(ROOT.length + 1) : spec.path, sha256: spec.hash },
    seed: options.seed,
    ...(options.shard ? { shard: shardField(options) } : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    options: shown(options),
    summary: { total: results.length, pass: count('pass'), fail: count('fail'), warn: count('warn'), skip: count('skip'), errors, warnings, requests: ctx.http.requests },
    results,
    observed: {
      transitions: [...ctx.observed.transitions.values()].sort((a, b) => b.count - a.count),
      productionSteps: ctx.lifecycle.steps.map((step) => ({ step, count: ctx.observed.productionSteps.get(step) ?? 0 })),
      states: Object.fromEntries(ctx.observed.states),
      latency,
    },
    writes: { dryRun: options.dryRun, planned: plan, sent: ctx.http.writesSent, blocked: [...ctx.http.blocked], created: [...ctx.createdRefs], disposable: [...options.disposableOrders] },
    problems,
    concurrency: ctx.http.concurrency.summary(),
    tls: tlsField(options),
  });
}

/** The report's `tls` field: whether the target's certificate was checked (--insecure: not), a CA given, a client certificate presented. */
function tlsField(options: Partial<RunOptions>): NonNullable<Report['tls']> {
  return { certificateChecked: !options.insecure, ca: Boolean(options.ca), clientCertificate: Boolean(options.cert) };
}

/**
 * The report of a run that could not be made or stopped before it could judge
 * (a bad option, a spec that does not load, a report directory, the bundled
 * server not starting): INCOMPLETE, every check not run, with the reason. It
 * replaces the previous run's reports, so no stale verdict is left beside it.
 */
export function incompleteReport(error: { code: string; message: string }, options: Partial<RunOptions> = {}, spec?: Spec): Report {
  const now = new Date().toISOString();
  const results: Result[] = CHECKS.map((c) => {
    const req = spec?.requirements.get(c.requirement);
    const reason = `not run: ${error.message}`;
    return { id: c.requirement, check: c.name, title: req?.title ?? c.does, area: req?.area ?? 'other', source: req?.source ?? 'documented', severity: 'error', status: 'skip', message: reason, skipReason: reason, examined: 0, violations: 0, evidence: [], doc: req?.doc ?? '' };
  });
  return {
    tool: { name: 'order-tracking-conformance', version: toolVersion(), suiteSha256: spec ? suiteSha256(spec) : '' },
    ...verdictOf(results, 0, undefined, error),
    incomplete: error,
    target: { baseUrl: options.baseUrl ?? '', embedded: options.baseUrl === undefined },
    profile: options.profile ?? 'documented',
    spec: { path: options.specPath ?? 'openapi.yaml', sha256: spec?.hash ?? '' },
    seed: options.seed ?? 0,
    startedAt: now,
    finishedAt: now,
    durationMs: 0,
    options: shown(options),
    summary: { total: results.length, pass: 0, fail: 0, warn: 0, skip: results.length, errors: 0, warnings: 0, requests: 0 },
    results,
    observed: { transitions: [], productionSteps: [], states: {}, latency: [] },
    writes: { dryRun: options.dryRun ?? false, planned: [], sent: 0, blocked: [], created: [], disposable: [...(options.disposableOrders ?? [])] },
    problems: [error.message, ...(options.insecure ? [INSECURE] : [])],
    tls: tlsField(options),
  };
}

/**
 * The options of `conformance run` and `conformance mock`, in one typed table
 * each (after vitest's cli-config.ts): flag, environment variable, default,
 * description and the parser that validates a value. The CLI builds its flags
 * from these tables, `npm run suites` reads the same variables through
 * `optionsFromEnv`, and a test compares the README's options table with them.
 *
 * One rule for every boolean, from a flag or from the environment:
 * `1/true/yes/on` is on, `0/false/no/off/""` is off, anything else is
 * CONF_ERR_BAD_OPTION (exit 2). A boolean variable never counts as set merely
 * because it exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { CORE_SCHEMA, dump as dumpYaml, load as loadYaml } from 'js-yaml';
import { CHECK_BY_NAME, CHECKS, CLIENT_CHECK_BY_NAME } from '../checks/catalog.ts';
import { MOCK_LIMITS as M } from '../../mock/index.ts';
import { DEFAULT_SPEC_PATH, loadSpec } from '../contract/load.ts';
import { ConformanceError } from '../errors.ts';
import type { Profile } from '../report/types.ts';

export interface RunOptions {
  /** the target; undefined starts the bundled reference server */
  baseUrl: string | undefined;
  token: string | undefined;
  tokenOtherUser: string | undefined;
  tokenOtherTenant: string | undefined;
  profile: Profile;
  allowWrites: boolean;
  allowExport: boolean;
  /** orders the user hands over to be written to (terminated, probed); nothing else existing is ever written */
  disposableOrders: string[];
  /** perform the reads, send no write and no export, list what would have been sent */
  dryRun: boolean;
  /** the product order body to send (from --product-order-body FILE); default: learnt from an existing order */
  productOrderBody: Record<string, unknown> | undefined;
  /** the termination body to send, as it is (from --terminate-body FILE); default: the kit's guess, `{reason, message}` with the first listed reason */
  terminateBody: Record<string, unknown> | undefined;
  /** a verdict that skipped an error-severity check exits 1 */
  requireComplete: boolean;
  seed: number;
  fuzzRuns: number;
  /** wall-clock budget of the fuzz phase */
  fuzzBudgetMs: number;
  timeoutMs: number;
  /** requests in flight: a number, or `auto` (from 4, following the target, up to maxConcurrency) */
  concurrency: number | 'auto';
  /** the most requests in flight with `--concurrency auto` */
  maxConcurrency: number;
  /** orders examined in detail; 0 (`--max-orders all`): every order of the list */
  maxOrders: number;
  /**
   * --shard K/N: this run examines the orders whose reference hashes to K of N
   * (src/engine/shard.ts), and runs the checks that act on the target as a
   * whole only when K is `globalShard`; `k: 'all'` is the merged judge's
   * (`conformance merge`): every shard's orders, global choices as shard G's
   */
  shard: Shard | undefined;
  /** the shard that runs the checks acting on the target as a whole (--global-shard G, default 1) */
  globalShard: number;
  reportDir: string;
  /** only these checks (names from the catalogue, less --exclude-checks); undefined means all */
  checks: string[] | undefined;
  /** checks left out (--exclude-checks) */
  excludeChecks: string[];
  /** only the checks of these areas (--area; the areas of their requirements in the contract); undefined means all */
  areas: string[] | undefined;
  /** most requests a run may make */
  budget: number;
  maxBodyBytes: number;
  authHeader: string;
  authScheme: string;
  /** how long the export may take to finish, and lifecycle waits in writes */
  waitMs: number;
  /** spec to certify against */
  specPath: string | undefined;
  /** the whole run's time limit in seconds (0: none); past it no request is sent */
  maxRunS: number;
  /** extra headers sent with every request (--header "Name: value") */
  headers: Record<string, string>;
  /** header names whose values are redacted, beyond those whose names suggest a secret */
  secretHeaders: string[];
  /** --proxy: the forward proxy for every request (NO_PROXY still applies) */
  proxy: string | undefined;
  /** the proxies the environment names (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, either case); --proxy overrides them */
  proxyEnv: { http?: string; https?: string; noProxy?: string };
  /** PEM files: a CA to trust for the target, a client certificate and its key */
  ca: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  /** the client key's passphrase: only from CONFORMANCE_KEY_PASSPHRASE */
  keyPassphrase: string | undefined;
  /** the target's certificate is not checked (every report says so) */
  insecure: boolean;
  /** a command whose standard output is the main token; re-run on 401 or at the expiry it gives */
  tokenCommand: string | undefined;
  /** OAuth2 client credentials for the main user; the secret only from CONFORMANCE_OAUTH_CLIENT_SECRET */
  oauthTokenUrl: string | undefined;
  oauthClientId: string | undefined;
  oauthClientSecret: string | undefined;
  oauthScope: string | undefined;
  /** the same for the colleague and the other customer (OAuth2: the same token URL and scope, their own client) */
  tokenCommandOtherUser: string | undefined;
  tokenCommandOtherTenant: string | undefined;
  oauthClientIdOtherUser: string | undefined;
  oauthClientIdOtherTenant: string | undefined;
  oauthClientSecretOtherUser: string | undefined;
  oauthClientSecretOtherTenant: string | undefined;
  /** the config file the options were read from (--config, or ./conformance.config.json, .yaml or .yml when present) */
  config: string | undefined;
  /** --record FILE: every exchange of the run written to FILE as a cassette (docs/cassette.md) */
  record: string | undefined;
  /** characters of a body a cassette keeps (beyond them: its size and sha256) */
  recordBodyCap: number;
}

type Raw = unknown;

/** Which part of the orders a run examines: shard `k` of `n` (1-based), or every one (`all`, the merged judge). */
export interface Shard {
  k: number | 'all';
  n: number;
}

/** Most shards a run may be split into. */
export const MAX_SHARDS = 1024;

export interface OptionDef<K extends string = string> {
  key: K;
  /** commander flag syntax: `--name <arg>` or `--name` for a boolean */
  flag: string;
  env: string;
  description: string;
  /** the default as shown in the help and the README */
  shown: string;
  /** repeatable (`--disposable-order A --disposable-order B`; the variable is comma-separated) */
  repeatable?: boolean;
  /** a secret: never echoed in an error message */
  secret?: boolean;
}

// ---------------------------------------------------------------- value rules

const bad = (msg: string): ConformanceError => new ConformanceError('CONF_ERR_BAD_OPTION', msg);

export const TRUE_WORDS = ['1', 'true', 'yes', 'on'] as const;
export const FALSE_WORDS = ['0', 'false', 'no', 'off', ''] as const;

/** The one boolean rule, for flags and variables alike. */
export function parseBool(flag: string, v: Raw): boolean {
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null) return false;
  const s = String(v).trim().toLowerCase();
  if ((TRUE_WORDS as readonly string[]).includes(s)) return true;
  if ((FALSE_WORDS as readonly string[]).includes(s)) return false;
  throw bad(`${flag} takes ${TRUE_WORDS.join('/')} or ${FALSE_WORDS.filter(Boolean).join('/')} (or empty for off); got "${String(v)}"`);
}

export function parseWhole(flag: string, v: Raw, min: number, max: number): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (String(v).trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw bad(`${flag} must be a whole number from ${min} to ${max} (got "${String(v)}")`);
  }
  return n;
}

/** A file holding a JSON object (--product-order-body, --terminate-body): its content, or CONF_ERR_BAD_OPTION saying why not. */
export function parseJsonObjectFile(flag: string, v: Raw): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(String(v), 'utf8');
  } catch (e) {
    throw bad(`${flag}: cannot read ${String(v)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw bad(`${flag}: ${String(v)} is not JSON (${(e as Error).message})`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad(`${flag}: ${String(v)} must hold a JSON object`);
  return body as Record<string, unknown>;
}

/** RFC 9110 token characters: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What a header value may hold: visible ASCII, space and tab inside, nothing else (no CR, LF, NUL, controls). */
const FIELD_VALUE = /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/;

export function parseHeaderName(flag: string, v: Raw): string {
  const s = String(v);
  if (!TOKEN.test(s)) throw bad(`${flag} must be an HTTP header name (letters, digits and !#$%&'*+-.^_\`|~, no spaces); got ${JSON.stringify(s)}`);
  return s;
}

/** A credential or a header value: refused, without echoing it, when HTTP could not carry it. */
export function parseHeaderValue(flag: string, v: Raw, secret: boolean): string {
  const s = String(v);
  const show = (): string => (secret ? '(value not shown)' : JSON.stringify(s));
  if (/[\r\n]/.test(s)) throw bad(`${flag} contains a line break${/[\r\n]$/.test(s) ? ' at its end (copied from a file with its newline?)' : ''}; HTTP cannot carry it ${show()}`);
  if (/^\s|\s$/.test(s)) throw bad(`${flag} starts or ends with white space; remove it ${show()}`);
  if (!FIELD_VALUE.test(s)) throw bad(`${flag} holds a character HTTP headers refuse (a control character or non-ASCII) ${show()}`);
  return s;
}

export function parseBaseUrl(flag: string, v: Raw): string {
  const s = String(v).trim();
  if (s === '') throw bad(`${flag} is empty; give the API root of the target (leave the option and CONFORMANCE_BASE_URL unset to certify the bundled reference server)`);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw bad(`${flag} must be an http(s) URL (got "${s}")`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(`${flag} must be an http(s) URL (got "${s}")`);
  if (u.username || u.password) throw bad(`${flag} must not carry credentials; use --token`);
  return u.toString().replace(/\/+$/, '');
}

/** `Name: value` → [name, value], both validated as header parts. */
export function parseHeaderLine(flag: string, v: Raw): [string, string] {
  const s = String(v);
  const colon = s.indexOf(':');
  if (colon <= 0) throw bad(`${flag} takes "Name: value" (got ${JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s)})`);
  const name = parseHeaderName(flag, s.slice(0, colon).trim());
  if (/^(host|content-length|transfer-encoding|connection|upgrade)$/i.test(name)) throw bad(`${flag}: the kit sets ${name} itself; it cannot be given`);
  return [name, parseHeaderValue(`${flag} ${name}`, s.slice(colon + 1).trim(), true)];
}

/** A PEM file: readable, and holding what it should (checked before any request; the path is kept, not the text). */
function parsePemFile(flag: string, v: Raw, what: RegExp, named: string): string {
  const path = String(v);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw bad(`${flag}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!what.test(text)) throw bad(`${flag}: ${path} holds no PEM ${named}`);
  return path;
}

function parseHttpUrl(flag: string, v: Raw): string {
  const s = String(v).trim();
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw bad(`${flag} must be an http(s) URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(`${flag} must be an http(s) URL`);
  return s;
}

/** A selection names provider checks only: a client check is judged by `conformance proxy` or `judge`, never by a run. */
function refuseUnknownChecks(flag: string, names: string[]): void {
  const client = names.filter((c) => CLIENT_CHECK_BY_NAME.has(c));
  if (client.length > 0) throw bad(`${flag}: ${client.join(', ')} judge${client.length === 1 ? 's' : ''} a client, not a provider (conformance proxy, conformance judge)`);
  const unknown = names.filter((c) => !CHECK_BY_NAME.has(c));
  if (unknown.length > 0) throw bad(`${flag}: unknown check ${unknown.join(', ')} (see: conformance list-checks)`);
}

function list(v: Raw): string[] {
  const parts = Array.isArray(v) ? v.flatMap((x) => String(x).split(',')) : String(v).split(',');
  return parts.map((s) => s.trim()).filter(Boolean);
}

// ---------------------------------------------------------------- the run table

export const DEFAULTS = {
  profile: 'documented',
  allowWrites: false,
  allowExport: false,
  dryRun: false,
  requireComplete: false,
  fuzzRuns: 25,
  fuzzBudgetMs: 60_000,
  timeoutMs: 10_000,
  concurrency: 8,
  maxConcurrency: 64,
  maxOrders: 200,
  globalShard: 1,
  reportDir: 'reports',
  budget: 200_000,
  maxBodyBytes: 32 * 1024 * 1024,
  authHeader: 'Authorization',
  authScheme: 'Bearer',
  waitMs: 60_000,
  maxRunS: 3600,
  recordBodyCap: 1024 * 1024,
} as const;

type RunKey = keyof RunOptions;
type Def = OptionDef<RunKey> & { parse: (v: Raw, flag: string) => unknown };

const str =
  (_flag: string) =>
  (v: Raw): string =>
    String(v);
const opt = <K extends RunKey>(key: K, flag: string, env: string, shown: string, description: string, parse: Def['parse'], extra: Partial<Def> = {}): Def => ({ key, flag, env, shown, description, parse, ...extra });

/** Every option of `conformance run`, in the order of the help and the README. */
export const RUN_OPTIONS: readonly Def[] = [
  opt('baseUrl', '--base-url <url>', 'CONFORMANCE_BASE_URL', 'bundled server', 'API root of the target (unset: the bundled reference server; empty is an error)', (v, f) => parseBaseUrl(f, v)),
  opt('token', '--token <t>', 'CONFORMANCE_TOKEN', '', 'credential of the user under test', (v, f) => parseHeaderValue(f, v, true), { secret: true }),
  opt('tokenOtherUser', '--token-other-user <t>', 'CONFORMANCE_TOKEN_OTHER_USER', '', 'a colleague (same customer): rate-limit scope', (v, f) => parseHeaderValue(f, v, true), { secret: true }),
  opt('tokenOtherTenant', '--token-other-tenant <t>', 'CONFORMANCE_TOKEN_OTHER_TENANT', '', 'another customer: isolation', (v, f) => parseHeaderValue(f, v, true), { secret: true }),
  opt('profile', '--profile <p>', 'CONFORMANCE_PROFILE', 'documented', '`documented` or `strict`', (v, f) => {
    const p = String(v);
    if (p !== 'documented' && p !== 'strict') throw bad(`${f} must be documented or strict (got "${p}")`);
    return p;
  }),
  opt('allowWrites', '--allow-writes', 'CONFORMANCE_ALLOW_WRITES', 'off', 'create a product order and write only to the orders the run created or that --disposable-order names', (v, f) => parseBool(f, v)),
  opt('allowExport', '--allow-export', 'CONFORMANCE_ALLOW_EXPORT', 'off', 'run the export (one per user per 5 minutes)', (v, f) => parseBool(f, v)),
  opt(
    'disposableOrders',
    '--disposable-order <ref>',
    'CONFORMANCE_DISPOSABLE_ORDERS',
    '',
    'an existing order the run may terminate and probe (repeatable; the variable is comma-separated)',
    (v, f) =>
      list(v).map((r) => {
        if (/[\x00-\x1f\x7f]/.test(r)) throw bad(`${f} holds a control character`);
        return r;
      }),
    { repeatable: true },
  ),
  opt('productOrderBody', '--product-order-body <file>', 'CONFORMANCE_PRODUCT_ORDER_BODY', '', "JSON body of the run's product order (default: the offering and options of an existing order)", (v, f) => parseJsonObjectFile(f, v)),
  opt('terminateBody', '--terminate-body <file>', 'CONFORMANCE_TERMINATE_BODY', '', "JSON body of the run's terminations, sent as it is: a listed reason under the field the target names (default: the kit's guess, `reason` and `message`; a 400 or 422 to the guess is a skip)", (v, f) => parseJsonObjectFile(f, v)),
  opt('dryRun', '--dry-run', 'CONFORMANCE_DRY_RUN', 'off', 'perform the reads; send no write and no export, list every one it would have sent', (v, f) => parseBool(f, v)),
  opt('requireComplete', '--require-complete', 'CONFORMANCE_REQUIRE_COMPLETE', 'off', 'a partial PASS (an error-severity check not run) exits 1', (v, f) => parseBool(f, v)),
  opt('seed', '--seed <n>', 'CONFORMANCE_SEED', 'random, printed', "replays sampling, fuzzing and the bundled server's data", (v, f) => parseWhole(f, v, 0, 2 ** 31 - 1)),
  opt('fuzzRuns', '--fuzz-runs <n>', 'CONFORMANCE_FUZZ_RUNS', String(DEFAULTS.fuzzRuns), 'cases per fuzz property (0: off)', (v, f) => parseWhole(f, v, 0, 100_000)),
  opt('fuzzBudgetMs', '--fuzz-budget-ms <ms>', 'CONFORMANCE_FUZZ_BUDGET_MS', String(DEFAULTS.fuzzBudgetMs), 'wall-clock budget of the fuzz phase', (v, f) => parseWhole(f, v, 100, 3_600_000)),
  opt('timeoutMs', '--timeout-ms <ms>', 'CONFORMANCE_TIMEOUT_MS', String(DEFAULTS.timeoutMs), 'deadline of one exchange, headers and body', (v, f) => parseWhole(f, v, 50, 600_000)),
  opt(
    'concurrency',
    '--concurrency <n|auto>',
    'CONFORMANCE_CONCURRENCY',
    String(DEFAULTS.concurrency),
    'requests in flight (1 to 256), or `auto`: from 4, one more while latency holds, halved on a 429, a 503, a timeout or latency past twice its baseline, within --max-concurrency; the report says what it settled on',
    parseConcurrency,
  ),
  opt('maxConcurrency', '--max-concurrency <n>', 'CONFORMANCE_MAX_CONCURRENCY', String(DEFAULTS.maxConcurrency), 'the most requests in flight with `--concurrency auto`', (v, f) => parseWhole(f, v, 1, 256)),
  opt('maxOrders', '--max-orders <n>', 'CONFORMANCE_MAX_ORDERS', String(DEFAULTS.maxOrders), 'orders examined in detail (every state covered first); `all` or `0`: every order', (v, f) => (String(v).trim().toLowerCase() === 'all' ? 0 : parseWhole(f, v, 0, 10_000_000))),
  opt('shard', '--shard <k/n>', 'CONFORMANCE_SHARD', '', 'examine only the orders of shard K of N (a hash of the reference; 1 ≤ K ≤ N ≤ 1024); the checks that act on the target as a whole run in shard --global-shard only; records `<report-dir>/cassette.jsonl` for `conformance merge`', (v, f) => parseShard(f, v)),
  opt('globalShard', '--global-shard <g>', 'CONFORMANCE_GLOBAL_SHARD', String(DEFAULTS.globalShard), 'with --shard: the shard that runs reference data, credentials, probes, the export, the writes and fuzzing', (v, f) => parseWhole(f, v, 1, MAX_SHARDS)),
  opt('reportDir', '--report-dir <dir>', 'CONFORMANCE_REPORT_DIR', DEFAULTS.reportDir, 'where reports go (checked before any request; replaced as a whole)', (v, f) => {
    const s = String(v);
    if (s.trim() === '') throw bad(`${f} is empty`);
    if (/[\x00]/.test(s)) throw bad(`${f} holds a NUL character`);
    return s;
  }),
  opt('checks', '--checks <a,b>', 'CONFORMANCE_CHECKS', 'all', 'only these checks', (v, f) => {
    const names = list(v);
    refuseUnknownChecks(f, names);
    return names.length > 0 ? names : undefined;
  }),
  opt('excludeChecks', '--exclude-checks <a,b>', 'CONFORMANCE_EXCLUDE_CHECKS', '', 'every check but these (with --checks: those less these)', (v, f) => {
    const names = list(v);
    refuseUnknownChecks(f, names);
    return names;
  }),
  opt('areas', '--area <a,b>', 'CONFORMANCE_AREA', 'all', "only the checks of these areas (their requirements' `area` in openapi.yaml: access, orders, lifecycle, documents, requests, writes, export, robustness); with --checks, those of them in these areas", (v) => {
    const names = list(v);
    return names.length > 0 ? names : undefined;
  }),
  opt('budget', '--budget <n>', 'CONFORMANCE_BUDGET', String(DEFAULTS.budget), 'most requests a run may make', (v, f) => parseWhole(f, v, 10, 100_000_000)),
  opt('maxBodyBytes', '--max-body-bytes <n>', 'CONFORMANCE_MAX_BODY_BYTES', '32 MiB', 'largest response accepted', (v, f) => parseWhole(f, v, 1024, 2 ** 31 - 1)),
  opt('waitMs', '--wait-ms <ms>', 'CONFORMANCE_WAIT_MS', String(DEFAULTS.waitMs), 'longest wait for an export or a lifecycle move', (v, f) => parseWhole(f, v, 100, 3_600_000)),
  opt('maxRunS', '--max-run-s <s>', 'CONFORMANCE_MAX_RUN_S', String(DEFAULTS.maxRunS), "the whole run's time limit (0: none): past it no request is sent and the run is INCOMPLETE (`CONF_ERR_RUN_TIME_LIMIT`); a `Retry-After` is waited out only within it and within 10 s (`CONF_ERR_RETRY_AFTER_LIMIT`)", (v, f) =>
    parseWhole(f, v, 0, 7 * 86_400),
  ),
  opt('authHeader', '--auth-header <h>', 'CONFORMANCE_AUTH_HEADER', DEFAULTS.authHeader, 'header carrying the credential', (v, f) => parseHeaderName(f, v)),
  opt('authScheme', '--auth-scheme <s>', 'CONFORMANCE_AUTH_SCHEME', DEFAULTS.authScheme, 'prefix before the token (`""` for none)', (v, f) => {
    const s = String(v);
    if (s !== '' && !TOKEN.test(s)) throw bad(`${f} must be a single word such as Bearer or Token, or "" for none (got ${JSON.stringify(s)})`);
    return s;
  }),
  opt('specPath', '--spec <path>', 'CONFORMANCE_SPEC', 'openapi.yaml', 'the contract', str('--spec')),
  opt(
    'headers',
    '--header <name:value>',
    'CONFORMANCE_HEADERS',
    '',
    'a header sent with every request (repeatable; the variable holds one per line); redacted when its name suggests a secret (authorization, cookie, token, key, secret, password) or --secret-header names it',
    (v, f) => {
      const lines = Array.isArray(v)
        ? v.map(String)
        : String(v)
            .split(/\r?\n/)
            .filter((l) => l.trim() !== '');
      const out: Record<string, string> = {};
      for (const l of lines) {
        const [name, value] = parseHeaderLine(f, l);
        out[name] = value;
      }
      return out;
    },
    { repeatable: true },
  ),
  opt('secretHeaders', '--secret-header <name>', 'CONFORMANCE_SECRET_HEADERS', '', 'a header whose value is redacted in every report (repeatable; the variable is comma-separated)', (v, f) => list(v).map((n) => parseHeaderName(f, n)), { repeatable: true }),
  opt('proxy', '--proxy <url>', 'CONFORMANCE_PROXY', '', 'forward proxy for every request (default: HTTPS_PROXY / HTTP_PROXY, either case; NO_PROXY applies to both)', (v, f) => parseHttpUrl(f, v)),
  opt('ca', '--ca <file>', 'CONFORMANCE_CA', '', "PEM certificate(s) of the authority that signed the target's certificate (trusted besides the system's)", (v, f) => parsePemFile(f, v, /-----BEGIN CERTIFICATE-----/, 'certificate')),
  opt('cert', '--cert <file>', 'CONFORMANCE_CERT', '', 'PEM client certificate (mutual TLS; with --key)', (v, f) => parsePemFile(f, v, /-----BEGIN CERTIFICATE-----/, 'certificate')),
  opt('key', '--key <file>', 'CONFORMANCE_KEY', '', 'PEM key of --cert (its passphrase only from `CONFORMANCE_KEY_PASSPHRASE`)', (v, f) => parsePemFile(f, v, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key')),
  opt('insecure', '--insecure', 'CONFORMANCE_INSECURE', 'off', "do not check the target's certificate (every report and the console say so)", (v, f) => parseBool(f, v)),
  opt('tokenCommand', '--token-command <cmd>', 'CONFORMANCE_TOKEN_COMMAND', '', 'a shell command whose standard output is the main token (or JSON with `access_token`/`token` and `expires_in`); re-run on a 401 and before the expiry', parseCommand),
  opt('tokenCommandOtherUser', '--token-command-other-user <cmd>', 'CONFORMANCE_TOKEN_COMMAND_OTHER_USER', '', "the same for the colleague's token", parseCommand),
  opt('tokenCommandOtherTenant', '--token-command-other-tenant <cmd>', 'CONFORMANCE_TOKEN_COMMAND_OTHER_TENANT', '', "the same for the other customer's token", parseCommand),
  opt('oauthTokenUrl', '--oauth-token-url <url>', 'CONFORMANCE_OAUTH_TOKEN_URL', '', 'OAuth2 token endpoint (client credentials) for the main token, refreshed before it expires', (v, f) => parseHttpUrl(f, v)),
  opt('oauthClientId', '--oauth-client-id <id>', 'CONFORMANCE_OAUTH_CLIENT_ID', '', 'OAuth2 client id (the secret only from `CONFORMANCE_OAUTH_CLIENT_SECRET`)', (v, f) => parseHeaderValue(f, v, false)),
  opt(
    'config',
    '--config <file>',
    'CONFORMANCE_CONFIG',
    'conformance.config.json',
    'options from a JSON file, or YAML when it ends in .yaml/.yml, keyed as `conformance init` writes them (flags > variables > file > defaults; an unknown key is an error); without it ./conformance.config.json, .yaml or .yml',
    str('--config'),
  ),
  opt('oauthScope', '--oauth-scope <scope>', 'CONFORMANCE_OAUTH_SCOPE', '', 'OAuth2 scope to ask for', (v, f) => parseHeaderValue(f, v, false)),
  opt('oauthClientIdOtherUser', '--oauth-client-id-other-user <id>', 'CONFORMANCE_OAUTH_CLIENT_ID_OTHER_USER', '', "the colleague's OAuth2 client (same token URL and scope; secret from `CONFORMANCE_OAUTH_CLIENT_SECRET_OTHER_USER`)", (v, f) => parseHeaderValue(f, v, false)),
  opt('oauthClientIdOtherTenant', '--oauth-client-id-other-tenant <id>', 'CONFORMANCE_OAUTH_CLIENT_ID_OTHER_TENANT', '', "the other customer's OAuth2 client (secret from `CONFORMANCE_OAUTH_CLIENT_SECRET_OTHER_TENANT`)", (v, f) => parseHeaderValue(f, v, false)),
  opt('record', '--record <file>', 'CONFORMANCE_RECORD', '', 'write every exchange of the run to FILE as a cassette (JSON Lines, credentials redacted; docs/cassette.md), for `conformance judge FILE`', (v, f) => {
    const s = String(v);
    if (/[\x00]/.test(s)) throw bad(`${f} holds a NUL character`);
    return s;
  }),
  opt('recordBodyCap', '--record-body-cap <n>', 'CONFORMANCE_RECORD_BODY_CAP', '1 MiB', 'characters of a body a cassette keeps; beyond them its size and sha256 (judge needs whole bodies of what it reads whole)', (v, f) => parseWhole(f, v, 1024, 2 ** 31 - 1)),
];

/** Secrets read only from the environment, never from a flag (a flag shows in `ps` and shell history). */
export const ENV_ONLY: readonly { key: 'keyPassphrase' | 'oauthClientSecret' | 'oauthClientSecretOtherUser' | 'oauthClientSecretOtherTenant'; env: string; description: string }[] = [
  { key: 'keyPassphrase', env: 'CONFORMANCE_KEY_PASSPHRASE', description: 'passphrase of the --key file' },
  { key: 'oauthClientSecret', env: 'CONFORMANCE_OAUTH_CLIENT_SECRET', description: 'OAuth2 client secret' },
  { key: 'oauthClientSecretOtherUser', env: 'CONFORMANCE_OAUTH_CLIENT_SECRET_OTHER_USER', description: "the colleague's OAuth2 client secret" },
  { key: 'oauthClientSecretOtherTenant', env: 'CONFORMANCE_OAUTH_CLIENT_SECRET_OTHER_TENANT', description: "the other customer's OAuth2 client secret" },
];

/** `K/N` → { k, n }: 1 ≤ K ≤ N ≤ MAX_SHARDS. */
export function parseShard(flag: string, v: Raw): Shard {
  const s = String(v).trim();
  const m = /^(\d+)\s*\/\s*(\d+)$/.exec(s);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || k < 1 || n > MAX_SHARDS || k > n) throw bad(`${flag} takes K/N with 1 ≤ K ≤ N ≤ ${MAX_SHARDS}, e.g. 2/4 (got "${s}")`);
  return { k, n };
}

function parseConcurrency(v: Raw, f: string): number | 'auto' {
  if (String(v).trim() === 'auto') return 'auto';
  try {
    return parseWhole(f, v, 1, 256);
  } catch {
    throw bad(`${f} must be a whole number from 1 to 256, or auto (got "${String(v)}")`);
  }
}

/** The most requests a run has in flight: --concurrency, or --max-concurrency with `auto` (the harness then holds fewer while the target asks it to). */
export function mostInFlight(o: Pick<RunOptions, 'concurrency' | 'maxConcurrency'>): number {
  return o.concurrency === 'auto' ? o.maxConcurrency : o.concurrency;
}

function parseCommand(v: Raw, f: string): string {
  const s = String(v);
  if (s.trim() === '') throw bad(`${f} is empty`);
  return s;
}

/** The proxy variables, lower case first (curl's and undici's order). */
export function proxyFromEnv(env: NodeJS.ProcessEnv): RunOptions['proxyEnv'] {
  const pick = (n: string): string | undefined => {
    const v = env[n.toLowerCase()] ?? env[n];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const out: RunOptions['proxyEnv'] = {};
  const http = pick('HTTP_PROXY');
  const https = pick('HTTPS_PROXY');
  const noProxy = pick('NO_PROXY');
  if (http) out.http = http;
  if (https) out.https = https;
  if (noProxy) out.noProxy = noProxy;
  return out;
}

/** The README's row of an option (`test/run/options-table.test.ts` compares the README with these). */
export function readmeRow(d: OptionDef): string {
  const shown = d.shown === '' ? '' : /^[\w.-]+$/.test(d.shown) ? `\`${d.shown}\`` : d.shown;
  return `| \`${d.flag}\` | \`${d.env}\` | ${shown} | ${d.description} |`;
}

/** The flag name of a table entry (`--base-url`). */
export const flagName = (d: OptionDef): string => d.flag.split(/[ <[]/)[0] as string;
export const isBoolean = (d: OptionDef): boolean => !d.flag.includes('<');

/**
 * Raw option values, keyed by option key (strings from flags or the
 * environment, or typed values from a program) → validated options. A key that
 * is absent (undefined) takes its default; `baseUrl` absent means the bundled
 * server, and an empty `baseUrl` is an error.
 */
export function resolveOptions(raw: Partial<Record<RunKey, Raw>> & Record<string, unknown>): RunOptions {
  const out: Record<string, unknown> = {
    ...DEFAULTS,
    disposableOrders: [],
    excludeChecks: [],
    areas: undefined,
    baseUrl: undefined,
    token: undefined,
    tokenOtherUser: undefined,
    tokenOtherTenant: undefined,
    checks: undefined,
    specPath: undefined,
    productOrderBody: undefined,
    terminateBody: undefined,
    headers: {},
    secretHeaders: [],
    proxy: undefined,
    proxyEnv: {},
    ca: undefined,
    cert: undefined,
    key: undefined,
    keyPassphrase: undefined,
    insecure: false,
    tokenCommand: undefined,
    oauthTokenUrl: undefined,
    oauthClientId: undefined,
    oauthClientSecret: undefined,
    oauthScope: undefined,
    tokenCommandOtherUser: undefined,
    tokenCommandOtherTenant: undefined,
    oauthClientIdOtherUser: undefined,
    oauthClientIdOtherTenant: undefined,
    oauthClientSecretOtherUser: undefined,
    oauthClientSecretOtherTenant: undefined,
    config: undefined,
    record: undefined,
    shard: undefined,
  };
  for (const e of ENV_ONLY) if (typeof raw[e.key] === 'string' && raw[e.key] !== '') out[e.key] = raw[e.key];
  if (raw.proxyEnv !== null && typeof raw.proxyEnv === 'object') out.proxyEnv = raw.proxyEnv;
  for (const d of RUN_OPTIONS) {
    const v = raw[d.key];
    if (v === undefined) continue;
    // an empty credential or spec path means "none"; an empty base URL is an error (parseBaseUrl)
    if (
      v === '' &&
      (d.secret ||
        [
          'specPath',
          'seed',
          'checks',
          'excludeChecks',
          'areas',
          'productOrderBody',
          'terminateBody',
          'proxy',
          'ca',
          'cert',
          'key',
          'tokenCommand',
          'oauthTokenUrl',
          'oauthClientId',
          'oauthScope',
          'headers',
          'secretHeaders',
          'config',
          'tokenCommandOtherUser',
          'tokenCommandOtherTenant',
          'oauthClientIdOtherUser',
          'oauthClientIdOtherTenant',
          'record',
          'shard',
        ].includes(d.key))
    )
      continue;
    // a program may hand a body itself rather than a file name, and a shard as { k, n } (the merged judge's k is 'all')
    if (d.key === 'shard' && typeof v === 'object' && v !== null) {
      const sh = v as Partial<Shard>;
      out.shard = sh.k === 'all' && Number.isInteger(sh.n) && (sh.n as number) >= 1 && (sh.n as number) <= MAX_SHARDS ? { k: 'all', n: sh.n } : parseShard(flagName(d), `${String(sh.k)}/${String(sh.n)}`);
      continue;
    }
    if ((d.key === 'productOrderBody' || d.key === 'terminateBody') && typeof v === 'object' && v !== null) {
      out[d.key] = v;
      continue;
    }
    out[d.key] = d.parse(v, flagName(d));
  }
  const shard = out.shard as Shard | undefined;
  // the shards of one set make one selection and one fuzzing: a seed drawn by each would make them runs of different seeds
  if (!shard && out.globalShard !== 1) throw bad(`--global-shard ${String(out.globalShard)} needs --shard K/N (without it the one run is its own global shard)`);
  if (shard && out.seed === undefined) throw bad('--shard needs --seed: give every shard of the set the same one (the merge refuses shards of different seeds)');
  if (out.seed === undefined) out.seed = Math.floor(Math.random() * 2 ** 31);
  if (shard) {
    if ((out.globalShard as number) > shard.n) throw bad(`--global-shard ${String(out.globalShard)} names no shard of ${shard.n} (expected 1 to ${shard.n})`);
    // each shard leaves its traffic for `conformance merge`: --record defaults to the report directory's cassette
    if (out.record === undefined) out.record = `${String(out.reportDir).replace(/\/+$/, '')}/cassette.jsonl`;
  }
  // the selection is one list: --checks (or every check), within --area, less --exclude-checks
  const areas = out.areas as string[] | undefined;
  if (areas !== undefined) {
    const spec = loadSpec((out.specPath as string | undefined) ?? DEFAULT_SPEC_PATH);
    const areaOf = (c: string) => spec.requirements.get(CHECK_BY_NAME.get(c)?.requirement ?? '')?.area;
    const known = [...new Set(CHECK_NAMES.map(areaOf))].filter((a): a is string => a !== undefined).sort();
    const unknown = areas.filter((a) => !known.includes(a));
    if (unknown.length > 0) throw bad(`--area: unknown area ${unknown.join(', ')} (the areas: ${known.join(', ')})`);
    out.checks = ((out.checks as string[] | undefined) ?? CHECK_NAMES).filter((c) => areas.includes(areaOf(c) ?? ''));
  }
  const excluded = out.excludeChecks as string[];
  if (excluded.length > 0) out.checks = ((out.checks as string[] | undefined) ?? CHECK_NAMES).filter((c) => !excluded.includes(c));
  if ((out.cert === undefined) !== (out.key === undefined)) throw bad(out.cert ? "--cert needs --key (the certificate's private key)" : '--key needs --cert');
  const oauth = [out.oauthClientId, out.oauthClientSecret];
  if ((oauth.some((x) => x !== undefined) && (oauth.some((x) => x === undefined) || out.oauthTokenUrl === undefined)) || (out.oauthTokenUrl !== undefined && ![out.oauthClientId, out.oauthClientIdOtherUser, out.oauthClientIdOtherTenant].some((x) => x !== undefined))) {
    throw bad('OAuth2 client credentials need --oauth-token-url, --oauth-client-id and the secret in CONFORMANCE_OAUTH_CLIENT_SECRET (never a flag)');
  }
  const sources = [out.token !== undefined && '--token', out.tokenCommand !== undefined && '--token-command', out.oauthClientId !== undefined && 'OAuth2'].filter(Boolean);
  if (sources.length > 1) throw bad(`the main credential comes from one place; got ${sources.join(' and ')}`);
  for (const [who, token, cmd, id, secret] of [
    ['OTHER_USER', out.tokenOtherUser, out.tokenCommandOtherUser, out.oauthClientIdOtherUser, out.oauthClientSecretOtherUser],
    ['OTHER_TENANT', out.tokenOtherTenant, out.tokenCommandOtherTenant, out.oauthClientIdOtherTenant, out.oauthClientSecretOtherTenant],
  ] as const) {
    const flag = who.toLowerCase().replace('_', '-');
    if ((id === undefined) !== (secret === undefined)) throw bad(`--oauth-client-id-${flag} needs CONFORMANCE_OAUTH_CLIENT_SECRET_${who}, and the secret its client id`);
    if (id !== undefined && out.oauthTokenUrl === undefined) throw bad(`--oauth-client-id-${flag} needs --oauth-token-url`);
    const given = [token !== undefined && `--token-${flag}`, cmd !== undefined && `--token-command-${flag}`, id !== undefined && 'OAuth2'].filter(Boolean);
    if (given.length > 1) throw bad(`the ${flag} credential comes from one place; got ${given.join(' and ')}`);
  }
  return out as unknown as RunOptions;
}

/** Raw values from the environment, by the table's variable names (for `npm run suites` and the CLI). */
export function rawFromEnv(env: NodeJS.ProcessEnv, table: readonly OptionDef[] = RUN_OPTIONS): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  if (table === RUN_OPTIONS) raw.proxyEnv = proxyFromEnv(env);
  for (const d of table) {
    const v = env[d.env];
    if (v !== undefined) raw[d.key] = v;
  }
  if (table === RUN_OPTIONS) for (const e of ENV_ONLY) if (env[e.env] !== undefined) raw[e.key] = env[e.env] as string;
  return raw;
}

/** Options from the environment alone (the vitest suites). */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): RunOptions {
  return resolveOptions(rawFromEnv(env));
}

/** Flags win over variables: `cli` holds only what was given on the command line. */
export function mergeSources(cli: Record<string, unknown>, env: NodeJS.ProcessEnv, table: readonly OptionDef[]): Record<string, unknown> {
  const merged: Record<string, unknown> = rawFromEnv(env, table);
  for (const [k, v] of Object.entries(cliByKey(cli, table))) if (v !== undefined) merged[k] = v;
  return merged;
}

/** commander's attribute name of a flag (`--disposable-order` → `disposableOrder`). */
export const attributeOf = (d: OptionDef): string =>
  flagName(d)
    .slice(2)
    .replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * Parsed flags keyed by the table's keys: commander names a value after its
 * flag (`--spec` → `spec`, `--disposable-order` → `disposableOrder`), the
 * table after the option (`specPath`, `disposableOrders`).
 */
export function cliByKey(cli: Record<string, unknown>, table: readonly OptionDef[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cli };
  for (const d of table) {
    const attr = attributeOf(d);
    if (attr !== d.key && cli[attr] !== undefined) {
      out[d.key] = cli[attr];
      delete out[attr];
    }
  }
  return out;
}

// ---------------------------------------------------------------- the config file

export const CONFIG_FILE = 'conformance.config.json';
/** The files looked for in the current folder when neither --config nor CONFORMANCE_CONFIG names one (at most one may exist). */
export const CONFIG_FILES = [CONFIG_FILE, 'conformance.config.yaml', 'conformance.config.yml'] as const;
/** Options whose value is a path: in a config file, relative to the file's own folder. */
const PATH_KEYS = new Set(['ca', 'cert', 'key', 'productOrderBody', 'terminateBody', 'specPath', 'reportDir']);

const isYaml = (file: string): boolean => /\.ya?ml$/i.test(file);

/** A config file's text → its data: YAML (CORE schema: no dates, no custom tags) for .yaml/.yml, JSON otherwise. */
function parseConfig(file: string, text: string): unknown {
  if (!isYaml(file)) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw bad(`${file} is not JSON (${(e as Error).message}); comments go in "$comment" keys`);
    }
  }
  try {
    return loadYaml(text, { schema: CORE_SCHEMA, filename: file });
  } catch (e) {
    throw bad(`${file} is not YAML (${((e as Error).message.split('\n')[0] ?? '').trim()})`);
  }
}

/**
 * Raw option values from a config file: `path` (from --config or
 * CONFORMANCE_CONFIG) must exist; otherwise ./conformance.config.json (or
 * .yaml, .yml: two of them is an error) is read when present. JSON, or YAML
 * for a .yaml/.yml file, with the table's keys (`baseUrl`, `allowWrites`,
 * ...); keys starting with `$` are comments (and `#` lines in YAML); an
 * unknown key, or a credential (a file gets committed), is
 * CONF_ERR_BAD_OPTION. Typed values are taken as they are (true, 8,
 * ["A","B"]); `headers` may be an object.
 */
export function rawFromConfig(path: string | undefined, cwd = process.cwd()): Record<string, unknown> {
  let file: string;
  if (path !== undefined) file = resolvePath(cwd, path);
  else {
    const present = CONFIG_FILES.map((f) => resolvePath(cwd, f)).filter((f) => existsSync(f));
    if (present.length === 0) return {};
    if (present.length > 1) throw bad(`${present.join(' and ')} both exist: keep one, or name it with --config`);
    file = present[0]!;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw bad(`--config: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const data = parseConfig(file, text);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw bad(`${file} must hold ${isYaml(file) ? 'a YAML mapping' : 'a JSON object'} of options`);
  const byKey = new Map(RUN_OPTIONS.map((d) => [d.key as string, d]));
  const out: Record<string, unknown> = { config: file };
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (k.startsWith('$')) continue;
    const d = byKey.get(k);
    if (!d || k === 'config') {
      const flat = k.toLowerCase().replace(/[-_]/g, '');
      const near = RUN_OPTIONS.find((x) => flagName(x).slice(2) === k || x.key.toLowerCase() === flat) ?? RUN_OPTIONS.find((x) => flat.length >= 4 && (x.key.toLowerCase().startsWith(flat) || flat.startsWith(x.key.toLowerCase())));
      throw bad(`${file}: unknown key "${k}"${near ? ` (did you mean "${near.key}"?)` : ''}; the keys are those of the options table (conformance init writes them all)`);
    }
    if (d.secret || ENV_ONLY.some((e) => e.key === k)) throw bad(`${file}: "${k}" is a credential, and a config file gets committed; give it with ${flagName(d)} or ${d.env} (or --token-command)`);
    if (v === null) continue;
    let value = v;
    if (k === 'headers' && typeof v === 'object' && !Array.isArray(v)) value = Object.entries(v as Record<string, unknown>).map(([n, x]) => `${n}: ${String(x)}`);
    if (PATH_KEYS.has(k) && typeof v === 'string' && v !== '' && !isAbsolute(v)) value = resolvePath(dirname(file), v);
    out[k] = value;
  }
  return out;
}

/** Every source of `conformance run`'s options, merged: flags > variables > the config file (--config, CONFORMANCE_CONFIG or ./conformance.config.json, .yaml, .yml) > defaults. */
export function runSources(cli: Record<string, unknown>, env: NodeJS.ProcessEnv, cwd = process.cwd()): Record<string, unknown> {
  const raw = mergeSources(cli, env, RUN_OPTIONS);
  return { ...rawFromConfig(raw.config === undefined || raw.config === '' ? undefined : String(raw.config), cwd), ...raw };
}

const INIT_NOTES = [
  'Options of `conformance run` (README: "The command line"). Keys are the options table\'s; keys starting with $ are comments.',
  'Precedence: flags > CONFORMANCE_* variables > this file > defaults. An unknown key is an error (exit 2).',
  'Credentials never go here: --token or CONFORMANCE_TOKEN (and _OTHER_USER, _OTHER_TENANT), --token-command, CONFORMANCE_OAUTH_CLIENT_SECRET, CONFORMANCE_KEY_PASSPHRASE.',
  'Relative paths (ca, cert, key, productOrderBody, terminateBody, specPath, reportDir) are relative to this file.',
];

/**
 * The starting file `conformance init` writes: every option that may live in
 * a file, its default, and a comment beside it (a `$key` in JSON; a `#` line
 * in YAML, where an option without a default is left commented out).
 */
export function initialConfig(format: 'json' | 'yaml' = 'json'): string {
  const defaults = DEFAULTS as Record<string, unknown>;
  const options = RUN_OPTIONS.filter((d) => !d.secret && d.key !== 'config');
  const about = (d: Def): string => `${d.description} (${flagName(d)}, ${d.env}${d.shown ? `; default ${d.shown}` : ''})`;
  if (format === 'yaml') {
    const lines = INIT_NOTES.map((n) => `# ${n.replace('keys starting with $ are comments', 'lines starting with # are comments')}`);
    for (const d of options) {
      lines.push('', `# ${about(d)}`);
      lines.push(d.key in defaults ? dumpYaml({ [d.key]: defaults[d.key] }, { schema: CORE_SCHEMA }).trimEnd() : `# ${d.key}:`);
    }
    return `${lines.join('\n')}\n`;
  }
  const doc: Record<string, unknown> = { $comment: INIT_NOTES };
  for (const d of options) {
    doc[`$${d.key}`] = about(d);
    if (d.key in defaults) doc[d.key] = defaults[d.key];
  }
  return `${JSON.stringify(doc, null, 2)}\n`;
}

// ---------------------------------------------------------------- the mock table

export interface MockCommandOptions {
  port: number;
  host: string;
  seed: number;
  orders: number;
  exportWindowS: number;
  stepMs: number;
  exportMs: number;
  providerStates: boolean;
  /** provider variants, comma-separated (mock/variants.ts checks the names) */
  variants: string;
}

type MockDef = OptionDef<keyof MockCommandOptions> & { parse: (v: Raw, flag: string) => unknown; def: unknown };
const mopt = <K extends keyof MockCommandOptions>(key: K, flag: string, env: string, def: MockCommandOptions[K], description: string, parse: MockDef['parse']): MockDef => ({ key, flag, env, shown: String(def), description, parse, def });

/** Every option of `conformance mock` (and of `npx tsx mock/main.ts`). */
export const MOCK_OPTIONS: readonly MockDef[] = [
  mopt('port', '--port <n>', 'CONFORMANCE_MOCK_PORT', 8080, 'port (0 picks a free one)', (v, f) => parseWhole(f, v, 0, 65535)),
  mopt('host', '--host <host>', 'CONFORMANCE_MOCK_HOST', '127.0.0.1', 'interface to listen on', (v, f) => {
    const s = String(v).trim();
    if (s === '') throw bad(`${f} is empty`);
    return s;
  }),
  mopt('seed', '--seed <n>', 'CONFORMANCE_MOCK_SEED', M.seed.def, 'data seed', (v, f) => parseWhole(f, v, M.seed.min, M.seed.max)),
  mopt('orders', '--orders <n>', 'CONFORMANCE_MOCK_ORDERS', M.orders.def, 'number of orders', (v, f) => parseWhole(f, v, M.orders.min, M.orders.max)),
  mopt('exportWindowS', '--export-window-s <s>', 'CONFORMANCE_MOCK_EXPORT_WINDOW_S', M.exportWindowS.def, 'export rate-limit window per user', (v, f) => parseWhole(f, v, M.exportWindowS.min, M.exportWindowS.max)),
  mopt('stepMs', '--step-ms <ms>', 'CONFORMANCE_MOCK_STEP_MS', M.stepMs.def, 'duration of one lifecycle step for moving orders', (v, f) => parseWhole(f, v, M.stepMs.min, M.stepMs.max)),
  mopt('exportMs', '--export-ms <ms>', 'CONFORMANCE_MOCK_EXPORT_MS', M.exportMs.def, 'how long an export task takes', (v, f) => parseWhole(f, v, M.exportMs.min, M.exportMs.max)),
  mopt('providerStates', '--provider-states', 'CONFORMANCE_MOCK_PROVIDER_STATES', false, 'serve POST /_pact/provider-states (Pact provider verification)', (v, f) => parseBool(f, v)),
  mopt('variants', '--variant <names>', 'CONFORMANCE_MOCK_VARIANT', '', 'provider variants, comma-separated (see the README: bare-list, html-404, action-204, token-auth, ...)', (v) => String(v)),
];

/** Raw mock option values (flags merged over variables) → validated options. */
export function resolveMockOptions(raw: Record<string, unknown>): MockCommandOptions {
  const out: Record<string, unknown> = {};
  for (const d of MOCK_OPTIONS) out[d.key] = raw[d.key] === undefined ? d.def : d.parse(raw[d.key], flagName(d));
  return out as unknown as MockCommandOptions;
}

/** Every check name, for help texts. */
export const CHECK_NAMES = CHECKS.map((c) => c.name);

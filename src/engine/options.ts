/**
 * The options of `conformance run`, their defaults and their validation.
 * Every option can also come from `CONFORMANCE_<NAME>` (see src/cli.ts).
 */
import { CHECK_BY_NAME } from '../checks/catalog.ts';
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
  seed: number;
  fuzzRuns: number;
  /** wall-clock budget of the fuzz phase */
  fuzzBudgetMs: number;
  timeoutMs: number;
  concurrency: number;
  maxOrders: number;
  reportDir: string;
  /** only these checks (names from the catalogue); undefined means all */
  checks: string[] | undefined;
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
}

export const DEFAULTS = {
  profile: 'documented',
  allowWrites: false,
  allowExport: false,
  fuzzRuns: 25,
  fuzzBudgetMs: 60_000,
  timeoutMs: 10_000,
  concurrency: 8,
  maxOrders: 200,
  reportDir: 'reports',
  budget: 200_000,
  maxBodyBytes: 32 * 1024 * 1024,
  authHeader: 'Authorization',
  authScheme: 'Bearer',
  waitMs: 60_000,
  maxRunS: 3600,
} as const;

function int(name: string, v: unknown, min: number, max: number): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConformanceError('CONF_ERR_BAD_OPTION', `--${name} must be a whole number from ${min} to ${max} (got "${String(v)}")`);
  }
  return n;
}

function bool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  return ['1', 'true', 'yes', 'on'].includes(String(v).toLowerCase());
}

/** Raw option values (strings from flags or the environment) → validated options. */
export function resolveOptions(raw: Record<string, unknown>): RunOptions {
  let baseUrl: string | undefined;
  if (raw.baseUrl !== undefined && raw.baseUrl !== '') {
    try {
      const u = new URL(String(raw.baseUrl));
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      if (u.username || u.password) {
        throw new ConformanceError('CONF_ERR_BAD_OPTION', '--base-url must not carry credentials; use --token');
      }
      baseUrl = u.toString().replace(/\/+$/, '');
    } catch (err) {
      if (err instanceof ConformanceError) throw err;
      throw new ConformanceError('CONF_ERR_BAD_OPTION', `--base-url must be an http(s) URL (got "${String(raw.baseUrl)}")`);
    }
  }
  const profile = String(raw.profile ?? DEFAULTS.profile);
  if (profile !== 'documented' && profile !== 'strict') {
    throw new ConformanceError('CONF_ERR_BAD_OPTION', `--profile must be documented or strict (got "${profile}")`);
  }
  let checks: string[] | undefined;
  if (raw.checks !== undefined && raw.checks !== '') {
    checks = String(raw.checks).split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = checks.filter((c) => !CHECK_BY_NAME.has(c));
    if (unknown.length > 0) throw new ConformanceError('CONF_ERR_BAD_OPTION', `--checks: unknown check ${unknown.join(', ')} (see: conformance list-checks)`);
  }
  const seed = raw.seed === undefined || raw.seed === '' ? Math.floor(Math.random() * 2 ** 31) : int('seed', raw.seed, 0, 2 ** 31 - 1);
  const str = (v: unknown): string | undefined => (v === undefined || v === '' ? undefined : String(v));
  return {
    baseUrl,
    token: str(raw.token),
    tokenOtherUser: str(raw.tokenOtherUser),
    tokenOtherTenant: str(raw.tokenOtherTenant),
    profile,
    allowWrites: raw.allowWrites === undefined ? DEFAULTS.allowWrites : bool(raw.allowWrites),
    allowExport: raw.allowExport === undefined ? DEFAULTS.allowExport : bool(raw.allowExport),
    seed,
    fuzzRuns: raw.fuzzRuns === undefined ? DEFAULTS.fuzzRuns : int('fuzz-runs', raw.fuzzRuns, 0, 100_000),
    fuzzBudgetMs: raw.fuzzBudgetMs === undefined ? DEFAULTS.fuzzBudgetMs : int('fuzz-budget-ms', raw.fuzzBudgetMs, 100, 3_600_000),
    timeoutMs: raw.timeoutMs === undefined ? DEFAULTS.timeoutMs : int('timeout-ms', raw.timeoutMs, 50, 600_000),
    concurrency: raw.concurrency === undefined ? DEFAULTS.concurrency : int('concurrency', raw.concurrency, 1, 256),
    maxOrders: raw.maxOrders === undefined ? DEFAULTS.maxOrders : int('max-orders', raw.maxOrders, 1, 10_000_000),
    reportDir: str(raw.reportDir) ?? DEFAULTS.reportDir,
    checks,
    budget: raw.budget === undefined ? DEFAULTS.budget : int('budget', raw.budget, 10, 100_000_000),
    maxBodyBytes: raw.maxBodyBytes === undefined ? DEFAULTS.maxBodyBytes : int('max-body-bytes', raw.maxBodyBytes, 1024, 2 ** 31 - 1),
    authHeader: str(raw.authHeader) ?? DEFAULTS.authHeader,
    authScheme: raw.authScheme === undefined ? DEFAULTS.authScheme : String(raw.authScheme),
    waitMs: raw.waitMs === undefined ? DEFAULTS.waitMs : int('wait-ms', raw.waitMs, 100, 3_600_000),
    specPath: str(raw.specPath),
    maxRunS: raw.maxRunS === undefined ? DEFAULTS.maxRunS : int('max-run-s', raw.maxRunS, 0, 7 * 86_400),
  };
}

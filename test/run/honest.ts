/**
 * What an honest verdict on the reference server looks like, under its
 * provider variants (mock/variants.ts): the lists that variants.test.ts,
 * variants-pairwise.test.ts and the sweep (scripts/sweep.ts) judge a run by,
 * written once.
 */
import type { Report } from '../../src/report/types.ts';

/** The inferred rules a variant really breaks, and why: the only checks that may warn where it is on (in the strict profile, fail). */
export const MAY_WARN: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'html-404': {
    json_content_type: 'HTTP-JSON: the HTML 404 page of a traversal-shaped file name is not JSON',
    fuzz_response_documented: 'HTTP-JSON: the HTML 404 page of a fuzzed URL that matches no route is not JSON',
  },
  'doc-history': { history_timestamps: "HIST-TIME: the documentation's own example dates a step after the active entry that follows it" },
  'skipped-steps': { history_steps: 'HIST-STEPS: production skipped steps' },
  'item-state-field': { product_order_status: 'the product order shape is inferred: its item status is not under `status`' },
};

/** What fails in the strict profile only, beyond the variant's MAY_WARN: a documented choice the strict profile does not expect. */
export const STRICT_FAILS: Readonly<Record<string, readonly string[]>> = {
  'export-200': ['export_start'],
};

/** The read checks: each must have examined something, so that a variant does not pass by being skipped. */
export const READ_CHECKS: readonly string[] = ['order_list_schema', 'order_list_paging', 'order_detail_schema', 'history_order', 'tenant_isolation', 'order_requests_filter', 'auth_missing_credentials', 'order_not_found', 'fuzz_path_params'];

/** The write and export checks: none may be skipped in a run with writes and export on. */
export const WRITE_CHECKS: readonly string[] = ['product_order_status', 'terminate_active', 'action_precondition', 'action_invalid_body', 'export_start', 'export_content', 'export_fresh', 'rate_limit', 'rate_limit_scope'];

/** The checks that may warn under these variants. */
export function mayWarnOf(variants: readonly string[]): Set<string> {
  return new Set(variants.flatMap((v) => Object.keys(MAY_WARN[v] ?? {})));
}

export interface HonestOptions {
  variants: readonly string[];
  profile?: 'documented' | 'strict';
  /** the run had writes and export on: none of WRITE_CHECKS skipped, the run complete */
  writes?: boolean;
  /** warnings that are no variant's but say they are not confirmed are allowed (another user acted during the run) */
  live?: boolean;
}

/**
 * What is not honest in a report of a run on the reference server under
 * `variants` (empty: honest): a failure (in the strict profile, one no
 * variant explains), an error, a verdict other than PASS (strict: only where
 * a variant explains it), a warning no variant explains (with `live`, unless
 * it says it is not confirmed), a read check that examined nothing, and,
 * with `writes`, a write or export check skipped or the run incomplete.
 */
export function honestProblems(report: Report, o: HonestOptions): string[] {
  const mayWarn = mayWarnOf(o.variants);
  const strict = o.profile === 'strict';
  const mayFail = strict ? new Set([...mayWarn, ...o.variants.flatMap((v) => STRICT_FAILS[v] ?? [])]) : new Set<string>();
  const problems: string[] = [];
  const evidence = (r: Report['results'][number]): string => JSON.stringify(r.evidence ?? null).slice(0, 1500);
  for (const r of report.results) {
    if (r.status === 'fail' && !mayFail.has(r.check)) problems.push(`FAIL ${r.check}: ${r.message} ${evidence(r)}`);
    if (r.status === 'warn' && !mayWarn.has(r.check) && !(o.live && r.message.includes('not confirmed'))) problems.push(`WARN ${r.check}: ${r.message} ${evidence(r)}`);
  }
  if (mayFail.size === 0 || !report.results.some((r) => r.status === 'fail')) {
    if (report.verdict !== 'PASS') problems.push(`VERDICT ${report.verdictLabel} ${JSON.stringify(report.incomplete ?? '')}`);
    if (report.summary.errors !== 0) problems.push(`ERRORS ${report.summary.errors}`);
  } else if (report.verdict === 'INCOMPLETE') problems.push(`VERDICT ${report.verdictLabel} ${JSON.stringify(report.incomplete ?? '')}`);
  const byCheck = new Map(report.results.map((r) => [r.check, r]));
  for (const c of READ_CHECKS) if (!((byCheck.get(c)?.examined ?? 0) > 0)) problems.push(`NOT-EXAMINED ${c}: ${byCheck.get(c)?.status} ${byCheck.get(c)?.skipReason ?? ''}`);
  if (o.writes) {
    for (const c of WRITE_CHECKS) if (byCheck.get(c)?.status === 'skip') problems.push(`SKIPPED ${c}: ${byCheck.get(c)?.skipReason}`);
    if (!report.complete) problems.push(`NOT-COMPLETE ${JSON.stringify(report.notRun)}`);
  }
  return problems;
}

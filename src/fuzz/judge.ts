/**
 * What one fuzz case concluded, and the judgement every fuzzed answer gets
 * whatever its target: an HTTP answer and no 5xx (HTTP-NO-5XX); a 4xx is a
 * fine answer to bad input; any other status must be declared for the
 * operation, and a declared JSON answer must match its schema
 * (HTTP-STATUS-DECLARED: a 200 whose body breaks the schema fails).
 */
import type { CheckName } from '../checks/catalog.ts';
import type { RunContext } from '../engine/context.ts';
import type { Exchange } from '../harness/http.ts';
import type { Finding } from '../checks/define.ts';
import { fuzzNoServerErrors, fuzzResponseDocumented } from '../checks/fuzz/answer.ts';
import { requestLine } from '../checks/fuzz/lists.ts';
import type { Evidence, Severity } from '../report/types.ts';

export type FuzzCheck = Extract<CheckName, `fuzz_${string}`>;

export interface Fail {
  kind: 'fail';
  check: FuzzCheck;
  /** "what: expected … / received …" */
  message: string;
  ex?: Exchange;
  /** evidence when there is no single exchange to show */
  url?: string;
  extra?: Partial<Evidence>;
  severity?: Severity;
}

export type Verdict =
  | { kind: 'ok'; checks: FuzzCheck[] }
  | Fail
  /** the case could not be judged (a check is off, the request could not be built) */
  | { kind: 'skip'; reason: string }
  /** nothing more can be learnt: the target is unavailable or the request budget is spent */
  | { kind: 'abort'; reason: string }
  /**
   * the target offers nothing (more) the property may use, e.g. no order left
   * in a state it needs: before the first case, the check could not be
   * exercised (a skip with the reason); after some, the property was cut short
   */
  | { kind: 'no-input'; reason: string };

export const ok = (...checks: FuzzCheck[]): Verdict => ({ kind: 'ok', checks });

export function fail(check: FuzzCheck, message: string, ex?: Exchange, more: Partial<Omit<Fail, 'kind' | 'check' | 'message' | 'ex'>> = {}): Fail {
  return { kind: 'fail', check, message, ...(ex ? { ex } : {}), ...more };
}

/** The kinds of non-JSON refusals already reported, per run: one warning per operation, status and media type. */
const refusalsSeen = new WeakMap<RunContext, Set<string>>();

/**
 * A 4xx refusal whose body is not JSON (a framework's HTML 404 page for a URL
 * that matches no route): graded as HTTP-JSON grades it, a warning (an error
 * in the strict profile), recorded once per kind without stopping the
 * property, since refusing the input was right.
 */
function nonJsonRefusal(ctx: RunContext, ex: Exchange, operationId: string, finding: Finding): void {
  const kind = `${operationId} ${ex.status} ${ex.contentType()}`;
  let seen = refusalsSeen.get(ctx);
  if (!seen) refusalsSeen.set(ctx, (seen = new Set()));
  if (seen.has(kind)) return;
  seen.add(kind);
  ctx.record('fuzz_response_documented', { passed: 0, findings: [finding] });
}

/** A module's finding as the fuzzer's failure of a case. */
export function failOf(check: FuzzCheck, f: Finding): Fail {
  const extra: Partial<Evidence> = {};
  if (f.pointer !== undefined) extra.pointer = f.pointer;
  if (f.value !== undefined) extra.value = f.value;
  if (f.expected !== undefined) extra.expected = f.expected;
  if (f.received !== undefined) extra.received = f.received;
  return fail(check, f.message, f.exchange, { ...(f.severity ? { severity: f.severity } : {}), extra });
}

/**
 * The judgement shared by every fuzzed answer (the check modules of
 * src/checks/fuzz/answer.ts). Returns undefined when the answer is
 * acceptable, so that the property's own rules apply next. `operationId` is
 * the operation the fuzzer addressed.
 */
export function judgeAnswer(ctx: RunContext, ex: Exchange, operationId: string, on: ReadonlySet<FuzzCheck>): Verdict | undefined {
  const input = { ex, operationId, at: requestLine(ex) };
  if (ex.status === undefined) {
    const code = ex.error?.code;
    if (code === 'budget' || code === 'unavailable') return { kind: 'abort', reason: ex.error?.message ?? 'stopped' };
    if (code === 'other') return { kind: 'skip', reason: `the request could not be sent: ${ex.error?.message}` };
  }
  if (ex.status === undefined || ex.status >= 500) {
    if (!on.has('fuzz_no_server_errors')) return { kind: 'skip', reason: ex.status === undefined ? 'no answer' : `a ${ex.status} answer` };
    const f = fuzzNoServerErrors.judge(input, ctx.env).findings[0];
    return f ? failOf('fuzz_no_server_errors', f) : undefined;
  }
  if (!on.has('fuzz_response_documented')) return undefined;
  const { findings } = fuzzResponseDocumented.judge(input, ctx.env);
  const refusal = ex.status >= 400 && ex.status < 500;
  if (refusal && !ex.isJson() && findings[0]) {
    nonJsonRefusal(ctx, ex, operationId, findings[0]);
    return undefined;
  }
  // warnings on inferred schema nodes do not stop a case (outside the strict profile)
  const first = findings.find((f) => f.severity !== 'warning' || ctx.options.profile === 'strict');
  return first ? failOf('fuzz_response_documented', first) : undefined;
}

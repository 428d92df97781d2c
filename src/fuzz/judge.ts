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
import type { Evidence, Severity } from '../report/types.ts';
import { plainExpectation } from '../spec/plain.ts';

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
  | { kind: 'abort'; reason: string };

export const ok = (...checks: FuzzCheck[]): Verdict => ({ kind: 'ok', checks });

export function fail(check: FuzzCheck, message: string, ex?: Exchange, more: Partial<Omit<Fail, 'kind' | 'check' | 'message' | 'ex'>> = {}): Fail {
  return { kind: 'fail', check, message, ...(ex ? { ex } : {}), ...more };
}

/** `GET /api/v1/order/?page=…`, the path and query as sent (origin dropped). */
export function where(ctx: RunContext, ex: Exchange): string {
  const url = ex.url.startsWith(ctx.http.origin) ? ex.url.slice(ctx.http.origin.length) : ex.url;
  return `${ex.method} ${url.length > 300 ? `${url.slice(0, 300)}…(${url.length} chars)` : url}`;
}

/** The kinds of non-JSON refusals already reported, per run: one warning per operation, status and media type. */
const refusalsSeen = new WeakMap<RunContext, Set<string>>();

/**
 * A 4xx refusal whose body is not JSON (a framework's HTML 404 page for a URL
 * that matches no route): graded as HTTP-JSON grades it, a warning (an error
 * in the strict profile), recorded once per kind without stopping the
 * property, since refusing the input was right.
 */
function nonJsonRefusal(ctx: RunContext, ex: Exchange, operationId: string, at: string): void {
  const kind = `${operationId} ${ex.status} ${ex.contentType()}`;
  let seen = refusalsSeen.get(ctx);
  if (!seen) refusalsSeen.set(ctx, (seen = new Set()));
  if (seen.has(kind)) return;
  seen.add(kind);
  const received = `${ex.bytes} bytes of ${ex.contentType() || 'no content type'} that do not parse as JSON`;
  ctx.check('fuzz_response_documented').fail(`${at} (${ex.status}): expected a JSON body (HTTP-JSON; the refusal itself is right) / received ${received}`, ctx.http.evidence(ex, { expected: 'application/json', received }), 'warning');
}

/**
 * The judgement shared by every fuzzed answer. Returns undefined when the
 * answer is acceptable, so that the property's own rules apply next.
 * `operationId` is the operation the fuzzer addressed (fuzz requests carry
 * none in the harness: the run-wide watchers do not judge them a second time).
 */
export function judgeAnswer(ctx: RunContext, ex: Exchange, operationId: string, on: ReadonlySet<FuzzCheck>): Verdict | undefined {
  const at = where(ctx, ex);
  if (ex.status === undefined) {
    const code = ex.error?.code;
    if (code === 'budget' || code === 'unavailable') return { kind: 'abort', reason: ex.error?.message ?? 'stopped' };
    if (code === 'other') return { kind: 'skip', reason: `the request could not be sent: ${ex.error?.message}` };
    if (!on.has('fuzz_no_server_errors')) return { kind: 'skip', reason: 'no answer' };
    return fail('fuzz_no_server_errors', `${at}: expected an HTTP answer / received ${ex.error?.message ?? 'nothing'}`, ex, { severity: 'error', extra: { expected: 'an HTTP answer', received: ex.error?.message ?? 'nothing' } });
  }
  if (ex.status >= 500) {
    if (!on.has('fuzz_no_server_errors')) return { kind: 'skip', reason: `a ${ex.status} answer` };
    return fail('fuzz_no_server_errors', `${at}: expected no 5xx / received ${ex.status}`, ex, { extra: { expected: 'no 5xx', received: String(ex.status) } });
  }
  if (!on.has('fuzz_response_documented')) return undefined;
  const key = ctx.validators.responseKey(operationId, ex.status);
  const op = ctx.spec.operations.get(operationId);
  if (key === undefined) {
    // a refusal of bad input is fine, declared or not
    if (ex.status >= 400 && ex.status < 500) return undefined;
    const declared = Object.keys(op?.responses ?? {}).join(', ');
    return fail('fuzz_response_documented', `${at}: expected a status declared for ${operationId} (${declared}) / received ${ex.status}`, ex, { extra: { expected: declared, received: String(ex.status) } });
  }
  const media = Object.keys(op?.responses[key]?.content ?? {});
  if (!media.includes('application/json') || ex.status === 204) return undefined;
  if (!ex.isJson()) {
    if (ex.status >= 400 && ex.status < 500) {
      nonJsonRefusal(ctx, ex, operationId, at);
      return undefined;
    }
    const received = `${ex.bytes} bytes of ${ex.contentType() || 'no content type'} that do not parse as JSON`;
    return fail('fuzz_response_documented', `${at} (${ex.status}): expected a JSON body / received ${received}`, ex, { severity: 'error', extra: { expected: 'application/json', received } });
  }
  const validate = ctx.validators.response(operationId, ex.status);
  for (const v of validate ? validate(ex.json()) : []) {
    if (v.severity !== 'error' && ctx.options.profile !== 'strict') continue;
    const received = v.value === undefined ? 'nothing' : JSON.stringify(v.value);
    const expected = plainExpectation(v);
    return fail('fuzz_response_documented', `${at} (${ex.status}): ${v.pointer || '/'}: expected ${expected} / received ${received}`, ex, {
      severity: v.severity,
      extra: { pointer: v.pointer, value: v.value, expected, received },
    });
  }
  return undefined;
}

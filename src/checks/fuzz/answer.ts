/**
 * The judgement every fuzzed answer gets, whatever the property that made it
 * (src/fuzz/properties.ts): an HTTP answer and no 5xx (HTTP-NO-5XX); a 4xx
 * is a fine answer to bad input; any other status must be declared for the
 * operation, and a declared JSON answer must match its schema
 * (HTTP-STATUS-DECLARED: a 200 whose body breaks the schema fails). The
 * fuzzer stops a case at its first error-severity finding and shrinks it.
 */
import type { Exchange } from '../../harness/http.ts';
import { plainExpectation } from '../../contract/plain.ts';
import { defineCheck, type Finding } from '../define.ts';

export interface FuzzAnswerInput {
  ex: Exchange;
  /** the operation the fuzzer addressed (fuzz requests carry none in the harness, so that the run's watchers do not judge them twice) */
  operationId: string;
  /** the request as it reads in a message: `GET /api/v1/order/?page=…` */
  at: string;
}

export const fuzzNoServerErrors = defineCheck<FuzzAnswerInput>(import.meta.url, 'fuzz_no_server_errors', ({ ex, at }) => {
  if (ex.status === undefined) {
    const received = ex.error?.message ?? 'nothing';
    return { passed: 0, findings: [{ message: `${at}: expected an HTTP answer / received ${received}`, exchange: ex, expected: 'an HTTP answer', received, severity: 'error' }] };
  }
  if (ex.status >= 500) return { passed: 0, findings: [{ message: `${at}: expected no 5xx / received ${ex.status}`, exchange: ex, expected: 'no 5xx', received: String(ex.status) }] };
  return { passed: 1, findings: [] };
});

/**
 * Findings in the order they matter; a 4xx refusal whose body is not JSON
 * (a framework's HTML 404 page) is a warning, graded as HTTP-JSON grades it,
 * since refusing the input was right.
 */
export const fuzzResponseDocumented = defineCheck<FuzzAnswerInput>(import.meta.url, 'fuzz_response_documented', ({ ex, operationId, at }, env) => {
  if (ex.status === undefined || ex.status >= 500) return { passed: 0, findings: [], skip: 'no answer to judge' };
  const key = env.validators.responseKey(operationId, ex.status);
  const op = env.spec.operations.get(operationId);
  const refusal = ex.status >= 400 && ex.status < 500;
  if (key === undefined) {
    // a refusal of bad input is fine, declared or not
    if (refusal) return { passed: 1, findings: [] };
    const declared = Object.keys(op?.responses ?? {}).join(', ');
    return { passed: 0, findings: [{ message: `${at}: expected a status declared for ${operationId} (${declared}) / received ${ex.status}`, exchange: ex, expected: declared, received: String(ex.status) }] };
  }
  const media = Object.keys(op?.responses[key]?.content ?? {});
  if (!media.includes('application/json') || ex.status === 204) return { passed: 1, findings: [] };
  if (!ex.isJson()) {
    const received = `${ex.bytes} bytes of ${ex.contentType() || 'no content type'} that do not parse as JSON`;
    if (refusal) return { passed: 0, findings: [{ message: `${at} (${ex.status}): expected a JSON body (HTTP-JSON; the refusal itself is right) / received ${received}`, exchange: ex, expected: 'application/json', received, severity: 'warning' }] };
    return { passed: 0, findings: [{ message: `${at} (${ex.status}): expected a JSON body / received ${received}`, exchange: ex, expected: 'application/json', received, severity: 'error' }] };
  }
  const validate = env.validators.response(operationId, ex.status);
  const findings: Finding[] = (validate ? validate(ex.json()) : []).map((v) => {
    const received = v.value === undefined ? 'nothing' : JSON.stringify(v.value);
    const expected = plainExpectation(v);
    return { message: `${at} (${ex.status}): ${v.pointer || '/'}: expected ${expected} / received ${received}`, exchange: ex, severity: v.severity, pointer: v.pointer, value: v.value, expected, received };
  });
  return { passed: findings.length === 0 ? 1 : 0, findings };
});

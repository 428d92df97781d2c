/**
 * What most read checks judge first about one answer: its status, and its
 * JSON body against the contract. Shared by the check modules, so that every
 * status and schema finding reads the same ("what: expected … / received …")
 * and a keyword on an `x-inferred` node stays a warning.
 */
import type { Exchange } from '../harness/http.ts';
import { plainExpectation } from '../contract/plain.ts';
import type { Violation } from '../contract/validators.ts';
import type { Finding, JudgeEnv, Judgement } from './define.ts';

/** every 2xx: an action or a creation the target acknowledged, whatever success status it chose */
export const SUCCESS: readonly number[] = Array.from({ length: 100 }, (_, i) => 200 + i);

/** An answer's status against the allowed ones: one pass, or one finding saying what came instead. */
export function statusJudgement(ex: Exchange, allowed: readonly number[], what: string): Judgement {
  if (ex.status !== undefined && allowed.includes(ex.status)) return { passed: 1, findings: [] };
  const received = ex.status === undefined ? `no answer (${ex.error?.message ?? 'transport error'})` : String(ex.status);
  const expected = allowed.length === 100 && allowed[0] === 200 && allowed[99] === 299 ? 'a 2xx' : allowed.join(' or ');
  return { passed: 0, findings: [{ message: `${what}: expected ${expected} / received ${received}`, exchange: ex, expected, received }] };
}

/** One schema violation of a response as a finding: the value shown cut (after redaction), never whole. */
export function violationFinding(env: JudgeEnv, ex: Exchange, v: Violation, pointerPrefix = ''): Finding {
  const pointer = pointerPrefix + v.pointer;
  const received = v.value === undefined ? 'nothing' : env.show(v.value);
  const expected = plainExpectation(v);
  return { message: `${pointer || '/'}: expected ${expected} / received ${received}`, exchange: ex, pointer, value: v.value, expected, received: v.value === undefined ? 'missing' : received, severity: v.severity };
}

export interface SchemaJudgement extends Judgement {
  /** the body parsed and broke no rule graded an error (a warning leaves it usable) */
  usable: boolean;
}

/**
 * A JSON response body against the contract: the response of `operationId`
 * for its status, or the component `component`. One pass for a body judged,
 * one finding per violation; a body that is not JSON is one finding. An
 * exchange without an answer is not judged (its status finding says why).
 */
export function schemaJudgement(env: JudgeEnv, ex: Exchange, operationId: string, component?: string, pointerPrefix = ''): SchemaJudgement {
  if (ex.status === undefined) return { passed: 0, findings: [], usable: false };
  if (!ex.isJson()) {
    const why = ex.jsonProblem();
    return { passed: 0, usable: false, findings: [{ message: `expected a JSON body / received ${ex.bytes} bytes of ${ex.contentType() || 'unknown type'} that ${why ? `are not read as JSON: ${why}` : 'do not parse'}`, exchange: ex }] };
  }
  const validate = component ? env.validators.component(component) : env.validators.response(operationId, ex.status);
  if (!validate) return { passed: 0, findings: [], usable: true };
  const violations = validate(ex.json());
  return { passed: 1, findings: violations.map((v) => violationFinding(env, ex, v, pointerPrefix)), usable: violations.every((v) => v.severity !== 'error') };
}

/** Judgements one after the other, as one: passes added, findings in order, the first reason for not judging kept. */
export function both(...js: Judgement[]): Judgement {
  const out: Judgement = { passed: 0, findings: [] };
  for (const j of js) {
    out.passed += j.passed;
    out.findings.push(...j.findings);
    if (j.skip !== undefined) out.skip ??= j.skip;
  }
  return out;
}

/**
 * Judgements shared by the check modules of the access, export, writes and
 * robustness areas: an answer's status among those allowed, and a JSON body
 * against its schema. They return findings; the recorder
 * (RunContext.record) turns them into results, the same message shape and
 * evidence as the engine's own `expectStatus` and `schema` gave.
 */
import type { Exchange } from '../harness/http.ts';
import { plainExpectation } from '../spec/plain.ts';
import type { JudgeEnv, Judgement } from './define.ts';

/** every 2xx: an action or a creation the target acknowledged, whatever success status it chose */
export const SUCCESS: readonly number[] = Array.from({ length: 100 }, (_, i) => 200 + i);

/** `what: expected 401 / received 200`: one of the allowed statuses, or a finding on the exchange. */
export function expectStatus(ex: Exchange, allowed: readonly number[], what: string): Judgement {
  if (ex.status !== undefined && allowed.includes(ex.status)) return { passed: 1, findings: [] };
  const received = ex.status === undefined ? `no answer (${ex.error?.message ?? 'transport error'})` : String(ex.status);
  const expected = allowed.length === 100 && allowed[0] === 200 && allowed[99] === 299 ? 'a 2xx' : allowed.join(' or ');
  return { passed: 0, findings: [{ message: `${what}: expected ${expected} / received ${received}`, exchange: ex, expected, received }] };
}

/**
 * A JSON body against the response schema of its operation (or a named
 * component): one finding per violation, graded by the contract (a keyword
 * on an `x-inferred` node is a warning), and one pass for the body examined.
 */
export function schemaOf(env: JudgeEnv, ex: Exchange, operationId: string, component?: string, pointerPrefix = ''): Judgement {
  if (ex.status === undefined) return { passed: 0, findings: [] };
  if (!ex.isJson()) {
    const why = ex.jsonProblem();
    return { passed: 0, findings: [{ message: `expected a JSON body / received ${ex.bytes} bytes of ${ex.contentType() || 'unknown type'} that ${why ? `are not read as JSON: ${why}` : 'do not parse'}`, exchange: ex }] };
  }
  const validate = component ? env.validators.component(component) : env.validators.response(operationId, ex.status);
  if (!validate) return { passed: 0, findings: [] };
  const findings = validate(ex.json()).map((v) => {
    const pointer = pointerPrefix + v.pointer;
    const received = v.value === undefined ? 'nothing' : env.show(v.value);
    const expected = plainExpectation(v);
    return { message: `${pointer || '/'}: expected ${expected} / received ${received}`, exchange: ex, pointer, value: v.value, expected, received: v.value === undefined ? 'missing' : received, severity: v.severity };
  });
  return { passed: 1, findings };
}

/** Several judgements as one: their passes added, their findings in order, the first reason not to judge. */
export function merge(...parts: Judgement[]): Judgement {
  const out: Judgement = { passed: 0, findings: [] };
  for (const p of parts) {
    out.passed += p.passed;
    out.findings.push(...p.findings);
    if (p.skip !== undefined) out.skip ??= p.skip;
  }
  return out;
}

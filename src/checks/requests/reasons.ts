/**
 * REASONS-TYPES: the termination reasons (GET /api/v1/terminate_reason/)
 * answer 200 and match TerminateReasons.
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck } from '../define.ts';
import { both, schemaJudgement, statusJudgement } from '../response.ts';

export const terminateReasonsSchema = defineCheck<{ reasons: Exchange }>(import.meta.url, 'terminate_reasons_schema', ({ reasons }, env) => {
  const status = statusJudgement(reasons, [200], 'termination reasons');
  return status.passed === 0 ? status : both(status, schemaJudgement(env, reasons, 'listTerminateReasons'));
});

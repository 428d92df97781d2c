/** EXP-NOT-FOUND: the status and the file of an export task that does not exist answer 404. */
import type { Exchange } from '../../harness/http.ts';
import { statusJudgement } from '../response.ts';
import { defineCheck } from '../define.ts';

export interface UnknownTaskInput {
  /** the answer for a random task id */
  exchange: Exchange;
  /** which of the task's endpoints was asked */
  part: 'status' | 'download';
}

export const exportNotFound = defineCheck<UnknownTaskInput>(import.meta.url, 'export_not_found', ({ exchange, part }) => statusJudgement(exchange, [404], `unknown export task ${part}`));

/**
 * HIST-TYPES: a sampled order's history (GET /api/v1/order/{ref}/historic/)
 * answers 200 and matches OrderHistory. The rules of its entries are judged
 * by ./history.ts.
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck } from '../define.ts';
import { both, schemaJudgement, statusJudgement } from '../response.ts';

export const historySchema = defineCheck<{ ref: string; history: Exchange }>(import.meta.url, 'history_schema', ({ ref, history }, env) => {
  const status = statusJudgement(history, [200], `history of order ${ref}`);
  return status.passed === 0 ? status : both(status, schemaJudgement(env, history, 'getOrderHistory'));
});

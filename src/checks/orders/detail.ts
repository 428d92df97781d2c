/**
 * ORD-DETAIL-TYPES: a sampled order's detail (GET /api/v1/order/{ref}/)
 * answers 200 and matches OrderDetail.
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck } from '../define.ts';
import { both, schemaJudgement, statusJudgement } from '../response.ts';

export interface DetailInput {
  /** the order's reference, as the list gave it */
  ref: string;
  detail: Exchange;
}

export const orderDetailSchema = defineCheck<DetailInput>(import.meta.url, 'order_detail_schema', ({ ref, detail }, env) => {
  const status = statusJudgement(detail, [200], `order ${ref} from the list`);
  return status.passed === 0 ? status : both(status, schemaJudgement(env, detail, 'getOrder'));
});

/**
 * ORD-NOT-FOUND: an order reference no provider would issue answers 404 on
 * the detail, the history and the documents.
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck } from '../define.ts';
import { statusJudgement } from '../response.ts';

export interface NotFoundProbe {
  /** the path asked for (without the base URL), for the message */
  path: string;
  answer: Exchange;
}

export const orderNotFound = defineCheck<NotFoundProbe>(import.meta.url, 'order_not_found', ({ path, answer }) => statusJudgement(answer, [404], `${answer.method} ${path} (no such order)`));

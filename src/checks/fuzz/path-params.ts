/**
 * fuzz_path_params (ORD-NOT-FOUND): a fuzzed path parameter that names
 * something the target listed (an order reference, a file of that order) is
 * answered 200; anything else is refused with a 4xx — unless the answer is
 * the very object asked for (an order created meanwhile). The driver
 * (src/fuzz/properties.ts, `pathProperty`) says whether the parameters were
 * listed, from the list and documents it read.
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck } from '../define.ts';

export interface PathParamsInput {
  ex: Exchange;
  operationId: string;
  /** the request as it reads in a message */
  at: string;
  /** the path parameters sent: name → value (undefined for a raw, non-string segment) */
  params: Record<string, string | undefined>;
  /** every parameter names something the target showed */
  listed: boolean;
}

export const fuzzPathParams = defineCheck<PathParamsInput>(import.meta.url, 'fuzz_path_params', ({ ex, operationId, at, params, listed }) => {
  const status = ex.status ?? 0;
  const shown = Object.entries(params)
    .map(([n, v]) => `${n} ${JSON.stringify(v)}`)
    .join(', ');
  if (listed) {
    if (status === 200) return { passed: 1, findings: [] };
    return { passed: 0, findings: [{ message: `${at}: expected 200 for ${shown}, which the target lists / received ${status}`, exchange: ex, expected: '200', received: String(status) }] };
  }
  if (status >= 200 && status < 300) {
    // an unlisted order may exist (created meanwhile): then it must be the one asked for
    const body = ex.isJson() ? (ex.json() as Record<string, unknown> | null) : undefined;
    const ref = params.order_reference;
    if (operationId === 'getOrder' && ref !== undefined && body?.order_reference === ref) return { passed: 1, findings: [] };
    if (operationId === 'getProductOrder' && body?.id !== undefined && body?.id === params.product_order_id) return { passed: 1, findings: [] };
    return { passed: 0, findings: [{ message: `${at}: expected a 4xx for ${shown}, which the target does not list / received ${status}`, exchange: ex, expected: '4xx (404)', received: String(status) }] };
  }
  return { passed: 1, findings: [] };
});

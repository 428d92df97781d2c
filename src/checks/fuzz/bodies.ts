/**
 * Invalid bodies, fuzzed (ACT-INVALID-BODY): a termination with an invalid
 * body is refused with a 4xx and changes nothing (the order's state and its
 * order requests, read before and after by the driver); an invalid product
 * order is refused with a 4xx. The drivers are `terminationBodyProperty` and
 * `productOrderBodyProperty` in src/fuzz/properties.ts.
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck } from '../define.ts';

export interface OrderSnapshot {
  state: string | undefined;
  /** the ids of the order's order requests */
  requests: string[];
}

export interface InvalidBodyInput {
  ex: Exchange;
  at: string;
  ref: string;
  before: OrderSnapshot;
  /** read after a refusal; absent when the body was not refused */
  after?: OrderSnapshot;
}

export const fuzzInvalidBody = defineCheck<InvalidBodyInput>(import.meta.url, 'fuzz_invalid_body', ({ ex, at, ref, before, after }) => {
  const status = ex.status;
  if (status === undefined || status < 400 || status >= 500) {
    return { passed: 0, findings: [{ message: `${at} with an invalid body: expected a 4xx / received ${status}`, exchange: ex, expected: '4xx', received: String(status) }] };
  }
  if (!after) return { passed: 0, findings: [], skip: 'the order was not read again after the refusal' };
  if (after.state !== before.state) {
    return { passed: 0, findings: [{ message: `${at} was refused (${status}): expected order ${ref} still "${before.state}" / received "${after.state}"`, exchange: ex, expected: String(before.state), received: String(after.state) }] };
  }
  const had = new Set(before.requests);
  if (after.requests.length !== before.requests.length || after.requests.some((id) => !had.has(id))) {
    return { passed: 0, findings: [{ message: `${at} was refused (${status}): expected the ${before.requests.length} order request(s) of ${ref} unchanged / received ${after.requests.length}`, exchange: ex, expected: String(before.requests.length), received: String(after.requests.length) }] };
  }
  return { passed: 1, findings: [] };
});

export const fuzzInvalidProductOrder = defineCheck<{ ex: Exchange; at: string }>(import.meta.url, 'fuzz_invalid_product_order', ({ ex, at }) => {
  if (ex.status !== undefined && ex.status < 400) {
    return { passed: 0, findings: [{ message: `${at} with an invalid body: expected a 4xx / received ${ex.status}`, exchange: ex, expected: '4xx', received: String(ex.status) }] };
  }
  return { passed: 1, findings: [] };
});

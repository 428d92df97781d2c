/**
 * What the write checks read of a write's effect: an order's state from its
 * detail, the order requests counted, and the finding's evidence — the read
 * that shows the effect, caused by the writes before it.
 */
import type { Exchange } from '../../harness/http.ts';
import type { Finding } from '../define.ts';

/** An order's state as its detail answered it (undefined unless a 200 with a string state). */
export function stateOf(detail: Exchange | undefined): string | undefined {
  const s = detail?.status === 200 ? (detail.json() as { state?: unknown } | undefined)?.state : undefined;
  return typeof s === 'string' ? s : undefined;
}

/** How many order requests an order has, and the first page that showed the count. */
export interface RequestCount {
  count: number;
  /** the first page of the filtered order request list (absent when none answered) */
  exchange?: Exchange;
}

/**
 * The evidence of an effect: the read that shows it (`shown`), caused by the
 * writes; a read that did not happen leaves the writes as the evidence.
 */
export function effect(shown: Exchange | undefined, causes: Exchange[]): Pick<Finding, 'exchange' | 'causedBy'> {
  if (shown) return { exchange: shown, causedBy: causes };
  const [first, ...rest] = causes;
  return { exchange: first, causedBy: rest };
}

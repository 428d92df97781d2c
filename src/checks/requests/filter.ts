/**
 * REQ-FILTER: a filter of the order requests means what it says. For
 * `order_reference` and `action`, the list filtered by each value the
 * unfiltered list shows (up to 20 per field) gives only rows with that value,
 * and, when every value was asked, the rows of all values together are the
 * unfiltered list's: none lost. That sum is compared only when the unfiltered
 * list gave what its own count announces (a paginator that loses rows is
 * `order_list_paging`'s finding, not a filter's).
 */
import { wellFormed } from '../../harness/url.ts';
import { defineCheck, type Finding, type Judgement } from '../define.ts';
import type { WalkSummary } from '../lists.ts';

/** An order request as the filter reads it (every field as a string). */
export interface RequestRow {
  id: string;
  order_reference: string;
  action: string;
  reason: string;
}

export const FILTER_FIELDS = ['order_reference', 'action'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

/** Most values of one field asked for. */
const MAX_VALUES = 20;

/** The values of `field` a driver asks the list filtered by: the first distinct ones of the unfiltered rows. */
export function filterValues(rows: readonly RequestRow[], field: FilterField): string[] {
  return [...new Set(rows.map((r) => r[field]))].slice(0, MAX_VALUES);
}

export interface FilterInput {
  /** the list's URL without a query, for the evidence */
  url: string;
  /** the unfiltered list: its rows, and its walk */
  all: { rows: RequestRow[]; walk: WalkSummary };
  /** the list filtered by each value asked, in the order asked */
  filtered: { field: FilterField; value: string; rows: RequestRow[] }[];
}

/** Whether a walk gave as many rows as its own count announces (or cannot tell). */
const complete = (w: WalkSummary): boolean => !w.paginated || w.announced === undefined || w.announced === w.items;

export const orderRequestsFilter = defineCheck<FilterInput>(import.meta.url, 'order_requests_filter', ({ url, all, filtered }): Judgement => {
  if (all.rows.length === 0) return { passed: 0, findings: [], skip: 'the target lists no order requests to filter' };
  let passed = 0;
  const findings: Finding[] = [];
  // the rows per value add up to the unfiltered list only if that list gave what its count announces
  const comparable = complete(all.walk);
  for (const field of FILTER_FIELDS) {
    const asked = filtered.filter((f) => f.field === field);
    let union = 0;
    for (const { value, rows } of asked) {
      const wrong = rows.filter((r) => r[field] !== value);
      if (wrong.length > 0) {
        findings.push({
          message: `?${field}=${value}: expected only rows with ${field} "${value}" / received ${wrong.length} other row(s), e.g. ${field} "${wrong[0]?.[field]}"`,
          evidence: { method: 'GET', url: `${url}?${field}=${encodeURIComponent(wellFormed(value))}` },
          pointer: `/${field}`,
          value: wrong[0]?.[field],
        });
      } else passed++;
      union += rows.length - wrong.length;
    }
    if (comparable && asked.length === new Set(all.rows.map((r) => r[field])).size && union !== all.rows.length) {
      findings.push({
        message: `filtering by every ${field} value: expected the ${all.rows.length} rows of the unfiltered list in all / received ${union}`,
        evidence: { method: 'GET', url: `${url}?${field}=…` },
        expected: String(all.rows.length),
        received: String(union),
      });
    }
  }
  return { passed, findings };
});

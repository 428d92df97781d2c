/**
 * REQ-FILTER: a filter of the order requests means what it says. For
 * `order_reference` and `action`, the list filtered by each value the
 * unfiltered list shows (up to 20 per field) gives only rows with that value,
 * and, when every value was asked, the rows of all values together are the
 * unfiltered list's: none lost, none the unfiltered list does not show. That
 * is compared only when the unfiltered list gave what its own count announces
 * (a paginator that loses rows is `order_list_paging`'s finding, not a
 * filter's), row by row (by `id`) when the ids tell rows apart, else by count.
 *
 * A live target gets new order requests while the run reads (another user
 * terminates an order): a row the filtered walks give that the unfiltered one,
 * read earlier, did not is looked at twice (ANALYSIS.md rule 2). The driver
 * reads the unfiltered list again after the filtered walks (`again`): a row
 * it now lists was created during the run, no finding; a row it still does
 * not list, or a row of the first read no filter value gave that it still
 * lists, is a confirmed contradiction (an error); a row of the first read
 * that is gone from it too went away during the run (a warning, not
 * confirmed). A reading again that itself changed while it was read (its
 * count moved, or it broke) is made once more; if that one cannot settle
 * it either, the finding is not confirmed (a warning that says so).
 */
import { wellFormed } from '../../harness/url.ts';
import { defineCheck, type Finding, type Judgement } from '../define.ts';
import { movedCounts, type WalkSummary } from '../lists.ts';

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
  /** the unfiltered list read again after the filtered walks (when `needsSecondLook`): its rows, and its walk */
  again?: { rows: RequestRow[]; walk: WalkSummary };
}

/** Whether a walk gave as many rows as its own count announces (or cannot tell). */
const complete = (w: WalkSummary): boolean => !w.paginated || w.announced === undefined || w.announced === w.items;

/** The rows' ids, when they tell every row apart (else the rows are compared by count). */
function idsOf(rows: readonly RequestRow[]): Set<string> | undefined {
  const ids = new Set(rows.map((r) => r.id));
  return ids.size === rows.length && !ids.has('undefined') && !ids.has('null') && !ids.has('') ? ids : undefined;
}

/** Per field whose every value was asked: the rows matching their filter that the unfiltered list did not give, and its rows no filter gave. */
function differences({ all, filtered }: FilterInput): { field: FilterField; union: RequestRow[]; extra: RequestRow[]; lost: RequestRow[] }[] {
  const ids = idsOf(all.rows);
  return FILTER_FIELDS.flatMap((field) => {
    const asked = filtered.filter((f) => f.field === field);
    if (asked.length !== new Set(all.rows.map((r) => r[field])).size) return [];
    const union = asked.flatMap(({ value, rows }) => rows.filter((r) => r[field] === value));
    const inUnion = idsOf(union);
    if (!ids || !inUnion) return [{ field, union, extra: [], lost: [] }];
    return [{ field, union, extra: union.filter((r) => !ids.has(r.id)), lost: all.rows.filter((r) => !inUnion.has(r.id)) }];
  });
}

/** Why a reading of the unfiltered list cannot settle the comparison, if it cannot: it broke, or the list changed while it was read. */
export function changedWhileRead(w: WalkSummary): string | undefined {
  if (w.broken) return `broke (${w.broken})`;
  const moved = movedCounts(w);
  if (moved) return `changed while it was read (count ${moved})`;
  if (!complete(w)) return `gave ${w.items} rows for its count ${w.announced}`;
  return undefined;
}

/** Whether the unfiltered list is to be read again before judging: the filtered rows differ from it, row by row or in number. */
export function needsSecondLook(input: FilterInput): boolean {
  if (!complete(input.all.walk)) return false;
  return differences(input).some((d) => d.extra.length > 0 || d.lost.length > 0 || d.union.length !== input.all.rows.length);
}

const eg = (rows: readonly RequestRow[]): string => `(e.g. id ${rows[0]?.id})`;

export const orderRequestsFilter = defineCheck<FilterInput>(import.meta.url, 'order_requests_filter', (input): Judgement => {
  const { url, all, filtered, again } = input;
  if (all.rows.length === 0) return { passed: 0, findings: [], skip: 'the target lists no order requests to filter' };
  let passed = 0;
  const findings: Finding[] = [];
  // the rows per value add up to the unfiltered list only if that list gave what its count announces
  const comparable = complete(all.walk);
  for (const field of FILTER_FIELDS) {
    const asked = filtered.filter((f) => f.field === field);
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
    }
  }
  if (!comparable) return { passed, findings };
  const unsettled = again ? changedWhileRead(again.walk) : undefined;
  const againIds = again && !unsettled ? idsOf(again.rows) : undefined;
  for (const { field, union, extra, lost } of differences(input)) {
    const head = `filtering by every ${field} value: expected the ${all.rows.length} rows of the unfiltered list in all / received ${union.length}`;
    const evidence = { method: 'GET', url: `${url}?${field}=…` };
    const counts = { expected: String(all.rows.length), received: String(union.length) };
    if (extra.length === 0 && lost.length === 0) {
      // compared by count (the ids do not tell the rows apart)
      if (union.length !== all.rows.length) findings.push({ message: head, evidence, ...counts });
      continue;
    }
    if (!againIds) {
      const parts = [...(extra.length > 0 ? [`${extra.length} row(s) the filters gave are not in the unfiltered list ${eg(extra)}`] : []), ...(lost.length > 0 ? [`${lost.length} row(s) of the unfiltered list no filter value gave ${eg(lost)}`] : [])];
      // the list read again to settle it changed while it was read (a live target): looked twice, not settled
      if (unsettled) findings.push({ message: `${head}: ${parts.join('; ')}; the unfiltered list, read again to confirm it, ${unsettled}, so this is not confirmed`, evidence, ...counts, severity: 'warning', unconfirmed: true });
      else findings.push({ message: `${head}: ${parts.join('; ')}`, evidence, ...counts });
      continue;
    }
    // looked at twice: the unfiltered list read again after the filtered walks
    const unlisted = extra.filter((r) => !againIds.has(r.id));
    const dropped = lost.filter((r) => againIds.has(r.id));
    const gone = lost.filter((r) => !againIds.has(r.id));
    if (unlisted.length > 0 || dropped.length > 0) {
      const parts = [
        ...(unlisted.length > 0 ? [`${unlisted.length} row(s) the filters gave are not in the unfiltered list, read again after them ${eg(unlisted)}`] : []),
        ...(dropped.length > 0 ? [`${dropped.length} row(s) of the unfiltered list no filter value gave are still in it, read again after the filters ${eg(dropped)}`] : []),
      ];
      findings.push({ message: `${head}: ${parts.join('; ')} (confirmed)`, evidence, ...counts });
    } else if (gone.length > 0) {
      findings.push({ message: `${head}: ${gone.length} row(s) of the unfiltered list no filter value gave are gone from it, read again after the filters ${eg(gone)}: they went away during the run, so this is not confirmed`, evidence, ...counts, severity: 'warning', unconfirmed: true });
    }
    // the other rows the filters gave are in the list read again: created during the run
  }
  return { passed, findings };
});

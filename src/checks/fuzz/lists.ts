/**
 * The list rules the fuzzer probes (src/fuzz/properties.ts drives them):
 *
 * - fuzz_pagination (ORD-LIST-PAGING): a page holds at most the page_size
 *   asked for (when the target honours page_size), the count is the whole
 *   list's whatever the paging, and a walk with a fuzzed page_size gives
 *   each row once, no gap and no extra row against the list walked with the
 *   default page size;
 * - fuzz_filters (REQ-FILTER): every row of a filtered list matches the
 *   filter, and the rows are exactly those of the unfiltered list with that
 *   value.
 *
 * Filters are read as a DRF-style server reads them: a value may be
 * trimmed, and a blank value may mean "no filter"; anything else must match
 * exactly (after NFC). Findings that compare with the run's earlier reading
 * of a list are `recheck`: the driver reads the list again first.
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type Finding, type Judgement } from '../define.ts';

type Row = Record<string, unknown>;

/**
 * What a filter value may mean: itself exactly, itself trimmed, itself in
 * NFC, or (blank) no filter at all. A row matches one reading exactly.
 */
export function readings(v: string): (string | undefined)[] {
  const out = new Set<string | undefined>([v, v.trim(), v.normalize('NFC'), v.trim().normalize('NFC')]);
  if (v.trim() === '') out.add(undefined);
  return [...out];
}

function matches(value: unknown, reading: string | undefined): boolean {
  return reading === undefined || value === reading;
}

export function describeQuery(q: Record<string, string>): string {
  const s = Object.entries(q)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join('&');
  return s === '' ? '(no filter)' : s;
}

function diff(expected: Set<string>, got: Set<string>): string {
  const missing = [...expected].filter((x) => !got.has(x));
  const extra = [...got].filter((x) => !expected.has(x));
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`);
  if (extra.length > 0) parts.push(`extra ${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ` and ${extra.length - 3} more` : ''}`);
  return parts.join('; ');
}

const found = (f: Finding): Judgement => ({ passed: 0, findings: [f] });
const right: Judgement = { passed: 1, findings: [] };

/** One page answered to a fuzzed query. */
export interface ListPage {
  ex: Exchange;
  at: string;
  rows: Row[];
}

export type PaginationInput =
  | (ListPage & {
      kind: 'page';
      /** the page_size asked for, when the target honours page_size */
      pageSize?: number;
      /** the page's count, when the query held only paging parameters */
      count?: number;
      /** the count of the list walked with the default page size */
      announced?: number;
    })
  | {
      kind: 'walk';
      first: Exchange;
      at: string;
      pageSize: number;
      paginated: boolean;
      /** the pages, each row given by its key (order reference, order request id) */
      pages: { ex: Exchange; keys: string[] }[];
      /** the walk's announced count */
      announced?: number;
      /** the list walked with the default page size: its count and its keys */
      listed: { announced?: number; keys: string[] };
    };

export const fuzzPagination = defineCheck<PaginationInput>(import.meta.url, 'fuzz_pagination', (input) => {
  if (input.kind === 'page') {
    const { ex, at, rows, pageSize, count, announced } = input;
    if (pageSize !== undefined && rows.length > pageSize) return found({ message: `${at}: expected at most ${pageSize} rows on a page / received ${rows.length}`, exchange: ex, expected: `≤ ${pageSize} rows`, received: String(rows.length) });
    if (count !== undefined && announced !== undefined && announced !== count) {
      return found({ message: `${at}: expected the count of the whole list (${announced}) whatever the paging / received count ${count}`, exchange: ex, pointer: '/count', value: count, expected: String(announced), received: String(count), recheck: true });
    }
    return right;
  }
  const { first, at, pageSize, paginated, pages, announced, listed } = input;
  if (first.status !== 200) return found({ message: `${at}: expected 200 for a page_size the spec allows / received ${first.status}`, exchange: first, expected: '200', received: String(first.status) });
  const seen = new Set<string>();
  for (const { ex, keys } of pages) {
    if (paginated && keys.length > pageSize) return found({ message: `${requestLine(ex)}: expected at most ${pageSize} rows on a page / received ${keys.length}`, exchange: ex, expected: `≤ ${pageSize}`, received: String(keys.length) });
    for (const [i, k] of keys.entries()) {
      if (seen.has(k)) return found({ message: `${requestLine(ex)}: expected each row once across the pages of ${pageSize} / received ${k} again`, exchange: ex, pointer: `/results/${i}`, value: k, expected: 'no duplicate', received: `${k} twice` });
      seen.add(k);
    }
  }
  let why: string | undefined;
  if (announced !== undefined && listed.announced !== undefined && announced !== listed.announced) {
    why = `expected the same count whatever the page size (${listed.announced} with the default) / received count ${announced} with page_size=${pageSize}`;
  } else if (announced !== undefined && announced !== seen.size) {
    why = `expected the ${announced} rows the count announces / received ${seen.size} across ${pages.length} page(s)`;
  } else {
    const expected = new Set(listed.keys);
    const d = diff(expected, seen);
    if (d !== '') why = `expected the ${expected.size} rows of the list walked with the default page size / received ${seen.size} (${d})`;
  }
  return why === undefined ? right : found({ message: `${at}: ${why}`, exchange: first, expected: 'no gap, no duplicate', received: why, recheck: true });
});

export type FiltersInput =
  | (ListPage & { kind: 'page' /** filter name → the single value sent */; filters: Record<string, string> })
  | {
      kind: 'walk';
      first: Exchange;
      at: string;
      /** the filter sent: name → value */
      query: Record<string, string>;
      /** every value is one the target showed (in its unfiltered list) */
      allListed: boolean;
      pages: { ex: Exchange; rows: Row[] }[];
      /** the unfiltered list, as the run read it */
      unfiltered: Row[];
    };

export const fuzzFilters = defineCheck<FiltersInput>(import.meta.url, 'fuzz_filters', (input) => {
  if (input.kind === 'page') {
    const { ex, at, rows, filters } = input;
    for (const [name, v] of Object.entries(filters)) {
      const rs = readings(v);
      const i = rows.findIndex((row) => !rs.some((r) => matches(row?.[name], r)));
      if (i >= 0) {
        const value = rows[i]?.[name];
        return found({ message: `${at}: expected only rows with ${name} ${JSON.stringify(v)} / received a row with ${name} ${JSON.stringify(value)}`, exchange: ex, pointer: `/results/${i}/${name}`, value, expected: v, received: JSON.stringify(value) });
      }
    }
    return right;
  }
  const { first, at, query, allListed, pages, unfiltered } = input;
  const q = describeQuery(query);
  if (first.status !== 200) {
    if (allListed && first.status !== undefined && first.status < 500) return found({ message: `${at}: expected 200 for known values (${q}) / received ${first.status}`, exchange: first, expected: '200', received: String(first.status) });
    return { passed: 0, findings: [], skip: `a refusal of values the target does not list (${first.status})` };
  }
  // every row matches
  const ids = new Set<string>();
  for (const { ex, rows } of pages) {
    for (const [i, row] of rows.entries()) {
      for (const [name, v] of Object.entries(query)) {
        if (!readings(v).some((r) => matches(row?.[name], r))) {
          const value = row?.[name];
          return found({ message: `${requestLine(ex)}: expected only rows with ${name} ${JSON.stringify(v)} / received a row with ${name} ${JSON.stringify(value)}`, exchange: ex, pointer: `/results/${i}/${name}`, value, expected: v, received: JSON.stringify(value) });
        }
      }
      const id = String(row?.id);
      if (ids.has(id)) return found({ message: `${requestLine(ex)}: expected each order request once / received ${id} twice (${q})`, exchange: ex, value: id });
      ids.add(id);
    }
  }
  // and exactly the rows of the unfiltered list with that value
  const entries = Object.entries(query);
  let combos: (string | undefined)[][] = [[]];
  for (const [, v] of entries) combos = combos.flatMap((c) => readings(v).map((r) => [...c, r]));
  let best: Set<string> | undefined;
  for (const combo of combos) {
    const expected = new Set(unfiltered.filter((row) => entries.every(([name], k) => matches(row[name], combo[k]))).map((r) => String(r.id)));
    if (expected.size === ids.size && [...expected].every((x) => ids.has(x))) return right;
    best ??= expected;
  }
  const why = `expected the ${best?.size ?? 0} row(s) of the unfiltered list with ${q} / received ${ids.size} (${diff(best ?? new Set(), ids)})`;
  return found({ message: `${at}: ${why}`, exchange: first, expected: q, received: `${ids.size} row(s)`, recheck: true });
});

/** `GET /api/v1/order/?page=…`: the method, and the path and query as sent (origin dropped, cut at 300 characters), as a message shows a request. */
export function requestLine(ex: Exchange): string {
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(ex.url)?.[0] ?? '';
  const url = ex.url.slice(origin.length);
  return `${ex.method} ${url.length > 300 ? `${url.slice(0, 300)}…(${url.length} chars)` : url}`;
}

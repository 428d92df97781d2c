/**
 * ORD-LIST-PAGING: a list's pages walk completely. Judged on a whole walk:
 * its rows that came twice, a walk that broke (a loop, a link that cannot be
 * followed, more pages than the count allows), and the announced `count`
 * against the rows the pages gave (ANALYSIS rule 2: a server that contradicts
 * itself), confirmed by a second walk before it is an error: confirmed when
 * that walk falls short of (or past) its count too and neither walk saw the
 * count move; otherwise a warning that says why (a live list may change
 * under a walk). A row that comes twice is a warning that says why when the
 * walk shows the list changed under it (the count moved, or the row was
 * modified after the walk began, or a second walk, made because rows came
 * twice, shows orders modified since the walk began: on a list sorted by
 * modification date an order that moves up pushes the rows after it down a
 * page, so a row comes twice that was never modified itself). The order list
 * is judged whole; the order request lists (unfiltered and filtered) on their
 * count only.
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type Finding, type Judgement } from '../define.ts';
import { movedCounts, type WalkSummary } from '../lists.ts';

export interface PagingInput {
  /** what was walked, for the messages: "the order list", "the order request list (?action=…)" */
  what: string;
  walk: WalkSummary;
  /** the second walk, made when the first contradicted its own count (`needsSecondWalk`) */
  again?: WalkSummary;
  /** rows whose reference came again in the walk, with the page that repeated it and the row's modification_date there */
  repeated?: { ref: string; page: Exchange; modified?: string }[];
  /** the most recently modified rows of the second walk (made when rows came twice), the most recent first */
  latest?: { ref: string; modified: string }[];
  /** whether the second walk's pages each came most recently modified first (at most 1 row in 100 out of that order): only on such a list does an order that moves go up it */
  newestFirst?: boolean;
  /** only the count is judged: a walk made for other checks (the order requests and their filters) */
  countOnly?: boolean;
}

/** Most repeated rows shown: one is enough to tell, five to see a pattern. */
const MAX_REPEATED = 5;

/** Whether a walk's rows differ from the count it announced (a second walk must then look again). */
export function needsSecondWalk(walk: WalkSummary): boolean {
  return !walk.broken && walk.paginated && walk.announced !== undefined && walk.announced !== walk.items;
}

export interface CountContradiction {
  /** seen twice, with the count unchanged on every page of both walks: the server contradicts itself */
  confirmed: boolean;
  /** "expected … / received …", with what the second walk saw */
  message: string;
}

/** A walk's count against its rows, and the second walk that looked again; undefined when they agree or the walk cannot tell. */
export function countContradiction(what: string, walk: WalkSummary, again: WalkSummary | undefined): CountContradiction | undefined {
  if (!needsSecondWalk(walk)) return undefined;
  const first = `expected the ${walk.announced} rows ${what} announces in count / received ${walk.items} across ${walk.pages} page(s)`;
  if (!again) return { confirmed: false, message: `${first}; not confirmed: no second walk was made` };
  const steady = (w: WalkSummary): boolean => w.counts.every((c) => c === w.announced);
  if (again.broken) return { confirmed: false, message: `${first}; not confirmed: a second walk broke (${again.broken})` };
  if (again.announced === again.items) {
    return { confirmed: false, message: `${first}; not confirmed: a second walk gave ${again.items} rows for count ${again.announced} (the list changed between the walks?)` };
  }
  if (!steady(walk) || !steady(again) || again.announced !== walk.announced) {
    const seen = [...new Set([...walk.counts, ...again.counts])].join(', ');
    return { confirmed: false, message: `${first}; not confirmed: the count moved during the walks (${seen}), so the list changed under them` };
  }
  return { confirmed: true, message: `${first}; confirmed by a second walk (${again.items} rows for the same count)` };
}

/**
 * Why a row came twice, when the walk shows the list changed under it (rule 2:
 * not confirmed): the count moved from page to page, the row was modified at
 * or after the second the walk began (its first page's Date header), or the
 * second walk, on a list sorted by modification date newest first
 * (`newestFirst`), shows other orders modified since then (`latest`).
 */
function changedUnderWalk(walk: WalkSummary, modified: string | undefined, latest: { ref: string; modified: string }[], newestFirst: boolean): string | undefined {
  const date = walk.first?.headers.date;
  const began = typeof date === 'string' ? Date.parse(date) : Number.NaN;
  const at = modified === undefined ? Number.NaN : Date.parse(modified);
  if (Number.isFinite(began) && Number.isFinite(at) && at >= began) return `it was modified during the walk (modification_date ${modified}; the walk began ${date})`;
  const moved = movedCounts(walk);
  if (moved) return `the count moved during the walk (${moved})`;
  // on a list sorted by modification date, newest first, an order modified during the walk goes up to the pages
  // already read and pushes the rows after it down one; on a list in another order it stays where it was
  const since = newestFirst && Number.isFinite(began) ? latest.filter((r) => Date.parse(r.modified) >= began) : [];
  if (since.length > 0) {
    const shown = since.map((r) => `${r.ref} at ${r.modified}`).join(', ');
    return `a second walk shows orders modified since the walk began (${shown}; the walk began ${date}), and on this list, sorted by modification date, newest first, an order that moves up pushes the rows after it down a page`;
  }
  return undefined;
}

export const orderListPaging = defineCheck<PagingInput>(import.meta.url, 'order_list_paging', ({ what, walk, again, repeated = [], latest = [], newestFirst = false, countOnly }): Judgement => {
  const findings: Finding[] = repeated.slice(0, MAX_REPEATED).map(({ ref, page, modified }): Finding => {
    const why = changedUnderWalk(walk, modified, latest, newestFirst);
    if (why) return { message: `order ${ref} appears twice in the list, but ${why}: the list changed under the walk, so this is not confirmed`, exchange: page, value: ref, severity: 'warning', unconfirmed: true };
    return { message: `order ${ref} appears twice in the list: expected each order once / received it again`, exchange: page, value: ref };
  });
  const contradiction = countContradiction(what, walk, again);
  const count = (c: CountContradiction): Finding => ({
    message: c.message,
    exchange: walk.first,
    pointer: '/count',
    value: walk.announced,
    expected: String(walk.announced),
    received: String(walk.items),
    // a server that contradicts its own count is an error in every profile, once confirmed
    severity: c.confirmed ? 'error' : 'warning',
    ...(c.confirmed ? {} : { unconfirmed: true }),
  });
  if (countOnly) return { passed: 0, findings: contradiction ? [count(contradiction)] : [] };
  if (walk.broken) {
    // a page's own link that cannot be followed leaves the list unwalkable: an error in every profile
    const broke: Finding = { message: `the list walk broke: ${walk.broken}`, ...(walk.refusedLink ? { severity: 'error' as const } : {}) };
    if (walk.brokenAt) broke.exchange = walk.brokenAt;
    else broke.evidence = { method: 'GET', url: walk.first?.url ?? '' };
    return { passed: 0, findings: [...findings, broke] };
  }
  if (contradiction) return { passed: 0, findings: [...findings, count(contradiction)] };
  return { passed: walk.pages, findings };
});

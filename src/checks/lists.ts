/**
 * The pages of a list walk (src/engine/list.ts), as the list checks read
 * them: a bare JSON array of rows, or a page `{count, next, previous,
 * results}`. Each page is judged as it comes, so a walk of a million rows
 * holds one page at a time.
 */
import type { Exchange } from '../harness/http.ts';
import type { JudgeEnv, Judgement } from './define.ts';
import { schemaJudgement, violationFinding } from './response.ts';

/** What a list check reads of a whole walk (src/engine/list.ts's `ListWalk` is one). */
export interface WalkSummary {
  /** rows the pages gave */
  items: number;
  pages: number;
  /** `count` of the first page, when paginated */
  announced: number | undefined;
  /** `count` of every page that gave one, in walk order */
  counts: number[];
  paginated: boolean;
  /** a problem with the walk itself (loop, bad link, transport, a body that is no list) */
  broken: string | undefined;
  /** the exchange of the first page */
  first: Exchange | undefined;
  /** the exchange that broke the walk */
  brokenAt: Exchange | undefined;
  /** the walk broke on a `next` link it refused to follow */
  refusedLink: boolean;
}

/** The counts a walk's pages announced, when they moved from page to page (`30, 31`); undefined while steady. */
export function movedCounts(w: WalkSummary): string | undefined {
  return w.counts.some((c) => c !== w.counts[0]) ? [...new Set(w.counts)].join(', ') : undefined;
}

/** One page of a walk, as a driver hands it to a list check. */
export interface ListPage {
  page: Exchange;
  /** the page is the walk's first (its envelope is judged) */
  first: boolean;
  /** how many rows the walk gave before this page (the rows' pointers count across pages) */
  offset: number;
}

/** The rows of a page: the array itself, or its `results` (empty when it has neither). */
export function pageRows(ex: Exchange): unknown[] {
  const body = ex.json();
  if (Array.isArray(body)) return body;
  const results = (body as { results?: unknown } | undefined)?.results;
  return Array.isArray(results) ? results : [];
}

/**
 * A page against the contract: the envelope of the first page (inferred,
 * validated without its rows), then every row against the component `row`,
 * its pointer `/results/<index across the walk>`. One pass per row.
 */
export function pageJudgement(env: JudgeEnv, { page, first, offset }: ListPage, operationId: string, row: string): Judgement {
  const body = page.json();
  const findings = [];
  if (first && !Array.isArray(body)) {
    const envelope = { ...(body as object), results: [] };
    for (const v of env.validators.response(operationId, 200)?.(envelope) ?? []) findings.push(violationFinding(env, page, v));
  }
  const validate = env.validators.component(row);
  const rows = pageRows(page);
  rows.forEach((item, i) => {
    for (const v of validate(item)) findings.push(violationFinding(env, page, v, `/results/${offset + i}`));
  });
  return { passed: rows.length, findings };
}

/**
 * The end of a walk that broke on a body that is neither an array nor a page:
 * that body judged against the list's response schema.
 */
export function brokenBodyJudgement(env: JudgeEnv, brokenAt: Exchange | undefined, operationId: string): Judgement {
  if (!brokenAt || brokenAt.status !== 200 || !brokenAt.isJson()) return { passed: 0, findings: [] };
  const body = brokenAt.json();
  if (Array.isArray(body) || (body && typeof body === 'object' && Array.isArray((body as { results?: unknown }).results))) return { passed: 0, findings: [] };
  return schemaJudgement(env, brokenAt, operationId);
}

/**
 * The export's rate limit: one export per user every 5 minutes. A second
 * start by the same user right after the first is refused with 429
 * (RATE-LIMIT) carrying a Retry-After header, in seconds or as an HTTP date
 * (RATE-RETRY-AFTER); a colleague's start while the user's window is open is
 * accepted, the limit being per user (RATE-SCOPE). Checks over time: each
 * start is given with when it was answered (ms since the epoch).
 */
import { retryAfterSeconds } from '../../harness/policies/backoff.ts';
import type { Exchange } from '../../harness/http.ts';
import { statusJudgement } from '../response.ts';
import { defineCheck } from '../define.ts';
import { ACCEPTED } from './start.ts';

/** An export start and when its answer came (Date.now()). */
export interface TimedStart {
  exchange: Exchange;
  at: number;
}

/** the documented window: one export per user every 5 minutes */
export const WINDOW_MS = 300_000;
/** a colleague's start later than this after the user's may meet a window already closed: it proves nothing */
export const SCOPE_MARGIN_MS = 270_000;

export interface RateLimitInput {
  /** the user's first start, accepted */
  first: TimedStart;
  /** the same user's second start */
  second: TimedStart;
}

export const rateLimit = defineCheck<RateLimitInput>(import.meta.url, 'rate_limit', ({ first, second }) => {
  if (second.at - first.at >= WINDOW_MS) return { passed: 0, findings: [], skip: `the second export came ${Math.round((second.at - first.at) / 1000)} s after the first, outside the 5-minute window` };
  return statusJudgement(second.exchange, [429], 'a second export by the same user within 5 minutes');
});

/**
 * Retry-After as HTTP writes it (RFC 9110 §10.2.3): a number of seconds, or an
 * HTTP date; read by the same parser as the harness's wait, so that a value
 * this check accepts is one the kit (and a client) can honour. "1.5" or
 * "2026-10-21" (which `Date.parse` takes) are not.
 */
function retryAfterReadable(ra: string | undefined): boolean {
  return retryAfterSeconds(ra) !== undefined;
}

export const rateLimitRetryAfter = defineCheck<{ second: Exchange }>(import.meta.url, 'rate_limit_retry_after', ({ second }) => {
  if (second.status !== 429) return { passed: 0, findings: [], skip: 'no 429 to inspect' };
  const ra = second.headers['retry-after'];
  if (retryAfterReadable(ra)) return { passed: 1, findings: [] };
  return { passed: 0, findings: [{ message: `429: expected a Retry-After header (seconds or a date) / received ${ra === undefined ? 'none' : JSON.stringify(ra)}`, exchange: second, expected: 'Retry-After', received: ra ?? 'absent' }] };
});

export interface RateScopeInput {
  /** when the user's own start was accepted */
  userStartedAt: number;
  /** a colleague's start, after it */
  colleague: TimedStart;
}

export const rateLimitScope = defineCheck<RateScopeInput>(import.meta.url, 'rate_limit_scope', ({ userStartedAt, colleague }) => {
  if (colleague.at - userStartedAt >= SCOPE_MARGIN_MS) return { passed: 0, findings: [], skip: "more than 4.5 minutes passed since the user's export: its window may have closed, so the colleague's export proves nothing" };
  return statusJudgement(colleague.exchange, ACCEPTED, "a colleague's export while the user's own is rate-limited (the limit is per user)");
});

/**
 * Backoff on a busy target: a 429, or a 503 that says when to come back
 * (Retry-After), asks the run to wait; the request is sent again up to twice,
 * after the wait the target asks for (the kit's default, 1 s, when it asks
 * for none). A wait longer than the kit honours (10 s unless told) or than
 * the run has left stops the run (INCOMPLETE, CONF_ERR_RETRY_AFTER_LIMIT):
 * the kit does not sleep for an hour because a header said so.
 *
 * Retry-After is read as RFC 9110 §10.2.3 writes it, and nothing else:
 * delay-seconds (1*DIGIT) or an HTTP-date (§5.6.7: IMF-fixdate, or one of
 * the two obsolete forms, rfc850-date and asctime-date). `Date.parse` would
 * take "2026-10-21", "1.5" or "tomorrow 9am" as well; such a value is
 * treated as absent, and the run notes it once.
 */

/** The kit's wait when the target asks for none, or in a form it does not know, in seconds. */
export const DEFAULT_WAIT_S = 1;
/** A request is sent at most this many times more after a busy answer. */
const MAX_RETRIES = 2;
/** The shortest wait between two attempts, in ms (a Retry-After of 0 is not a busy loop). */
const MIN_WAIT_MS = 100;

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** Sun, 06 Nov 1994 08:49:37 GMT */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** Sunday, 06-Nov-94 08:49:37 GMT */
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
/** Sun Nov  6 08:49:37 1994 */
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/** ms since the epoch of a date's fields, or undefined when they name no instant (31 Feb, 25:00). Seconds may be 60 (a leap second). */
function instant(year: number, month: number, day: number, h: number, m: number, s: number): number | undefined {
  if (h > 23 || m > 59 || s > 60 || day < 1) return undefined;
  const at = Date.UTC(year, month, day, h, m, Math.min(s, 59));
  if (new Date(at).getUTCDate() !== day) return undefined;
  return at + (s === 60 ? 1000 : 0);
}

/**
 * ms since the epoch an HTTP-date names (RFC 9110 §5.6.7), or undefined when
 * the value is not one. An rfc850-date's two-digit year is the most recent
 * year with those digits that is not more than 50 years after `now`.
 */
export function httpDate(value: string, now = Date.now()): number | undefined {
  let m = IMF_FIXDATE.exec(value);
  if (m) return instant(Number(m[3]), MONTHS.indexOf(m[2] as string), Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = RFC850_DATE.exec(value);
  if (m) {
    const thisYear = new Date(now).getUTCFullYear();
    let year = thisYear - (thisYear % 100) + Number(m[3]);
    if (year > thisYear + 50) year -= 100;
    return instant(year, MONTHS.indexOf(m[2] as string), Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = ASCTIME_DATE.exec(value);
  if (m) return instant(Number(m[6]), MONTHS.indexOf(m[1] as string), Number((m[2] as string).trim()), Number(m[3]), Number(m[4]), Number(m[5]));
  return undefined;
}

/**
 * Seconds a Retry-After value asks for: delay-seconds, or an HTTP-date
 * counted from `now` (0 when it is past); undefined when it is neither
 * (absent, empty, "1.5", "-5", "2026-10-21", "soon").
 */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number | undefined {
  const v = (value ?? '').trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = v === '' ? undefined : httpDate(v, now);
  return at === undefined ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** What the harness does with an answer: hand it over, wait and send the request again, or stop the run. */
export type BackoffStep = { kind: 'answer' } | { kind: 'wait'; ms: number } | { kind: 'stop'; message: string };

export interface BusyAnswer {
  method: string;
  url: string;
  status: number | undefined;
  retryAfter: string | undefined;
}

export class Backoff {
  private noted = false;
  /**
   * @param maxS longest Retry-After the harness waits out on its own, in seconds
   * @param note where a Retry-After the kit could not read is reported (once per run)
   */
  constructor(
    readonly maxS: number,
    private readonly note: (msg: string) => void,
  ) {}

  /** True for an answer that asks the run to wait: a 429, or a 503 with Retry-After. */
  static busy(status: number | undefined, retryAfter: string | undefined): boolean {
    return status === 429 || (status === 503 && retryAfter !== undefined);
  }

  /**
   * The next step after an answer. `attempt` counts the waits already made
   * for this request, `retry` is false where a check must see the 429 itself,
   * `now` is the wall clock a date is read against and `leftS` what the run
   * has left.
   */
  step(a: BusyAnswer, o: { attempt: number; retry: boolean; now: number; leftS: number }): BackoffStep {
    if (!Backoff.busy(a.status, a.retryAfter) || !o.retry || o.attempt >= MAX_RETRIES) return { kind: 'answer' };
    const waitS = this.waitS(a, o.now);
    if (waitS > this.maxS || waitS >= o.leftS) {
      const limit = waitS > this.maxS ? `the longest wait the kit honours (${this.maxS} s)` : `the time the run has left (${Math.max(0, Math.floor(o.leftS))} s of --max-run-s)`;
      return { kind: 'stop', message: `${a.method} ${a.url}: the target answered ${a.status} asking to wait ${waitS} s (Retry-After: ${JSON.stringify(a.retryAfter ?? '')}), longer than ${limit}; the run cannot wait that long` };
    }
    return { kind: 'wait', ms: Math.max(MIN_WAIT_MS, waitS * 1000) };
  }

  /** The wait an answer asks for, in seconds: its Retry-After, or the default when it has none the kit can read (noted once). */
  private waitS(a: BusyAnswer, now: number): number {
    const s = retryAfterSeconds(a.retryAfter, now);
    if (s !== undefined) return s;
    if (a.retryAfter !== undefined && a.retryAfter.trim() !== '' && !this.noted) {
      this.noted = true;
      this.note(`${a.method} ${a.url}: the target answered ${a.status} with a Retry-After the kit cannot read: expected delay-seconds or an HTTP-date (RFC 9110 §10.2.3) / received ${JSON.stringify(a.retryAfter)}; waited the default ${DEFAULT_WAIT_S} s instead (noted once per run)`);
    }
    return DEFAULT_WAIT_S;
  }
}

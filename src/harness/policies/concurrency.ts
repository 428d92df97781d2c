/**
 * How many requests may be in flight. Fixed (`--concurrency N`): N, always.
 * Adaptive (`--concurrency auto`): additive increase, multiplicative
 * decrease, within `--max-concurrency`.
 *
 * - It starts at START (4) and adds one slot per window of answers (a window
 *   is as many answers as there are slots, at least MIN_WINDOW) whose median
 *   latency has not risen: within RISE_OK × the baseline, the lowest window
 *   median seen (first at low concurrency). Only a window that reached the
 *   limit raises it: a serial phase would otherwise raise it to the maximum
 *   unused, and the next parallel phase would meet the target with all of it.
 * - It halves (at least 1) on a 429, on a 503, on a timeout, and on a window
 *   whose median latency is above RISE_BAD × the baseline (and SLACK_MS
 *   more, so that a 1 ms target is not halved for 2 ms of noise) twice in a
 *   row (one slow window is as often the kit's own pause). The answers
 *   still in flight from before a decrease were sent at the old limit: they
 *   neither decrease it again nor count towards a window.
 * - A decrease remembers the limit it was at (the ceiling). Climbing back,
 *   the limit stops one short of the ceiling and holds there for a plateau of
 *   windows before it probes the ceiling again; a probe that fails doubles
 *   the plateau, one that holds forgets the ceiling. Plain AIMD would saw
 *   between half the ceiling and the ceiling (three quarters of the
 *   throughput on average); this holds just below it.
 *
 * The controller is data in, a limit out: it reads no clock and sends
 * nothing, so it is tested on simulated targets (test/harness/policies).
 */

import type { ConcurrencySummary } from '../../report/types.ts';

export type { ConcurrencySummary };

/** One answer (or its absence) as the controller sees it. */
export interface Sample {
  status: number | undefined;
  /** the answer's latency; undefined when it says nothing of the target's (a streamed body's time is its transfer's) */
  durationMs: number | undefined;
  /** the exchange hit its deadline */
  timeout: boolean;
  /** every slot was taken, or requests waited for one, when it was answered (default true): a limit nobody reached is not raised */
  pressed?: boolean;
}

export interface ConcurrencyPolicy {
  readonly limit: number;
  observe(s: Sample): void;
  summary(): ConcurrencySummary;
}

export class FixedConcurrency implements ConcurrencyPolicy {
  constructor(readonly limit: number) {}
  observe(): void {}
  summary(): ConcurrencySummary {
    return { mode: 'fixed', settled: this.limit, max: this.limit, decreases: 0, increases: 0 };
  }
}

export const START = 4;
const MIN_WINDOW = 8;
const RISE_OK = 1.5;
const RISE_BAD = 2;
const SLACK_MS = 5;
const SLOW_WINDOWS = 2;
const FIRST_PLATEAU = 16;
const LONGEST_PLATEAU = 256;

export class AimdConcurrency implements ConcurrencyPolicy {
  limit: number;
  increases = 0;
  decreases = 0;
  /** the lowest window median seen, in ms */
  baseline: number | undefined;
  private window: number[] = [];
  /** some answer of the window came while the limit was reached */
  private pressed = false;
  private ceiling = Number.POSITIVE_INFINITY;
  private plateau = FIRST_PLATEAU;
  private held = 0;
  /** windows in a row whose latency rose past RISE_BAD */
  private slowWindows = 0;
  /** answers still to come that were sent before the last decrease */
  private stale = 0;
  /** answers seen at each limit */
  private readonly answersAt = new Map<number, number>();

  /** @param onChange told every new limit (the limiter's) */
  constructor(
    readonly max: number,
    private readonly onChange: (limit: number) => void = () => undefined,
    start = START,
  ) {
    this.limit = Math.max(1, Math.min(start, max));
  }

  observe(s: Sample): void {
    this.answersAt.set(this.limit, (this.answersAt.get(this.limit) ?? 0) + 1);
    if (this.stale > 0) {
      this.stale--;
      return;
    }
    if (s.status === 429 || s.status === 503 || s.timeout) {
      this.decrease();
      return;
    }
    if (s.status === undefined || s.durationMs === undefined) return;
    this.window.push(s.durationMs);
    this.pressed ||= s.pressed ?? true;
    if (this.window.length < Math.max(MIN_WINDOW, this.limit)) return;
    const median = percentile(this.window, 0.5);
    const pressed = this.pressed;
    this.window = [];
    this.pressed = false;
    this.baseline = Math.min(this.baseline ?? median, median);
    // one slow window is noise (a pause of the kit's own event loop, a busy machine); two in a row is the target
    if (median > RISE_BAD * this.baseline + SLACK_MS) {
      if (++this.slowWindows >= SLOW_WINDOWS) this.decrease();
      return;
    }
    this.slowWindows = 0;
    // a serial phase (one page after another) answers windows without ever reaching the limit: it proves nothing of a higher one
    if (pressed && median <= RISE_OK * this.baseline + SLACK_MS) this.increase();
  }

  private increase(): void {
    if (this.limit >= this.max) return;
    if (this.limit >= this.ceiling) {
      // a probe at the ceiling held for a whole window: the ceiling is gone
      this.ceiling = Number.POSITIVE_INFINITY;
      this.plateau = FIRST_PLATEAU;
    }
    if (this.limit + 1 >= this.ceiling && ++this.held < this.plateau) return;
    this.held = 0;
    this.set(this.limit + 1);
    this.increases++;
  }

  private decrease(): void {
    // a probe of the ceiling that failed: hold longer below it next time
    if (this.limit >= this.ceiling) this.plateau = Math.min(this.plateau * 2, LONGEST_PLATEAU);
    this.ceiling = this.limit;
    // the others in flight when this answer came were sent at the old limit
    this.stale = Math.max(0, this.limit - 1);
    this.window = [];
    this.pressed = false;
    this.held = 0;
    this.slowWindows = 0;
    this.decreases++;
    this.set(Math.max(1, Math.floor(this.limit / 2)));
  }

  private set(n: number): void {
    this.limit = n;
    this.onChange(n);
  }

  summary(): ConcurrencySummary {
    let settled = this.limit;
    let most = -1;
    for (const [limit, n] of this.answersAt) if (n > most || (n === most && limit > settled)) [settled, most] = [limit, n];
    return { mode: 'auto', settled, max: this.max, decreases: this.decreases, increases: this.increases };
  }
}

/** The p-th percentile (0..1) of some numbers (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

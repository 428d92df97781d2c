/**
 * The circuit breaker: after `threshold` transport failures in a row (no
 * answer at all: timeouts, resets, refused connections) the target is
 * unavailable and no further request is sent, so a dead target cannot
 * stretch a run. Any answer, whatever its status, closes the count.
 * Once open it stays open; `trip` opens it for another reason (the run
 * stopped: credentials, the run's time limit).
 */
export class Breaker {
  private failures = 0;
  private why: string | undefined;
  constructor(readonly threshold = 6) {}

  /** Why no request may be sent, if the breaker is open. */
  get reason(): string | undefined {
    return this.why;
  }

  /** The target answered. */
  success(): void {
    this.failures = 0;
  }

  /** The target did not answer; the reason the breaker opened, when this failure opened it. */
  failure(message: string): string | undefined {
    this.failures++;
    if (this.failures < this.threshold || this.why !== undefined) return undefined;
    this.why = `the target failed ${this.failures} requests in a row (last: ${message}); the remaining requests were not sent`;
    return this.why;
  }

  /** Opens the breaker for a reason of the run's (the first reason is kept). */
  trip(reason: string): void {
    this.why ??= reason;
  }
}

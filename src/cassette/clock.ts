/**
 * Time in `conformance judge`: the run being judged waited (Retry-After, the
 * export's polling, an order becoming active) and read the clock to bound
 * its waits. Replayed, a wait must not sleep and the clock must say what it
 * said in the recording: a virtual clock that a wait moves forward at once,
 * and that each replayed answer moves to the time it was answered.
 *
 * The drivers read the time and wait through the run context's clock
 * (RunContext.clock) and the harness stamps exchanges with its `now`: judge
 * hands them this clock, and nothing of the process is patched.
 */

export class VirtualClock {
  /** virtual time less real time, in ms */
  private offset = 0;
  private readonly realNow = Date.now;

  now(): number {
    return this.realNow.call(Date) + this.offset;
  }

  /** The clock reads at least `t` (ms since the epoch) from now on. */
  advanceTo(t: number): void {
    if (Number.isFinite(t)) this.offset = Math.max(this.offset, t - this.realNow.call(Date));
  }

  /**
   * A wait: it ends at once, the clock then reading at least the time it was
   * to end (waits side by side do not add up, as they do not on a real clock);
   * other work queued meanwhile runs first.
   */
  sleep = async (ms = 0, value?: unknown): Promise<unknown> => {
    const wake = this.now() + Math.max(0, ms);
    await new Promise<void>((r) => setImmediate(r));
    this.advanceTo(wake);
    return value;
  };
}

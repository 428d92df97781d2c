/**
 * Time in `conformance judge`: the run being judged waited (Retry-After, the
 * export's polling, an order becoming active) and read the clock to bound
 * its waits. Replayed, a wait must not sleep and the clock must say what it
 * said in the recording: a virtual clock that a wait moves forward at once,
 * and that each replayed answer moves to the time it was answered.
 *
 * The phases import `setTimeout` from node:timers/promises and call
 * `Date.now()` themselves, so the clock is installed over both while a judge
 * runs (module.syncBuiltinESMExports updates the live bindings) and taken
 * away after. When the drivers take their clock from the run context, this
 * goes.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
const timers = require('node:timers/promises') as { setTimeout: (ms?: number, value?: unknown) => Promise<unknown> };

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

  /** Puts the clock in place of Date.now and node:timers/promises' setTimeout; returns what puts them back. */
  install(): () => void {
    const realSleep = timers.setTimeout;
    const realNow = Date.now;
    Date.now = () => this.now();
    timers.setTimeout = this.sleep;
    syncBuiltinESMExports();
    return () => {
      Date.now = realNow;
      timers.setTimeout = realSleep;
      syncBuiltinESMExports();
    };
  }
}

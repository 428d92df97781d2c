/**
 * The requests in flight: at most `limit` at once, the rest wait in order.
 * The limit may change while requests wait (`--concurrency auto`): raising
 * it lets waiters in at once, lowering it lets no one in until enough
 * requests have finished; no waiter is dropped or let in twice.
 *
 * A slot is handed to the waiter it wakes (counted before the waiter runs),
 * so a request that arrives meanwhile cannot take it as well.
 */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private max: number) {
    if (!(max >= 1)) throw new RangeError(`a limiter needs at least 1 slot (got ${max})`);
  }

  get limit(): number {
    return this.max;
  }

  /** requests holding a slot */
  get inFlight(): number {
    return this.active;
  }

  /** requests waiting for one */
  get waiting(): number {
    return this.queue.length;
  }

  setLimit(n: number): void {
    this.max = Math.max(1, Math.floor(n));
    this.wake();
  }

  /** Takes a slot; resolves to the function that gives it back (once). */
  async acquire(): Promise<() => void> {
    if (this.active < this.max && this.queue.length === 0) this.active++;
    else await new Promise<void>((r) => this.queue.push(r));
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.active--;
      this.wake();
    };
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Lets waiters in while there are free slots, each counted as it is handed over. */
  private wake(): void {
    while (this.active < this.max && this.queue.length > 0) {
      this.active++;
      (this.queue.shift() as () => void)();
    }
  }
}

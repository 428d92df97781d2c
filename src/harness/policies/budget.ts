/**
 * The request budget (--budget): the most requests one run may send. A
 * request refused by another policy first is not counted; the first refusal
 * is the one the run reports (INCOMPLETE, CONF_ERR_BUDGET).
 */
export class Budget {
  spent = 0;
  private hit = false;
  constructor(readonly limit: number) {}

  /** True when one more request may be sent (it is not counted yet: `spend()` counts it). */
  allows(): boolean {
    return this.spent < this.limit;
  }

  spend(): void {
    this.spent++;
  }

  /** The first time the budget refuses a request: true (the run reports it once). */
  firstRefusal(): boolean {
    if (this.hit) return false;
    this.hit = true;
    return true;
  }

  message(): string {
    return `the request budget of ${this.limit} (--budget) was spent before the checks were done; later checks could not make their requests`;
  }
}

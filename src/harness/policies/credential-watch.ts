/**
 * The watch on the main credential: ten answers 401 in a row to it ask for a
 * confirmation (one read that had worked before): an expired or revoked
 * credential stops the run (INCOMPLETE), endpoints that refuse it wrongly
 * are left to the checks. A 401 that a fresh token from a source answered is
 * forgiven (it was not a refusal of the credential).
 */
export class CredentialWatch {
  /** consecutive answers 401 to the main credential */
  refusals = 0;
  /** answers other than 401 to it, in all */
  accepted = 0;
  constructor(readonly threshold = 10) {}

  observe(status: number | undefined): void {
    if (status === 401) this.refusals++;
    else {
      this.refusals = 0;
      this.accepted++;
    }
  }

  /** A 401 answered by a fresh token is not a refusal. */
  forgive(): void {
    if (this.refusals > 0) this.refusals--;
  }

  /** True when the refusals in a row ask for a confirmation. */
  due(): boolean {
    return this.refusals >= this.threshold;
  }

  /** Starts a confirmation: the refusals counted so far (and the count starts again). */
  take(): number {
    const n = this.refusals;
    this.refusals = 0;
    return n;
  }

  message(n: number): string {
    return `the main credential was refused (401) on ${n} calls in a row${this.accepted > 0 ? ' after it had worked: it expired or was revoked during the run' : ''}; the remaining requests were not sent`;
  }
}

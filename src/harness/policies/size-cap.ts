/**
 * The cap on a response's size (--max-body-bytes), counted per exchange as
 * its body arrives: past the cap the body is cut and the exchange reports
 * `too_large`. What is kept of a body within the cap (`keep`) is a separate
 * matter: a download keeps its head and digests the rest.
 */
export class BodyCap {
  bytes = 0;
  truncated = false;
  constructor(readonly max: number) {}

  /** Counts a chunk; false when it takes the body past the cap (the body is then cut). */
  add(n: number): boolean {
    this.bytes += n;
    if (this.bytes > this.max) this.truncated = true;
    return !this.truncated;
  }

  message(): string {
    return `the response exceeded ${this.max} bytes`;
  }
}

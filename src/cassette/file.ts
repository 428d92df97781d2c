/**
 * Cassette files: JSON Lines, a header record first, then one ExchangeRecord
 * per exchange in the order the answers came (docs/cassette.md). The writer
 * is a listener of the harness; it writes whole lines only, in batches (a
 * write per 256 KiB or per 250 ms, and at the end), so a run that stops
 * INCOMPLETE, is interrupted or dies leaves a file that is complete line by
 * line. The reader refuses, with CONF_ERR_CASSETTE, what is not a cassette.
 */
import { closeSync, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { ConformanceError } from '../errors.ts';
import type { Exchange, Harness } from '../harness/http.ts';
import { CASSETTE_VERSION, recordLine, type CassetteHeader, type ExchangeRecord } from './record.ts';

const FLUSH_BYTES = 256 * 1024;
const FLUSH_MS = 250;

const cassetteError = (msg: string): ConformanceError => new ConformanceError('CONF_ERR_CASSETTE', msg);

export class CassetteWriter {
  /**
   * whole lines waiting to be written, as bytes: a line comes as its UTF-8
   * bytes, a character per byte (recordLine), and is copied here as latin1,
   * never encoded again nor joined into a string of its own (escaping a body
   * from its bytes straight into the batch, in JavaScript, was measured
   * slower than JSON.stringify: 364–492 ms against 283–642 ms for a run's
   * 20,197 exchanges, 8 passes of each, alternated, on 2026-12-01)
   */
  private readonly buf = Buffer.allocUnsafe(2 * FLUSH_BYTES);
  private used = 0;
  private seq = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly onExit = (): void => this.flush();

  private constructor(
    private readonly fd: number,
    readonly path: string,
  ) {
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
    // a process that exits without closing the run (process.exit) still leaves its last lines
    process.once('exit', this.onExit);
  }

  /** Opens (replaces) `path` and writes the header line; CONF_ERR_CASSETTE when the file cannot be written. */
  static open(path: string, header: CassetteHeader): CassetteWriter {
    let fd: number;
    try {
      // a cassette written again over the last run's: a new file, not the old one truncated (ext4 would then
      // flush it to disk at close, about 70 ms a run); what is not a regular file (a FIFO, /dev/stdout) is opened as it is
      if (lstatOr(path)?.isFile()) unlinkSync(path);
      fd = openSync(path, 'w');
    } catch (e) {
      throw cassetteError(`--record: cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const w = new CassetteWriter(fd, path);
    const json = JSON.stringify(header);
    w.line(/^[\x00-\x7f]*$/.test(json) ? json : Buffer.from(json, 'utf8').toString('latin1'));
    w.flush();
    return w;
  }

  /** Records every exchange of the harness from now on, redacted by its Redactor, bodies kept up to `cap` characters. */
  attach(http: Harness, cap: number): void {
    http.onExchange((ex: Exchange) => {
      if (this.closed) return;
      this.line(recordLine(ex, ++this.seq, http.redactor, cap));
    });
  }

  get records(): number {
    return this.seq;
  }

  /** `bytes`: a line without its newline, a character per byte */
  private line(bytes: string): void {
    if (this.used + bytes.length + 1 > this.buf.length) this.flush();
    if (bytes.length + 1 > this.buf.length) {
      // a line longer than the batch (a body near the cap) goes out on its own
      this.write(Buffer.from(`${bytes}\n`, 'latin1'));
      return;
    }
    this.used += this.buf.write(bytes, this.used, 'latin1');
    this.buf[this.used++] = 0x0a;
    if (this.used >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    this.write(this.buf.subarray(0, n));
  }

  private write(chunk: Buffer): void {
    if (this.closed) return;
    try {
      for (let at = 0; at < chunk.length; ) at += writeSync(this.fd, chunk, at);
    } catch {
      // a full disk must not take the run down: the cassette stops where it could be written
      this.closed = true;
    }
  }

  close(): void {
    if (this.closed && this.used === 0) return;
    this.flush();
    this.closed = true;
    clearInterval(this.timer);
    process.removeListener('exit', this.onExit);
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

function lstatOr(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * What a cassette holds, from its header's `kind`: `run` (no kind: a run's
 * `--record`, judged by making the run again) or `proxy` (a client's traffic
 * through `conformance proxy`, judged as traffic: two verdicts).
 */
export type CassetteKind = 'run' | 'proxy';
const KINDS: readonly string[] = ['run', 'proxy'];

export interface Cassette {
  header: CassetteHeader;
  kind: CassetteKind;
  records: ExchangeRecord[];
}

/** Reads a cassette: CONF_ERR_CASSETTE for a file that is not one (unreadable, not JSON Lines, no header, another format version). */
export function readCassette(path: string): Cassette {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw cassetteError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseCassette(text, path);
}

export function parseCassette(text: string, path = 'the cassette'): Cassette {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) throw cassetteError(`${path} is empty: expected a header line ({"cassette":${CASSETTE_VERSION},…}) and one exchange per line`);
  const parse = (l: string, n: number): unknown => {
    try {
      return JSON.parse(l);
    } catch {
      const end = n === lines.length && !text.endsWith('\n') ? ' (the file ends inside this line: it was cut)' : '';
      throw cassetteError(`${path}: line ${n} is not JSON${end}; a cassette is JSON Lines, one record per line`);
    }
  };
  const header = parse(lines[0] as string, 1) as Partial<CassetteHeader> | null;
  if (header === null || typeof header !== 'object' || !('cassette' in header)) throw cassetteError(`${path}: line 1 is not a cassette header (expected {"cassette":${CASSETTE_VERSION},"contract":…}); is it a cassette of this kit?`);
  if (header.cassette !== CASSETTE_VERSION) throw cassetteError(`${path}: cassette format ${JSON.stringify(header.cassette)}: expected ${CASSETTE_VERSION} (written by another version of the kit)`);
  const kind = (header as { kind?: unknown }).kind ?? 'run';
  if (typeof kind !== 'string' || !KINDS.includes(kind)) throw cassetteError(`${path}: cassette kind ${JSON.stringify(kind)}: expected one of ${KINDS.join(', ')} (or none: a run's)`);
  // a proxy's cassettes written before their header named the contract are still a client's traffic, judged with today's contract
  if ((kind === 'run' && typeof header.contract !== 'string') || typeof header.target !== 'string') throw cassetteError(`${path}: the header lacks "contract" or "target"`);
  const records: ExchangeRecord[] = [];
  for (let i = 1; i < lines.length; i++) {
    const r = parse(lines[i] as string, i + 1) as ExchangeRecord | null;
    if (r === null || typeof r !== 'object' || typeof r.request?.method !== 'string' || typeof r.request?.url !== 'string' || (r.response === undefined && r.error === undefined)) {
      throw cassetteError(`${path}: line ${i + 1} is not an exchange record (expected "request" with "method" and "url", and "response" or "error")`);
    }
    records.push(r);
  }
  return { header: header as CassetteHeader, kind: kind as CassetteKind, records };
}

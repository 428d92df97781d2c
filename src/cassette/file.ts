/**
 * Cassette files: JSON Lines, a header record first, then one ExchangeRecord
 * per exchange in the order the answers came (docs/cassette.md). The writer
 * is a listener of the harness; it writes whole lines only, in batches (a
 * write per 256 KiB or per 250 ms, and at the end), so a run that stops
 * INCOMPLETE, is interrupted or dies leaves a file that is complete line by
 * line. The reader refuses, with CONF_ERR_CASSETTE, what is not a cassette.
 */
import { closeSync, fstatSync, lstatSync, openSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { ConformanceError } from '../errors.ts';
import type { Exchange, Harness } from '../harness/http.ts';
import { CASSETTE_VERSION, recordParts, type CassetteHeader, type ExchangeRecord } from './record.ts';

const FLUSH_BYTES = 256 * 1024;
const FLUSH_MS = 250;
/**
 * Exchanges are made into lines in batches of this many (or of this many
 * body bytes), on the next turn of the event loop at the latest: made one at a
 * time between the run's other work, the recorder's code and tables are cold
 * each time. A 3,000-order run with --record against one without, CPU time,
 * medians of alternated runs on 2026-12-01: 1.134× made one by one against
 * 1.085× in batches of 64 (7 runs each, load average 2), then 1.155× against
 * 1.140× (9 runs each, load average 1–2): a gain, smaller than the machine's
 * noise; batches of 16 and 256 did no better.
 */
const RECORD_BATCH = 64;
const RECORD_BATCH_BYTES = 1024 * 1024;

const cassetteError = (msg: string): ConformanceError => new ConformanceError('CONF_ERR_CASSETTE', msg);

export class CassetteWriter {
  /**
   * whole lines waiting to be written, as bytes: a line comes in parts
   * (recordParts), each copied here in its encoding, never joined into a
   * string of its own (escaping a body from its bytes straight into the
   * batch, in JavaScript, was measured slower than JSON.stringify: 364–492 ms
   * against 283–642 ms for a run's 20,197 exchanges, 8 passes of each,
   * alternated, on 2026-12-01)
   */
  private readonly buf = Buffer.allocUnsafe(2 * FLUSH_BYTES);
  private used = 0;
  private seq = 0;
  private closed = false;
  /** exchanges answered and not yet made into lines (RECORD_BATCH), in their order, and their bodies' bytes */
  private pending: Exchange[] = [];
  private pendingBytes = 0;
  private drainQueued = false;
  /** makes the pending exchanges into lines, with the harness's Redactor and the body cap (set by attach) */
  private drain: () => void = () => undefined;
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
    w.parts(JSON.stringify(header), undefined, '');
    w.flush();
    return w;
  }

  /** Records every exchange of the harness from now on, redacted by its Redactor, bodies kept up to `cap` characters. */
  attach(http: Harness, cap: number): void {
    this.drain = () => {
      this.drainQueued = false;
      const batch = this.pending;
      this.pending = [];
      this.pendingBytes = 0;
      // an exchange is not changed once the harness has handed it over, so making its line later makes the same line
      for (const ex of batch) {
        const { head, body, tail } = recordParts(ex, ++this.seq, http.redactor, cap);
        this.parts(head, body, tail);
      }
    };
    http.onExchange((ex: Exchange) => {
      if (this.closed) return;
      this.pending.push(ex);
      this.pendingBytes += ex.body.length;
      if (this.pending.length >= RECORD_BATCH || this.pendingBytes >= RECORD_BATCH_BYTES) this.drain();
      else if (!this.drainQueued) {
        this.drainQueued = true;
        setImmediate(() => {
          if (this.drainQueued) this.drain();
        });
      }
    });
  }

  /** the exchanges recorded so far (those waiting in a batch included) */
  get records(): number {
    return this.seq + this.pending.length;
  }

  /** a line in parts: `head` and `tail` written as UTF-8, `body` (a JSON string, a character per byte) as latin1 */
  private parts(head: string, body: string | undefined, tail: string): void {
    // at most 3 bytes a UTF-16 unit in UTF-8
    const bound = 3 * (head.length + tail.length) + (body?.length ?? 0) + 1;
    if (this.used + bound > this.buf.length) this.flush();
    if (bound > this.buf.length) {
      // a line longer than the batch (a body near the cap) goes out on its own
      this.write(Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from(body ?? '', 'latin1'), Buffer.from(`${tail}\n`, 'utf8')]));
      return;
    }
    this.used += this.buf.write(head, this.used, 'utf8');
    if (body !== undefined) this.used += this.buf.write(body, this.used, 'latin1');
    if (tail !== '') this.used += this.buf.write(tail, this.used, 'utf8');
    this.buf[this.used++] = 0x0a;
    if (this.used >= FLUSH_BYTES) this.flush();
  }

  /** Writes every exchange recorded so far (the batch waiting included) as whole lines. */
  flush(): void {
    if (this.pending.length > 0) this.drain();
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    this.write(this.buf.subarray(0, n));
  }

  private write(chunk: Buffer): void {
    if (this.closed) return;
    try {
      writeAll(this.fd, chunk);
    } catch {
      // a full disk must not take the run down: the cassette stops where it could be written
      this.closed = true;
    }
  }

  close(): void {
    if (this.closed && this.used === 0 && this.pending.length === 0) return;
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

/** Writes `values` to `path` as JSON Lines, in batches of about 1 MiB (never the whole file as one string). */
export function writeJsonLines(path: string, values: Iterable<unknown>): void {
  const fd = openSync(path, 'w');
  try {
    let batch = '';
    for (const v of values) {
      batch += `${JSON.stringify(v)}\n`;
      if (batch.length >= 1 << 20) {
        writeAll(fd, Buffer.from(batch, 'utf8'));
        batch = '';
      }
    }
    writeAll(fd, Buffer.from(batch, 'utf8'));
  } finally {
    closeSync(fd);
  }
}

/** Writes all of `b` (a write may take only part of it). */
function writeAll(fd: number, b: Buffer): void {
  for (let at = 0; at < b.length; ) at += writeSync(fd, b, at);
}

/**
 * What a recording file is, from its first line (read from its first
 * 64 KiB): the cassette of a run or of the proxy, a HAR (one JSON document,
 * `{"log":…`), or undefined (unreadable, or neither).
 */
export function recordingFormat(path: string): CassetteKind | 'har' | undefined {
  let head: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const b = Buffer.alloc(64 * 1024);
      head = b.subarray(0, readSync(fd, b, 0, b.length, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  try {
    const first = JSON.parse(head.split('\n', 1)[0] ?? '') as { cassette?: unknown; kind?: unknown; log?: unknown } | null;
    if (first && typeof first === 'object' && 'cassette' in first) return first.kind === 'proxy' ? 'proxy' : 'run';
    if (first && typeof first === 'object' && 'log' in first) return 'har';
  } catch {
    // a HAR is one JSON document over many lines
    if (/^\s*\{\s*"log"\s*:/.test(head)) return 'har';
  }
  return undefined;
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
  /**
   * Closes the file the bodies of a large cassette are read from (see
   * `readCassette`); a body asked for later opens it again. Absent for a
   * cassette held whole.
   */
  close?(): void;
}

/**
 * A cassette file up to this size is read whole. A larger one (a run over
 * tens of thousands of orders: 1.2 GB at 100,000) is read a line at a time
 * and its response bodies are left in the file, each read again when it is
 * asked for: whole, it would pass V8's longest string (512 MiB) and then the
 * heap.
 */
export const HELD_WHOLE_BYTES = 64 * 1024 * 1024;

/** Reads a cassette: CONF_ERR_CASSETTE for a file that is not one (unreadable, not JSON Lines, no header, another format version). */
export function readCassette(path: string, o: { heldWhole?: number } = {}): Cassette {
  let fd: number;
  let stat: ReturnType<typeof fstatSync>;
  try {
    fd = openSync(path, 'r');
    stat = fstatSync(fd);
  } catch (e) {
    throw cassetteError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (stat.size > (o.heldWhole ?? HELD_WHOLE_BYTES) && stat.isFile()) return readLarge(fd, path);
  let text: string;
  try {
    text = readFileSync(fd, 'utf8');
  } catch (e) {
    throw cassetteError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    closeSync(fd);
  }
  return parseCassette(text, path);
}

const notJson = (path: string, n: number, cut: boolean): ConformanceError => cassetteError(`${path}: line ${n} is not JSON${cut ? ' (the file ends inside this line: it was cut)' : ''}; a cassette is JSON Lines, one record per line`);

/** The header of a cassette and its kind, or CONF_ERR_CASSETTE naming what is wrong with it. */
function headerOf(header: Partial<CassetteHeader> | null, path: string): { header: CassetteHeader; kind: CassetteKind } {
  if (header === null || typeof header !== 'object' || !('cassette' in header)) throw cassetteError(`${path}: line 1 is not a cassette header (expected {"cassette":${CASSETTE_VERSION},"contract":…}); is it a cassette of this kit?`);
  if (header.cassette !== CASSETTE_VERSION) throw cassetteError(`${path}: cassette format ${JSON.stringify(header.cassette)}: expected ${CASSETTE_VERSION} (written by another version of the kit)`);
  const kind = (header as { kind?: unknown }).kind ?? 'run';
  if (typeof kind !== 'string' || !KINDS.includes(kind)) throw cassetteError(`${path}: cassette kind ${JSON.stringify(kind)}: expected one of ${KINDS.join(', ')} (or none: a run's)`);
  // a proxy's cassettes written before their header named the contract are still a client's traffic, judged with today's contract
  if ((kind === 'run' && typeof header.contract !== 'string') || typeof header.target !== 'string') throw cassetteError(`${path}: the header lacks "contract" or "target"`);
  return { header: header as CassetteHeader, kind: kind as CassetteKind };
}

/** A record of a cassette, or CONF_ERR_CASSETTE for a line that is not one. */
function recordOf(r: ExchangeRecord | null, n: number, path: string): ExchangeRecord {
  if (r === null || typeof r !== 'object' || typeof r.request?.method !== 'string' || typeof r.request?.url !== 'string' || (r.response === undefined && r.error === undefined)) {
    throw cassetteError(`${path}: line ${n} is not an exchange record (expected "request" with "method" and "url", and "response" or "error")`);
  }
  return r;
}

export function parseCassette(text: string, path = 'the cassette'): Cassette {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) throw cassetteError(`${path} is empty: expected a header line ({"cassette":${CASSETTE_VERSION},…}) and one exchange per line`);
  const parse = (l: string, n: number): unknown => {
    try {
      return JSON.parse(l);
    } catch {
      throw notJson(path, n, n === lines.length && !text.endsWith('\n'));
    }
  };
  const { header, kind } = headerOf(parse(lines[0] as string, 1) as Partial<CassetteHeader> | null, path);
  const records: ExchangeRecord[] = [];
  for (let i = 1; i < lines.length; i++) records.push(recordOf(parse(lines[i] as string, i + 1) as ExchangeRecord | null, i + 1, path));
  return { header, kind, records };
}

const CHUNK = 8 * 1024 * 1024;

/**
 * Reads a large cassette a line at a time (8 MiB reads), checking each line
 * as `parseCassette` does, and holds each record as a FileRecord: what the
 * replay matches and orders by, and the line's place in the file.
 */
function readLarge(fd: number, path: string): Cassette {
  const lines = new LineReader(path, fd);
  const shared = new Shared();
  const records: ExchangeRecord[] = [];
  let head: { header: CassetteHeader; kind: CassetteKind } | undefined;
  let n = 0;
  const take = (line: Buffer, offset: number, cut: boolean): void => {
    n++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line.toString('utf8'));
    } catch {
      throw notJson(path, n, cut);
    }
    if (n === 1) head = headerOf(parsed as Partial<CassetteHeader> | null, path);
    else records.push(new FileRecord(lines, offset, line.length, recordOf(parsed as ExchangeRecord | null, n, path), shared));
  };
  const chunk = Buffer.allocUnsafe(CHUNK);
  let carry = Buffer.alloc(0);
  let pos = 0;
  try {
    for (;;) {
      const got = readSync(fd, chunk, 0, CHUNK, pos);
      if (got === 0) break;
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, got)]) : chunk.subarray(0, got);
      const bufAt = pos - carry.length;
      pos += got;
      let from = 0;
      for (let nl = buf.indexOf(0x0a, from); nl !== -1; nl = buf.indexOf(0x0a, from)) {
        take(buf.subarray(from, nl), bufAt + from, false);
        from = nl + 1;
      }
      // the start of a line the next read ends (copied: the chunk is read into again)
      carry = Buffer.from(buf.subarray(from));
    }
    if (carry.length > 0) take(carry, pos - carry.length, true);
  } catch (e) {
    lines.close();
    if (e instanceof ConformanceError) throw e;
    throw cassetteError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!head) {
    lines.close();
    throw cassetteError(`${path} is empty: expected a header line ({"cassette":${CASSETTE_VERSION},…}) and one exchange per line`);
  }
  return { ...head, records, close: () => lines.close() };
}

/**
 * A record of a large cassette. It holds what the replay matches and orders
 * records by (seq, time, method, URL, request body, principal, operation,
 * purpose, shard, error) and where its line is in the file; `response` reads
 * the line again and parses it (the last line read is kept: the replay reads
 * a response's fields in a row). About 350 bytes a record (234 MB of heap
 * for the 671,481 of a 100,000-order run), against 2.4 KB when a record held
 * its answer's status and headers.
 */
export class FileRecord implements ExchangeRecord {
  seq?: number;
  shard?: number;
  at?: string;
  durationMs?: number;
  operationId?: string;
  purpose?: string;
  principal?: string;
  request: ExchangeRecord['request'];
  error?: ExchangeRecord['error'];

  constructor(
    private readonly lines: LineReader,
    private readonly offset: number,
    private readonly length: number,
    r: ExchangeRecord,
    shared?: Shared,
  ) {
    if (r.seq !== undefined) this.seq = r.seq;
    if (r.shard !== undefined) this.shard = r.shard;
    if (r.at !== undefined) this.at = r.at;
    if (r.durationMs !== undefined) this.durationMs = r.durationMs;
    if (r.operationId !== undefined) this.operationId = shared?.value(r.operationId) ?? r.operationId;
    if (r.purpose !== undefined) this.purpose = shared?.value(r.purpose) ?? r.purpose;
    if (r.principal !== undefined) this.principal = shared?.value(r.principal) ?? r.principal;
    const q = r.request;
    this.request = { method: shared?.value(q.method) ?? q.method, url: q.url, ...(q.body !== undefined ? { body: q.body } : {}), ...(q.headers ? { headers: shared?.headers(q.headers) ?? q.headers } : {}) };
    if (r.error !== undefined) this.error = r.error;
  }

  /** the recorded answer, read again from the file */
  get response(): ExchangeRecord['response'] {
    return this.lines.record(this.offset, this.length).response;
  }

  /** The same record under another seq and shard (a merge's). */
  renumbered(seq: number, shard: number): FileRecord {
    const r = new FileRecord(this.lines, this.offset, this.length, this);
    r.seq = seq;
    r.shard = shard;
    return r;
  }

  /** the record as its line holds it, seq and shard as they are now */
  toJSON(): ExchangeRecord {
    const full = this.lines.record(this.offset, this.length);
    return { ...full, ...(this.seq !== undefined ? { seq: this.seq } : {}), ...(this.shard !== undefined ? { shard: this.shard } : {}) };
  }
}

/** A record under another seq and shard, for a merge: a FileRecord stays one (its answer is still read from its file). */
export function renumbered(r: ExchangeRecord, seq: number, shard: number): ExchangeRecord {
  return r instanceof FileRecord ? r.renumbered(seq, shard) : { ...r, seq, shard };
}

/** Whether a record holds an answer or a transport failure (a FileRecord always does: its line was checked when read). */
export function answered(r: ExchangeRecord): boolean {
  return r instanceof FileRecord || r.response !== undefined || r.error !== undefined;
}

/**
 * One copy of each header set a large cassette repeats (the request's, most
 * of all) and of each short value (a method, an operation): the records
 * share them, and never change them. Bounded: a cassette whose values never
 * repeat fills it, and it starts again.
 */
class Shared {
  private readonly sets = new Map<string, Record<string, string>>();
  private readonly values = new Map<string, string>();

  value(v: string): string {
    const one = this.values.get(v);
    if (one !== undefined) return one;
    if (this.values.size >= 10_000) this.values.clear();
    this.values.set(v, v);
    return v;
  }

  headers(h: Record<string, string>): Record<string, string> {
    let key = '';
    for (const k of Object.keys(h)) key += `${k}\0${h[k]}\0`;
    const known = this.sets.get(key);
    if (known) return known;
    if (this.sets.size >= 10_000) this.sets.clear();
    this.sets.set(key, h);
    return h;
  }
}

/** Reads lines of a cassette again by their offset, the file opened again when it was closed. */
class LineReader {
  private lastAt = -1;
  private last: ExchangeRecord | undefined;
  constructor(
    private readonly path: string,
    private fd: number | undefined,
  ) {}

  record(offset: number, length: number): ExchangeRecord {
    if (offset !== this.lastAt || this.last === undefined) {
      this.fd ??= openSync(this.path, 'r');
      const b = Buffer.allocUnsafe(length);
      for (let at = 0; at < length; ) {
        const got = readSync(this.fd, b, at, length - at, offset + at);
        if (got === 0) throw cassetteError(`${this.path} changed while it was judged: the line at byte ${offset} is no longer whole`);
        at += got;
      }
      try {
        this.last = JSON.parse(b.toString('utf8')) as ExchangeRecord;
      } catch {
        throw cassetteError(`${this.path} changed while it was judged: the line at byte ${offset} is no longer the record read there`);
      }
      this.lastAt = offset;
    }
    return this.last;
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }
}

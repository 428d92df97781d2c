/**
 * A streaming CSV parser for the export cross-check: RFC 4180 with the
 * dialect and the strictness the suite asked of csv-parse (`bom: true`,
 * `skip_empty_lines: true`, `relax_column_count: false`, no trimming, no
 * casting), at several times its speed (see `npm run bench`).
 *
 * - The record delimiter is discovered as csv-parse does it: the first
 *   `\r\n`, `\n` or `\r` outside quotes; from then on only that one ends a
 *   record (another line break in an unquoted field is data).
 * - A UTF-8 byte-order mark is skipped; a UTF-16LE one (which csv-parse
 *   honours by re-decoding) hands the whole stream to csv-parse.
 * - Errors, each thrown as a `CsvParseError`: a quote inside an unquoted
 *   field, a closing quote followed by anything but a delimiter or the end of
 *   the record, a quote left open at the end, and a record whose number of
 *   fields differs from the first record's.
 *
 * The bytes are decoded chunk by chunk (a `StringDecoder` keeps characters
 * split across chunks whole) and scanned as a string; a record cut by the end
 * of a chunk is carried over to the next one.
 */
import { StringDecoder } from 'node:string_decoder';

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/** The record delimiter: not yet known, `\r\n`, `\n` or `\r`. */
const enum Rd {
  Unknown,
  CrLf,
  Lf,
  Cr,
}

export class CsvParseError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CsvParseError';
  }
}

/**
 * Longest record accepted, in characters (an order row is a few hundred): a
 * record that grows past it is an error, so a hostile endless record cannot
 * grow memory until the download's deadline. csv-parse's `max_record_size`.
 */
export const MAX_RECORD_CHARS = 1 << 20;

/** Marks "the data so far ends inside this record": wait for the next chunk. */
const MORE = -1;

export class CsvParser {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  private first = true;
  private rd = Rd.Unknown;
  private expected = -1;
  /** 1-based line of the record being read, for messages */
  private line = 1;

  constructor(private readonly onRecord: (record: string[]) => void) {}

  write(chunk: Buffer): void {
    let text = this.decoder.write(chunk);
    if (text.length === 0) return;
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.scan(this.rest.length > 0 ? this.rest + text : text, false);
    if (this.rest.length > MAX_RECORD_CHARS) {
      throw new CsvParseError('CSV_MAX_RECORD_SIZE', `Max Record Size: the record at line ${this.line} is longer than ${MAX_RECORD_CHARS} characters and still not ended`);
    }
  }

  end(): void {
    let text = this.rest + this.decoder.end();
    if (this.first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.first = false;
    this.rest = '';
    this.scan(text, true);
  }

  /**
   * Length of the record delimiter at `p` (0 when there is none there), or
   * MORE when the data ends on a `\r` that a `\n` may follow.
   */
  private delimiterAt(s: string, p: number, final: boolean): number {
    const c = s.charCodeAt(p);
    if (c !== CR && c !== LF) return 0;
    switch (this.rd) {
      case Rd.Lf:
        return c === LF ? 1 : 0;
      case Rd.Cr:
        return c === CR ? 1 : 0;
      case Rd.CrLf:
        if (c !== CR) return 0;
        if (p + 1 >= s.length) return final ? 0 : MORE;
        return s.charCodeAt(p + 1) === LF ? 2 : 0;
      default:
        if (c === LF) {
          this.rd = Rd.Lf;
          return 1;
        }
        if (p + 1 >= s.length && !final) return MORE;
        this.rd = s.charCodeAt(p + 1) === LF ? Rd.CrLf : Rd.Cr;
        return this.rd === Rd.CrLf ? 2 : 1;
    }
  }

  private emit(record: string[]): void {
    if (this.expected < 0) this.expected = record.length;
    else if (record.length !== this.expected) {
      throw new CsvParseError('CSV_RECORD_INCONSISTENT_FIELDS_LENGTH', `Invalid Record Length: expect ${this.expected}, got ${record.length} on line ${this.line}`);
    }
    this.onRecord(record);
  }

  private scan(s: string, final: boolean): void {
    const n = s.length;
    let pos = 0;
    // where the next quote is (-1: none left): lines before it take the fast path
    let nextQuote = s.indexOf('"');
    while (pos < n) {
      if (this.rd !== Rd.Unknown) {
        // fast path: a whole line without quotes is its fields split at the commas
        const dlen = this.rd === Rd.CrLf ? 2 : 1;
        const eol = this.rd === Rd.CrLf ? s.indexOf('\r\n', pos) : s.indexOf(this.rd === Rd.Lf ? '\n' : '\r', pos);
        if (eol < 0 && !final) break;
        const stop = eol < 0 ? n : eol;
        if (nextQuote >= 0 && nextQuote < pos) nextQuote = s.indexOf('"', pos);
        if (nextQuote < 0 || nextQuote >= stop) {
          if (stop > pos) {
            this.emit(s.slice(pos, stop).split(','));
            this.line++;
          } else this.line++; // an empty line is skipped
          pos = eol < 0 ? n : eol + dlen;
          continue;
        }
      }
      // an empty line is skipped
      const d = this.delimiterAt(s, pos, final);
      if (d === MORE) break;
      if (d > 0) {
        pos += d;
        this.line++;
        continue;
      }
      const end = this.record(s, pos, final);
      if (end === MORE) break;
      pos = end;
    }
    this.rest = pos < n ? s.slice(pos) : '';
  }

  /** Reads one record from `start`; returns the position after it, or MORE. */
  private record(s: string, start: number, final: boolean): number {
    const n = s.length;
    const record: string[] = [];
    let p = start;
    let lines = 0;
    for (;;) {
      if (p < n && s.charCodeAt(p) === QUOTE) {
        // a quoted field: "" stands for one quote
        let value = '';
        let from = p + 1;
        let q = from;
        for (;;) {
          const close = s.indexOf('"', q);
          if (close < 0) {
            if (!final) return MORE;
            throw new CsvParseError('CSV_QUOTE_NOT_CLOSED', `Quote Not Closed: the parsing is finished with an opening quote at line ${this.line}`);
          }
          if (close + 1 >= n && !final) return MORE;
          if (close + 1 < n && s.charCodeAt(close + 1) === QUOTE) {
            value += s.slice(from, close + 1);
            q = from = close + 2;
            continue;
          }
          value += s.slice(from, close);
          p = close + 1;
          break;
        }
        for (let i = value.indexOf('\n'); i >= 0; i = value.indexOf('\n', i + 1)) lines++;
        record.push(value);
        if (p >= n) break;
        if (s.charCodeAt(p) === COMMA) {
          p++;
          continue;
        }
        const d = this.delimiterAt(s, p, final);
        if (d === MORE) return MORE;
        if (d > 0) {
          p += d;
          break;
        }
        throw new CsvParseError('CSV_INVALID_CLOSING_QUOTE', `Invalid Closing Quote: got "${s[p]}" at line ${this.line + lines} instead of delimiter, record delimiter, trimable character (if activated) or comment`);
      }
      // an unquoted field: up to a comma or the record delimiter
      let q = p;
      let d = 0;
      for (; q < n; q++) {
        const c = s.charCodeAt(q);
        if (c === COMMA) break;
        if (c === CR || c === LF) {
          d = this.delimiterAt(s, q, final);
          if (d === MORE) return MORE;
          if (d > 0) break;
        } else if (c === QUOTE) {
          throw new CsvParseError('INVALID_OPENING_QUOTE', `Invalid Opening Quote: a quote is found on field ${record.length} at line ${this.line + lines}, value is ${JSON.stringify(s.slice(p, q))}`);
        }
      }
      if (q >= n && !final) return MORE;
      record.push(s.slice(p, q));
      if (q >= n) {
        p = q;
        break;
      }
      if (d > 0) {
        p = q + d;
        break;
      }
      p = q + 1; // a comma
    }
    this.emit(record);
    this.line += 1 + lines;
    return p;
  }
}

/**
 * Parses a CSV byte stream, calling `onRecord` with each record's fields (the
 * header row first). Rejects with the first parse error.
 */
export async function parseCsvStream(body: AsyncIterable<Buffer>, onRecord: (record: string[]) => void): Promise<void> {
  const it = body[Symbol.asyncIterator]();
  // enough bytes to tell a UTF-16LE byte-order mark
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < 2) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    head.push(r.value);
    headBytes += r.value.length;
  }
  const start = Buffer.concat(head);
  const rest: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => ({ next: () => (done ? Promise.resolve({ done: true, value: undefined }) : it.next()) }),
  };
  if (start[0] === 0xff && start[1] === 0xfe) return viaCsvParse(start, rest, onRecord);
  const parser = new CsvParser(onRecord);
  if (start.length > 0) parser.write(start);
  for await (const chunk of rest) parser.write(chunk);
  parser.end();
}

/** The rare UTF-16LE file, through csv-parse with the same options. */
async function viaCsvParse(start: Buffer, rest: AsyncIterable<Buffer>, onRecord: (record: string[]) => void): Promise<void> {
  const { parse } = await import('csv-parse');
  const parser = parse({ bom: true, relax_column_count: false, skip_empty_lines: true, max_record_size: MAX_RECORD_CHARS });
  const feed = (async () => {
    parser.write(start);
    for await (const chunk of rest) if (!parser.write(chunk)) await new Promise((r) => parser.once('drain', r));
    parser.end();
  })();
  feed.catch((err) => parser.destroy(err as Error));
  for await (const record of parser as AsyncIterable<string[]>) onRecord(record);
  await feed;
}

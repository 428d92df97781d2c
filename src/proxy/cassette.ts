/**
 * A cassette as lines: a header line (`{"cassette":1,"kind":…}`), then one
 * ExchangeRecord (src/cassette/record.ts) per line, JSON Lines. The proxy
 * writes one as it goes (a line per exchange, so a proxy killed mid-session
 * leaves every exchange it finished); `conformance judge` reads one back.
 * Kept small and apart, so that the run's own `--record` can share it.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { ExchangeRecord } from '../cassette/record.ts';
import { ConformanceError } from '../errors.ts';

export interface CassetteHeader {
  cassette: 1;
  /** who wrote it: `proxy` (conformance proxy), `run` (conformance run --record), `har` (converted from a HAR) */
  kind: string;
  [key: string]: unknown;
}

export function cassetteLines(header: CassetteHeader, records: Iterable<ExchangeRecord>): string {
  const lines = [JSON.stringify(header)];
  for (const r of records) lines.push(JSON.stringify(r));
  return `${lines.join('\n')}\n`;
}

/** Reads a cassette's text: its header and its records (CONF_ERR_CASSETTE on a line that is not one). */
export function parseCassette(text: string, name = 'cassette'): { header: CassetteHeader; records: ExchangeRecord[] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const parse = (l: string, n: number): unknown => {
    try {
      return JSON.parse(l);
    } catch {
      throw new ConformanceError('CONF_ERR_CASSETTE', `${name} line ${n}: expected a JSON object / received ${JSON.stringify(l.slice(0, 80))}`);
    }
  };
  const header = parse(lines[0] ?? '', 1) as CassetteHeader | undefined;
  if (!header || typeof header !== 'object' || header.cassette !== 1) throw new ConformanceError('CONF_ERR_CASSETTE', `${name} line 1: expected a header {"cassette":1,…} / received ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const records = lines.slice(1).map((l, i) => {
    const r = parse(l, i + 2) as ExchangeRecord;
    if (!r || typeof r !== 'object' || typeof r.request?.method !== 'string' || typeof r.request?.url !== 'string') {
      throw new ConformanceError('CONF_ERR_CASSETTE', `${name} line ${i + 2}: expected an exchange record {request:{method,url},…} / received ${JSON.stringify(l.slice(0, 80))}`);
    }
    return r;
  });
  return { header, records };
}

/** A cassette being written: the header at once, then a line per record, in the order given. */
export class CassetteWriter {
  private readonly out: WriteStream;
  private failed: Error | undefined;
  constructor(file: string, header: CassetteHeader) {
    this.out = createWriteStream(file, { encoding: 'utf8' });
    this.out.on('error', (e) => {
      this.failed = e;
    });
    this.out.write(`${JSON.stringify(header)}\n`);
  }
  write(record: ExchangeRecord): void {
    if (!this.failed) this.out.write(`${JSON.stringify(record)}\n`);
  }
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.out.end(resolve));
    if (this.failed) throw new ConformanceError('CONF_ERR_CASSETTE', `cannot write the cassette: ${this.failed.message}`);
  }
}

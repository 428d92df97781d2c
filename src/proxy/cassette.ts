/**
 * The proxy's cassette, written as it goes: the run's header
 * (src/cassette/record.ts, `CassetteHeader`) with `"kind":"proxy"`, then one
 * ExchangeRecord per line, JSON Lines, a line per exchange as it completes
 * (a proxy killed mid-session leaves every exchange it finished). It is read
 * back by the run's one reader (src/cassette/file.ts, `parseCassette`), which
 * tells it from a run's by its `kind`.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { CassetteHeader, ExchangeRecord } from '../cassette/record.ts';
import { ConformanceError } from '../errors.ts';

/** A proxy cassette's first line: the run's header, said to hold a client's traffic. */
export type ProxyCassetteHeader = CassetteHeader & { kind: 'proxy' };

export function cassetteLines(header: ProxyCassetteHeader, records: Iterable<ExchangeRecord>): string {
  const lines = [JSON.stringify(header)];
  for (const r of records) lines.push(JSON.stringify(r));
  return `${lines.join('\n')}\n`;
}

/** A cassette being written: the header at once, then a line per record, in the order given. */
export class CassetteWriter {
  private readonly out: WriteStream;
  private failed: Error | undefined;
  constructor(file: string, header: ProxyCassetteHeader) {
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

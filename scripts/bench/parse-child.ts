/**
 * Child: one CSV parser over one file, as a stream, counting rows (and, to be
 * sure every parser reads the same table, the fields of the last row).
 * Parsers: `crosscheck` (the suite's crossCheckCsv against the Map of the
 * listed orders read from `listFile`, as the export phase runs it), `suite`
 * (the same parser without a list), `csv-parse` (with the options the suite
 * used), `papaparse`, `csv-parser`.
 * Announces `@@RESULT {parser, rows, fields, bytes, ms, mibPerS, peakRss}`.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { MiB, announce, childArgs, ownPeakRss } from './lib.ts';

const { file, parser, listFile } = childArgs<{ file: string; parser: string; listFile?: string }>();
const bytes = statSync(file).size;
const HWM = 64 * 1024;

async function countRows(stream: Readable): Promise<{ rows: number; fields: number }> {
  let rows = 0;
  let fields = 0;
  for await (const rec of stream) {
    rows++;
    fields = Array.isArray(rec) ? rec.length : Object.keys(rec as object).length;
  }
  return { rows, fields };
}

let t0 = performance.now();
let check: unknown;

async function run(): Promise<{ rows: number; fields: number }> {
  const input = createReadStream(file, { highWaterMark: HWM });
  switch (parser) {
    case 'crosscheck': {
      const { crossCheckCsv } = await import('../../src/index.ts');
      // the list as the run holds it: reference → state, in list order, each
      // reference a string of its own (not a slice of the file), states shared
      const listed = new Map<string, string>();
      const states = new Map<string, string>();
      const bytes = readFileSync(listFile!);
      for (let i = 0, nl = bytes.indexOf(10); nl >= 0; i = nl + 1, nl = bytes.indexOf(10, i)) {
        const tab = bytes.indexOf(9, i);
        const state = bytes.toString('utf8', tab + 1, nl);
        listed.set(bytes.toString('utf8', i, tab), states.get(state) ?? (states.set(state, state), state));
      }
      t0 = performance.now();
      const s = await crossCheckCsv(input, listed);
      check = { listed: listed.size, rows: s.rows, missing: s.missing, unknown: s.unknown.length, duplicates: s.duplicates.length, stateMismatch: s.stateMismatch.length };
      return { rows: s.rows + 1, fields: s.header.length };
    }
    case 'suite': {
      const { crossCheckCsv } = await import('../../src/index.ts');
      const s = await crossCheckCsv(input, undefined);
      return { rows: s.rows + 1, fields: s.header.length };
    }
    case 'csv-parse': {
      const { parse } = await import('csv-parse');
      return countRows(input.pipe(parse({ bom: true, relax_column_count: false, skip_empty_lines: true })));
    }
    case 'papaparse': {
      const Papa = (await import('papaparse')).default;
      return countRows(input.pipe(Papa.parse(Papa.NODE_STREAM_INPUT, { skipEmptyLines: true }) as unknown as NodeJS.WritableStream) as unknown as Readable);
    }
    case 'csv-parser': {
      const csvParser = (await import('csv-parser')).default;
      return countRows(input.pipe(csvParser({ headers: false })));
    }
    default:
      throw new Error(`unknown parser ${parser}`);
  }
}

const { rows, fields } = await run();
const ms = performance.now() - t0;
announce('RESULT', { parser, rows, fields, bytes, ms, mibPerS: bytes / MiB / (ms / 1000), peakRss: ownPeakRss(), check });

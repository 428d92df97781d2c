/**
 * The export's CSV parser (src/engine/csv.ts) against csv-parse with the
 * options the suite used before (`bom`, `skip_empty_lines`, strict column
 * count): on any input, cut into chunks anywhere (inside a character too),
 * both give the same records, or both refuse the file.
 */
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvParseError, parseCsvStream } from '../../src/engine/csv.ts';

const OPTIONS = { bom: true, relax_column_count: false, skip_empty_lines: true } as const;

function reference(bytes: Buffer): { records: string[][] } | { error: true } {
  try {
    return { records: parse(bytes, OPTIONS) as string[][] };
  } catch {
    return { error: true };
  }
}

async function ours(bytes: Buffer, cuts: number[]): Promise<{ records: string[][] } | { error: true; message: string }> {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  chunks.push(bytes.subarray(from));
  async function* stream(): AsyncIterable<Buffer> {
    for (const c of chunks) yield c;
  }
  const records: string[][] = [];
  try {
    await parseCsvStream(stream(), (r) => records.push(r));
    return { records };
  } catch (err) {
    expect(err).toBeInstanceOf(CsvParseError);
    return { error: true, message: (err as Error).message };
  }
}

async function same(bytes: Buffer, cuts: number[]): Promise<void> {
  const want = reference(bytes);
  const got = await ours(bytes, cuts);
  if ('error' in want) expect('error' in got, `csv-parse refuses ${JSON.stringify(bytes.toString('utf8'))} but got ${JSON.stringify(got)}`).toBe(true);
  else expect(got, JSON.stringify(bytes.toString('utf8'))).toEqual(want);
}

const piece = fc.constantFrom('a', 'bc', 'é', '€', ',', '"', '""', '\r', '\n', '\r\n', ' ', 'x"y', '\uFEFF');
const cuts = fc.array(fc.nat(400), { maxLength: 6 });

function quoteField(f: string): string {
  return /[",\r\n]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f;
}

describe('the export CSV parser agrees with csv-parse', () => {
  it('on arbitrary text, cut anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(piece, { maxLength: 40 }), cuts, async (bom, pieces, at) => {
        await same(Buffer.from((bom ? '\uFEFF' : '') + pieces.join(''), 'utf8'), at);
      }),
      { numRuns: 3000 },
    );
  });

  it('on well-formed tables, with any line ending and a final line break or not', async () => {
    const field = fc.array(fc.constantFrom('a', 'Z', '9', ' ', 'é', '€', ',', '"', '\n', '\r\n', '-'), { maxLength: 6 }).map((a) => a.join(''));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }).chain((w) => fc.array(fc.array(field, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 8 })),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.boolean(),
        cuts,
        async (rows, eol, trailing, at) => {
          const text = rows.map((r) => r.map(quoteField).join(',')).join(eol) + (trailing ? eol : '');
          await same(Buffer.from(text, 'utf8'), at);
          const got = await ours(Buffer.from(text, 'utf8'), at);
          expect(got).toEqual({ records: rows });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses what csv-parse refuses, with a message naming the fault', async () => {
    const cases: [string, RegExp][] = [
      ['a,b\n1,2,3\n', /Invalid Record Length: expect 2, got 3 on line 2/],
      ['a,b\n"1,2\n', /Quote Not Closed/],
      ['a,b\n"1"x,2\n', /Invalid Closing Quote: got "x"/],
      ['a,b\n1"2,3\n', /Invalid Opening Quote/],
    ];
    for (const [text, message] of cases) {
      expect(reference(Buffer.from(text))).toEqual({ error: true });
      const got = await ours(Buffer.from(text), []);
      expect('error' in got && got.message).toMatch(message);
    }
  });

  it('reads a UTF-16LE file with its byte-order mark as csv-parse does', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('order_reference,state\r\nA1,active\r\n', 'utf16le')]);
    await same(bytes, [1, 7]);
    expect(await ours(bytes, [1])).toEqual({
      records: [
        ['order_reference', 'state'],
        ['A1', 'active'],
      ],
    });
  });

  it('handles an empty stream and a lone header', async () => {
    await same(Buffer.alloc(0), []);
    await same(Buffer.from('order_reference,state'), [3]);
  });
});

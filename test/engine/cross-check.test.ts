/**
 * The export cross-check (crossCheckCsv) against a plain reading of what it
 * must report: rows in list order, shuffled, with duplicates, unknown and
 * missing references and changed states, all give the counts and the first
 * examples a set-based reference gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crossCheckCsv } from '../../src/engine/phases/export.ts';

type Row = [string, string];

function reference(rows: Row[], listed: Map<string, string>) {
  const seen = new Set<string>();
  const out = { rows: rows.length, unknown: [] as string[], duplicates: [] as string[], stateMismatch: [] as { ref: string; csv: string; list: string }[], missing: 0 };
  for (const [ref, state] of rows) {
    const expected = listed.get(ref);
    if (expected === undefined) {
      if (out.unknown.length < 5) out.unknown.push(ref);
      continue;
    }
    if (seen.has(ref)) {
      if (out.duplicates.length < 5) out.duplicates.push(ref);
      continue;
    }
    seen.add(ref);
    if (state !== expected && out.stateMismatch.length < 5) out.stateMismatch.push({ ref, csv: state, list: expected });
  }
  out.missing = listed.size - seen.size;
  return out;
}

async function check(rows: Row[], listed: Map<string, string>) {
  const text = `state,order_reference\r\n${rows.map(([r, s]) => `${s},${r}`).join('\r\n')}\r\n`;
  async function* body(): AsyncIterable<Buffer> {
    const b = Buffer.from(text);
    for (let i = 0; i < b.length; i += 7) yield b.subarray(i, i + 7);
  }
  const s = await crossCheckCsv(body(), listed);
  return { rows: s.rows, unknown: s.unknown, duplicates: s.duplicates, stateMismatch: s.stateMismatch, missing: s.missing };
}

const STATES = ['confirmed', 'in_progress', 'active'];

describe('the export cross-check', () => {
  it('agrees with a set-based reading, whatever the order of the rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...STATES), { minLength: 0, maxLength: 30 }),
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
            fc.record({ op: fc.constant('dup' as const), at: fc.nat() }),
            fc.record({ op: fc.constant('unknown' as const), at: fc.nat() }),
            fc.record({ op: fc.constant('state' as const), at: fc.nat() }),
            fc.record({ op: fc.constant('swap' as const), at: fc.nat(), to: fc.nat() }),
          ),
          { maxLength: 6 },
        ),
        async (states, ops) => {
          const listed = new Map(states.map((s, i) => [`CMD_${i}`, s] as const));
          const rows: Row[] = [...listed];
          for (const o of ops) {
            if (rows.length === 0 && o.op !== 'unknown') continue;
            const at = rows.length ? o.at % rows.length : 0;
            if (o.op === 'drop') rows.splice(at, 1);
            else if (o.op === 'dup') rows.splice(at, 0, rows[at]!);
            else if (o.op === 'unknown') rows.splice(at, 0, [`NOPE_${o.at}`, 'active']);
            else if (o.op === 'state') rows[at] = [rows[at]![0], rows[at]![1] === 'active' ? 'confirmed' : 'active'];
            else {
              const to = o.to % rows.length;
              [rows[at], rows[to]] = [rows[to]!, rows[at]!];
            }
          }
          expect(await check(rows, listed)).toEqual(reference(rows, listed));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts rows without a list, and finds nothing missing in an exact export', async () => {
    const listed = new Map([
      ['A', 'active'],
      ['B', 'confirmed'],
    ]);
    expect(
      await check(
        [
          ['A', 'active'],
          ['B', 'confirmed'],
        ],
        listed,
      ),
    ).toEqual({ rows: 2, unknown: [], duplicates: [], stateMismatch: [], missing: 0 });
    expect(
      await check(
        [
          ['B', 'confirmed'],
          ['A', 'active'],
          ['A', 'active'],
        ],
        listed,
      ),
    ).toEqual({ rows: 3, unknown: [], duplicates: ['A'], stateMismatch: [], missing: 0 });
  });
});

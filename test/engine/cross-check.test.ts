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

/** a CSV text streamed in small chunks */
async function* chunks(text: string): AsyncIterable<Buffer> {
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += 5) yield b.subarray(i, i + 5);
}

const ORDER_STATES = new Set(['confirmed', 'in_progress', 'active', 'terminate_in_progress', 'terminated', 'change_in_progress', 'rejected', 'cancelled']);

describe('the export cross-check on a header that does not name its columns (the documentation does not)', () => {
  const listed = new Map([
    ['CMD_1', 'active'],
    ['CMD_2', 'confirmed'],
  ]);

  it('finds the reference and state columns by what they hold: French headers, a stale state caught', async () => {
    const s = await crossCheckCsv(chunks('Date de commande,Référence commande,Statut\r\n2025-01-02,CMD_1,terminated\r\n2025-01-01,CMD_2,confirmed\r\n'), listed, { states: ORDER_STATES });
    expect([s.refColumn, s.stateColumn]).toEqual([1, 2]);
    expect(s.stateMismatch).toEqual([{ ref: 'CMD_1', csv: 'terminated', list: 'active' }]);
    expect(s.missing).toBe(0);
  });

  it('the documentation\'s descriptions as headers ("Order reference", "Order\'s state"): states compared too', async () => {
    const s = await crossCheckCsv(chunks("Order reference,Order's state\nCMD_1,active\nCMD_2,cancelled\n"), listed, { states: ORDER_STATES });
    expect(s.stateColumn).toBe(1);
    expect(s.stateMismatch).toEqual([{ ref: 'CMD_2', csv: 'cancelled', list: 'confirmed' }]);
  });

  it('rows before the first known reference (an order created since the list was read) are held and compared', async () => {
    const s = await crossCheckCsv(chunks('N° commande,Etat\nCMD_NEW,confirmed\nCMD_1,active\nCMD_2,active\n'), listed);
    expect([s.refColumn, s.stateColumn]).toEqual([0, 1]);
    expect(s.unknown).toEqual(['CMD_NEW']);
    expect(s.stateMismatch).toEqual([{ ref: 'CMD_2', csv: 'active', list: 'confirmed' }]);
  });

  it("one listed reference (the colleague's export): the other known references find the column", async () => {
    const s = await crossCheckCsv(chunks('Ref,Statut\nCMD_1,active\nCMD_9,terminated\n'), new Map([['CMD_9', '']]), { known: new Set(['CMD_1', 'CMD_2']), states: ORDER_STATES });
    expect([s.refColumn, s.stateColumn]).toEqual([0, 1]);
    expect(s.stateMismatch).toEqual([{ ref: 'CMD_9', csv: 'terminated', list: '' }]);
  });

  it('a named `order_reference` column is used as named; nothing found anywhere leaves no column', async () => {
    const named = await crossCheckCsv(chunks('customer_ref,order_reference\nCMD_2,CMD_1\nCMD_1,CMD_2\n'), listed);
    expect(named.refColumn).toBe(1);
    const none = await crossCheckCsv(chunks('a,b\nx,y\n'), listed);
    expect([none.refColumn, none.stateColumn, none.rows, none.missing]).toEqual([-1, -1, 1, 2]);
  });
});

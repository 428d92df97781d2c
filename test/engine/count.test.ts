/**
 * countContradiction (src/engine/list.ts): a list's announced count against
 * the rows its pages gave is a contradiction of the server with itself, an
 * error only once a second walk confirms it with the count steady; otherwise a
 * warning that says why.
 */
import { describe, expect, it } from 'vitest';
import { countContradiction, type ListWalk } from '../../src/engine/list.ts';

function walk(items: number, counts: number[], more: Partial<ListWalk> = {}): ListWalk {
  return { items, pages: counts.length, announced: counts[0], counts, paginated: true, broken: undefined, first: undefined, brokenAt: undefined, refusedLink: false, ...more };
}

const cases: { description: string; first: ListWalk; second: ListWalk | undefined; want: { confirmed: boolean; says: RegExp } | undefined }[] = [
  { description: 'rows that match the count are no contradiction (and no second walk)', first: walk(30, [30, 30, 30]), second: undefined, want: undefined },
  { description: 'a bare array has no count to contradict', first: walk(30, [], { paginated: false, announced: undefined }), second: undefined, want: undefined },
  { description: 'a broken walk is judged as broken, not as a miscount', first: walk(12, [30], { broken: 'page 2 answered 500' }), second: undefined, want: undefined },
  { description: 'two walks short of a steady count are confirmed', first: walk(27, [30, 30, 30]), second: walk(27, [30, 30, 30]), want: { confirmed: true, says: /expected the 30 rows .* received 27 .* confirmed by a second walk/ } },
  { description: 'a second walk that agrees leaves the first unconfirmed', first: walk(27, [30, 30, 30]), second: walk(30, [30, 30, 30]), want: { confirmed: false, says: /not confirmed: a second walk gave 30 rows for count 30/ } },
  { description: 'a count that moves during the walks leaves it unconfirmed', first: walk(31, [30, 31, 31]), second: walk(33, [32, 32, 33]), want: { confirmed: false, says: /not confirmed: the count moved during the walks \(30, 31, 32, 33\)/ } },
  { description: 'a second walk that breaks leaves it unconfirmed', first: walk(27, [30, 30, 30]), second: walk(10, [30], { broken: 'no answer' }), want: { confirmed: false, says: /not confirmed: a second walk broke \(no answer\)/ } },
];

describe('countContradiction', () => {
  for (const c of cases) {
    it(c.description, async () => {
      let rewalks = 0;
      const got = await countContradiction('the list', c.first, async () => {
        rewalks++;
        return c.second as ListWalk;
      });
      expect(rewalks).toBe(c.second === undefined ? 0 : 1);
      if (c.want === undefined) expect(got).toBeUndefined();
      else {
        expect(got?.confirmed).toBe(c.want.confirmed);
        expect(got?.message).toMatch(c.want.says);
      }
    });
  }
});

/**
 * walkList (src/engine/list.ts) on a paginated list: the pages it follows are
 * bounded by the count the pages announce. A live list grows during a walk
 * (a staging where others create orders): the bound follows the largest count
 * announced so far, so such a walk completes. A server that keeps its count
 * and keeps linking to further pages is still stopped and reported.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { walkAgain, walkList } from '../../src/engine/list.ts';
import { contextFor } from '../fuzz/support.ts';

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** A paginated list of `pages` pages: page k is `pageOf(k)` (its count and rows); every page but the last links to the next. */
async function pagedServer(pages: number, pageOf: (k: number) => { count: number; results: unknown[] }): Promise<string> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const k = Number(url.searchParams.get('page') ?? '1');
    const base = `http://${req.headers.host}${url.pathname}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...pageOf(k), next: k < pages ? `${base}?page=${k + 1}` : null, previous: k > 1 ? `${base}?page=${k - 1}` : null }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A list of `pages` pages of two rows; page k announces `countOf(k)`. */
function listServer(pages: number, countOf: (k: number) => number): Promise<string> {
  return pagedServer(pages, (k) => ({ count: countOf(k), results: [0, 1].map((i) => ({ order_reference: `CMD_${k}_${i}` })) }));
}

async function walk(baseUrl: string) {
  const c = contextFor(baseUrl);
  try {
    const refs: string[] = [];
    const w = await walkList(c.ctx, { path: '/api/v1/order/', onItem: (item) => void refs.push((item as { order_reference: string }).order_reference) });
    return { w, refs };
  } finally {
    await c.close();
  }
}

describe('walkList: how many pages it follows', () => {
  it('a list that grows during the walk (count 8 on page 1, then 2 more a page up to 16, 8 pages of 2): walked whole, not stopped at the first count', async () => {
    const { w, refs } = await walk(await listServer(8, (k) => Math.min(16, 6 + 2 * k)));
    expect(w.broken).toBeUndefined();
    expect(w.pages).toBe(8);
    expect(refs).toHaveLength(16);
    expect(w.counts).toEqual([8, 10, 12, 14, 16, 16, 16, 16]);
  });

  it('a list that keeps its count (8) and links to page after page: stopped two pages past what the count allows, and reported', async () => {
    const { w } = await walk(await listServer(1000, () => 8));
    expect(w.pages).toBe(6);
    expect(w.broken).toBe('more pages than the announced count allows (6 pages for count 8)');
  });

  it('a list whose count grows on every page without end: stopped once past twice its first count and 100 (first count 8: 116 rows, 58 pages of 2 and the 2 more any count is allowed), and reported', async () => {
    const { w } = await walk(await listServer(100_000, (k) => 6 + 2 * k));
    expect(w.pages).toBe(60);
    expect(w.broken).toMatch(/^more pages than the announced count allows \(60 pages for count \d+\)$/);
  });
});

describe('walkAgain: whether the list came sorted by modification date, newest first', () => {
  /** pages of rows with these modification dates (minutes past 10:00) */
  function datedServer(pages: number[][]): Promise<string> {
    return pagedServer(pages.length, (k) => ({ count: pages.flat().length, results: (pages[k - 1] ?? []).map((m, i) => ({ order_reference: `CMD_${k}_${i}`, modification_date: `2026-12-01T10:${String(m).padStart(2, '0')}:00Z` })) }));
  }
  async function again(pages: number[][]) {
    const c = contextFor(await datedServer(pages));
    try {
      return await walkAgain(c.ctx, { path: '/api/v1/order/' });
    } finally {
      await c.close();
    }
  }

  it('each page newest first, a later page holding an order modified between two page reads (newer than the page before): sorted so; the latest rows, newest first', async () => {
    const got = await again([
      [5, 4],
      [6, 3],
      [2, 1],
    ]);
    expect(got.newestFirst).toBe(true);
    expect(got.latest.map((r) => r.ref).slice(0, 3)).toEqual(['CMD_2_0', 'CMD_1_0', 'CMD_1_1']);
  });

  it('rows out of that order within a page (a list sorted otherwise): not sorted so', async () => {
    expect(
      (
        await again([
          [1, 5],
          [4, 2],
          [6, 3],
        ])
      ).newestFirst,
    ).toBe(false);
  });
});

/**
 * Judging cost per violation: an unpaginated order list (a bare JSON array)
 * where every order carries one type error, at 1,000, 10,000 and 50,000
 * orders. The figure is the kit's time per order over the list walk (fetch,
 * parse, scan, validate every item, record every violation), which must stay
 * flat as the list grows: a violation costs O(1) beyond the exchange's own
 * parse (the body is digested once per exchange, evidence is built once per
 * exchange and only for the findings a report keeps).
 *
 * The server is a bare node:http server in this process that writes one
 * precomputed buffer (its CPU is a single write); the reference server gives
 * the template order.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_TOKENS, startMock } from '../../../mock/index.ts';
import { resolveOptions, runConformance } from '../../../src/index.ts';
import { median } from '../lib.ts';
import type { Log, Section } from './types.ts';

async function templateOrder(): Promise<Record<string, unknown>> {
  const mock = await startMock({ seed: 1, orders: 4 });
  try {
    const res = await fetch(`${mock.baseUrl}/api/v1/order/?page_size=1`, { headers: { authorization: `Bearer ${DEMO_TOKENS.customerA_user1}` } });
    const page = (await res.json()) as { results: Record<string, unknown>[] };
    if (!page.results[0]) throw new Error('the reference server listed no order');
    return page.results[0];
  } finally {
    await mock.close();
  }
}

/** ms the kit spends on the list phase of one run over `n` orders, each with one type error. */
async function listPhaseMs(template: Record<string, unknown>, n: number): Promise<{ ms: number; violations: number }> {
  const orders = Array.from({ length: n }, (_, i) => ({ ...template, order_reference: `CMD_BENCH_${String(i).padStart(8, '0')}`, commitment: 'twelve months' }));
  const body = Buffer.from(JSON.stringify(orders));
  const server = createServer((req, res) => {
    req.resume();
    if (req.url === '/api/v1/order/') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      res.end(body);
      return;
    }
    const nf = '{"detail":"Not found."}';
    res.writeHead(404, { 'content-type': 'application/json', 'content-length': String(nf.length) });
    res.end(nf);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  let ms = Number.NaN;
  let t0 = Number.NaN;
  try {
    const { report } = await runConformance(
      resolveOptions({
        baseUrl: `http://127.0.0.1:${port}`,
        token: 'bench-token',
        fuzzRuns: 0,
        maxOrders: 1,
        seed: 1,
        timeoutMs: 60_000,
        checks: 'order_list_schema',
      }),
      {
        // from the start of the orders phase to the end of its list walk
        log: (line) => {
          if (line === '• orders, histories, documents') t0 = performance.now();
          else if (/^ {2}list: \d+ orders/.test(line)) ms = performance.now() - t0;
        },
      },
    );
    const list = report.results.find((r) => r.check === 'order_list_schema');
    return { ms, violations: list?.violations ?? 0 };
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

export async function benchJudging({ sizes, reps, log }: { sizes: number[]; reps: number; log: Log }): Promise<Section> {
  const template = await templateOrder();
  // the first runs compile the validators and warm the JIT: not a cost per order
  for (let i = 0; i < 3; i++) await listPhaseMs(template, 10_000);
  const per: Record<number, number[]> = {};
  for (const n of sizes) {
    per[n] = [];
    for (let i = 0; i < reps; i++) {
      const { ms, violations } = await listPhaseMs(template, n);
      if (violations !== n) throw new Error(`expected ${n} violations, the run recorded ${violations}`);
      per[n].push((ms * 1000) / n);
    }
    log(`judging: ${n} orders, one violation each: ${median(per[n]).toFixed(1)} µs per order (${per[n].map((x) => x.toFixed(1)).join(', ')})`);
  }
  const medians = sizes.map((n) => median(per[n] ?? []));
  const flat = Math.max(...medians) / Math.min(...medians);
  return {
    name: 'judging',
    rows: [
      ...sizes.map((n, i) => ({ figure: `judging: kit time per order, unpaginated list of ${n.toLocaleString('en-US')} orders, each with a violation`, value: medians[i], unit: 'µs' })),
      { figure: `judging: largest / smallest time per order (${sizes.map((n) => n.toLocaleString('en-US')).join(' / ')})`, value: flat, unit: '×', target: '≤ 2× (flat)', met: flat <= 2 },
    ],
    details: { sizes, reps, microsecondsPerOrder: per },
  };
}

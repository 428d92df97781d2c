/**
 * Consumer tests (Pact V4): the integrator's client, run against Pact's mock
 * provider. Each test records what the client sends and the part of the answer
 * it reads; the pact file they write is the pinned contract,
 * `contracts/pacts/order-tracking-integrator-order-tracking-api.json`.
 *
 * Pact writes into a fresh temporary directory (no stale interaction survives
 * a rename); afterAll moves the result over the pinned file atomically, so a
 * provider verification running in parallel never reads half a file, and only
 * when every consumer test passed.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MatchersV3 as M, PactV4 } from '@pact-foundation/pact';
import { afterAll, describe, expect, it as vitestIt } from 'vitest';
import { CONSUMER, PACT_DIR, PACT_FILE, PROVIDER, STATES, pactTelemetryOff } from '../config.ts';
import { ApiError, createIntegrator, RateLimitedError } from './client.ts';
import { bearer, day, instant, JSON_TYPE, offerFamily, orderState, textBody } from './matchers.ts';

pactTelemetryOff();

const TOKEN = 'demo-token-a1';
const USER = 'customerA_user1';
const REF = 'CMD_X_00009444';
const TASK_ID = '550e8400-e29b-41d4-a716-446655440000';
const REASON = "Cessation d'activité";
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const CSV = 'order_reference,id,state,order_date,offer_family\nCMD_X_00009444,PO_DC173_20250423_003366,active,2025-04-23,BPE\n';

const outDir = mkdtempSync(join(tmpdir(), 'pact-consumer-'));
const pact = new PactV4({ consumer: CONSUMER, provider: PROVIDER, dir: outDir, logLevel: 'error' });
const auth = { Authorization: bearer(TOKEN) };
const client = (url: string) => createIntegrator({ baseUrl: url, token: TOKEN });

/**
 * Each contract test counts itself when it passes; the pinned pact is replaced
 * only when every one did (a failing run must not pin half a contract).
 */
let registered = 0;
let passed = 0;
function it(name: string, fn: () => Promise<void>): void {
  registered++;
  vitestIt(name, async () => {
    await fn();
    passed++;
  });
}

afterAll(() => {
  const written = join(outDir, `${CONSUMER}-${PROVIDER}.json`);
  try {
    if (passed !== registered) {
      console.error(`pact not pinned: ${registered - passed} of ${registered} consumer test(s) did not pass`);
      return;
    }
    const text = readFileSync(written, 'utf8');
    const tmp = join(PACT_DIR, `.${CONSUMER}-${PROVIDER}.json.${process.pid}`);
    writeFileSync(tmp, text.endsWith('\n') ? text : `${text}\n`);
    renameSync(tmp, PACT_FILE);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

describe('order-tracking-integrator ↔ order-tracking-api (consumer)', () => {
  it('lists the orders the user can see', async () => {
    await pact
      .addInteraction()
      .given(STATES.activeOrder, { order_reference: REF })
      .uponReceiving('a request for the order list')
      .withRequest('GET', '/api/v1/order/', (b) => b.query({ page_size: '100' }).headers(auth))
      .willRespondWith(200, (b) =>
        b.headers({ 'Content-Type': JSON_TYPE }).jsonBody({
          results: M.eachLike({
            order_reference: M.string(REF),
            state: orderState('active'),
            order_date: day('2025-04-23'),
            offer_family: offerFamily('BPE'),
            end_customer_name: M.string('king jouet'),
          }),
        }),
      )
      .executeTest(async (mock) => {
        const orders = await client(mock.url).listOrders();
        expect(orders).toHaveLength(1);
        expect(orders[0]).toEqual({
          order_reference: REF,
          state: 'active',
          order_date: '2025-04-23',
          offer_family: 'BPE',
          end_customer_name: 'king jouet',
        });
      });
  });

  it('reads one order', async () => {
    await pact
      .addInteraction()
      .given(STATES.activeOrder, { order_reference: REF })
      .uponReceiving('a request for an active order')
      .withRequest('GET', `/api/v1/order/${REF}/`, (b) => b.headers(auth))
      .willRespondWith(200, (b) =>
        b.headers({ 'Content-Type': JSON_TYPE }).jsonBody({
          order_reference: REF,
          state: 'active',
          order_date: day('2025-04-23'),
          estimated_delivery_date: day('2025-04-30'),
          service_reference: M.string('FR048380'),
          product: M.like({ name: M.string('BPE 100M _Zone très dense_12 mois'), offer_family: offerFamily('BPE') }),
          total_amount_monthly: M.number(440),
        }),
      )
      .executeTest(async (mock) => {
        const order = await client(mock.url).getOrder(REF);
        expect(order.order_reference).toBe(REF);
        expect(order.state).toBe('active');
        expect(order.product.offer_family).toBe('BPE');
        expect(order.total_amount_monthly).toBe(440);
      });
  });

  it('surfaces a 404 for an order that does not exist', async () => {
    const missing = 'CMD_X_99999999';
    await pact
      .addInteraction()
      .given(STATES.noOrder, { order_reference: missing })
      .uponReceiving('a request for an order that does not exist')
      .withRequest('GET', `/api/v1/order/${missing}/`, (b) => b.headers(auth))
      .willRespondWith(404)
      .executeTest(async (mock) => {
        const err = await client(mock.url)
          .getOrder(missing)
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ApiError);
        expect((err as ApiError).status).toBe(404);
      });
  });

  it('follows the history of an order', async () => {
    await pact
      .addInteraction()
      .given(STATES.activeOrder, { order_reference: REF })
      .uponReceiving('a request for the history of an active order')
      .withRequest('GET', `/api/v1/order/${REF}/historic/`, (b) => b.headers(auth))
      .willRespondWith(200, (b) =>
        b.headers({ 'Content-Type': JSON_TYPE }).jsonBody({
          results: M.eachLike({
            state: M.string('production_in_progress'),
            change_date: instant('2025-06-03T18:37:08+02:00'),
            change_reason: M.string(''),
          }),
        }),
      )
      .executeTest(async (mock) => {
        const history = await client(mock.url).getHistory(REF);
        expect(history[0]).toEqual({ state: 'production_in_progress', change_date: '2025-06-03T18:37:08+02:00', change_reason: '' });
      });
  });

  it('lists the documents of an order', async () => {
    await pact
      .addInteraction()
      .given(STATES.activeOrder, { order_reference: REF })
      .uponReceiving('a request for the documents of an active order')
      .withRequest('GET', `/api/v1/order/${REF}/documents/`, (b) => b.headers(auth))
      .willRespondWith(200, (b) => b.headers({ 'Content-Type': JSON_TYPE }).jsonBody(M.eachLike({ type: M.string('BDC'), values: M.eachLike(M.string(`${REF}_1.pdf`)) })))
      .executeTest(async (mock) => {
        const groups = await client(mock.url).listDocuments(REF);
        expect(groups).toEqual([{ type: 'BDC', values: [`${REF}_1.pdf`] }]);
      });
  });

  it('downloads a document of an order', async () => {
    await pact
      .addInteraction()
      .given(STATES.activeOrder, { order_reference: REF })
      .uponReceiving('a request to download the purchase order of an active order')
      // the file name is the one the provider state hands back (`filename`), the documented `<ref>_1.pdf` by example
      .withRequest('GET', M.fromProviderState('/api/v1/order/${order_reference}/${filename}/download/', `/api/v1/order/${REF}/${REF}_1.pdf/download/`), (b) => b.headers(auth))
      // body() stores binary and matches on the content type (sniffed as PDF), not on the bytes.
      .willRespondWith(200, (b) => b.headers({ 'Content-Type': 'application/pdf' }).body('application/pdf', PDF))
      .executeTest(async (mock) => {
        const bytes = await client(mock.url).downloadDocument(REF, `${REF}_1.pdf`);
        expect(Buffer.from(bytes).subarray(0, 4).toString('latin1')).toBe('%PDF');
      });
  });

  it('reads the termination reasons', async () => {
    await pact
      .addInteraction()
      .uponReceiving('a request for the termination reasons')
      .withRequest('GET', '/api/v1/terminate_reason/', (b) => b.headers(auth))
      .willRespondWith(200, (b) => b.headers({ 'Content-Type': JSON_TYPE }).jsonBody({ terminate_reasons: M.eachLike(M.string(REASON)) }))
      .executeTest(async (mock) => {
        expect(await client(mock.url).getTerminateReasons()).toEqual([REASON]);
      });
  });

  it('requests the termination of an active order', async () => {
    await pact
      .addInteraction()
      .given(STATES.activeOrder, { order_reference: REF })
      .uponReceiving('a termination request for an active order')
      .withRequest('POST', `/api/v1/order/${REF}/terminate/`, (b) => b.headers({ ...auth, 'Content-Type': 'application/json' }).jsonBody({ reason: REASON, message: 'Site closes in June' }))
      .willRespondWith(201, (b) =>
        b.headers({ 'Content-Type': JSON_TYPE }).jsonBody({
          id: M.string('6964723b-c39b-4a19-b5d5-d4f4fde5c216'),
          order_reference: REF,
          action: M.string('Résiliation'),
          reason: REASON,
          creation_date: instant('2025-05-22T09:40:56.384Z'),
        }),
      )
      .executeTest(async (mock) => {
        const request = await client(mock.url).requestTermination(REF, REASON, 'Site closes in June');
        expect(request).toMatchObject({ order_reference: REF, action: 'Résiliation', reason: REASON });
      });
  });

  it('surfaces a refused termination of an order that is already terminated', async () => {
    const ref = 'CMD_X_00005342';
    await pact
      .addInteraction()
      .given(STATES.orderInState, { order_reference: ref, state: 'terminated' })
      .uponReceiving('a termination request for a terminated order')
      .withRequest('POST', `/api/v1/order/${ref}/terminate/`, (b) => b.headers({ ...auth, 'Content-Type': 'application/json' }).jsonBody({ reason: REASON, message: '' }))
      .willRespondWith(409, (b) => b.headers({ 'Content-Type': JSON_TYPE }).jsonBody({ detail: M.string('The order is not active.') }))
      .executeTest(async (mock) => {
        const err = await client(mock.url)
          .requestTermination(ref, REASON)
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ApiError);
        expect((err as ApiError).status).toBe(409);
        expect((err as ApiError).message).toContain('The order is not active.');
      });
  });

  it('lists the termination requests of an order', async () => {
    await pact
      .addInteraction()
      .given(STATES.terminationRequested, { order_reference: REF })
      .uponReceiving('a request for the termination requests of an order')
      .withRequest('GET', '/api/v1/order_request/', (b) => b.query({ order_reference: REF, action: 'Résiliation' }).headers(auth))
      .willRespondWith(200, (b) =>
        b.headers({ 'Content-Type': JSON_TYPE }).jsonBody({
          results: M.eachLike({
            id: M.string('6964723b-c39b-4a19-b5d5-d4f4fde5c216'),
            order_reference: REF,
            action: 'Résiliation',
            reason: M.string(REASON),
            creation_date: instant('2025-05-22T09:40:56.384Z'),
          }),
        }),
      )
      .executeTest(async (mock) => {
        const rows = await client(mock.url).listOrderRequests({ order_reference: REF, action: 'Résiliation' });
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ order_reference: REF, action: 'Résiliation' });
      });
  });

  it('runs an export through its three steps', async () => {
    pact
      .addInteraction()
      .given(STATES.notExportedRecently, { user: USER })
      .uponReceiving('a request to start a CSV export')
      .withRequest('POST', '/api/v1/order/export/csv/', (b) => b.headers(auth))
      .willRespondWith(202, (b) => b.headers({ 'Content-Type': JSON_TYPE }).jsonBody({ task_id: M.uuid(TASK_ID) }));
    pact
      .addInteraction()
      .given(STATES.finishedExport, { task_id: TASK_ID, user: USER })
      .uponReceiving('a request for the status of a finished export')
      .withRequest('GET', `/api/v1/order/export/${TASK_ID}/status/`, (b) => b.headers(auth))
      .willRespondWith(200, (b) => b.headers({ 'Content-Type': JSON_TYPE }).jsonBody({ task_id: TASK_ID, success: true }));
    await pact
      .addInteraction()
      .given(STATES.finishedExport, { task_id: TASK_ID, user: USER })
      .uponReceiving('a request to download a finished export')
      .withRequest('GET', `/api/v1/order/export/${TASK_ID}/download/`, (b) => b.headers(auth))
      .willRespondWith(200, (b) => {
        b.headers({ 'Content-Type': M.regex('text/csv(;.*)?', 'text/csv') });
        // a header row naming order_reference, then anything
        textBody(b, 'text/csv', CSV, '[^\\n]*order_reference[^\\n]*(\\r?\\n[\\s\\S]*)?');
      })
      .executeTest(async (mock) => {
        const result = await client(mock.url).exportOrders({ pollMs: 1, deadlineMs: 5_000 });
        expect(result.taskId).toBe(TASK_ID);
        expect(result.csv.split('\n')[0]).toContain('order_reference');
      });
  });

  it('surfaces a 429 on a second export as RateLimitedError', async () => {
    await pact
      .addInteraction()
      .given(STATES.justExported, { user: USER })
      .uponReceiving('a second export request within the rate-limit window')
      .withRequest('POST', '/api/v1/order/export/csv/', (b) => b.headers(auth))
      .willRespondWith(429, (b) => b.headers({ 'Content-Type': JSON_TYPE, 'Retry-After': M.regex('\\d+', '300') }).jsonBody({ detail: M.string('Request was throttled.') }))
      .executeTest(async (mock) => {
        const err = await client(mock.url)
          .startExport()
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RateLimitedError);
        expect((err as RateLimitedError).retryAfterS).toBe(300);
        expect((err as RateLimitedError).code).toBe('INTEGRATOR_ERR_RATE_LIMITED');
      });
  });
  vitestIt('writes a V4 pact holding every interaction above, with its provider states', () => {
    const pactJson = JSON.parse(readFileSync(join(outDir, `${CONSUMER}-${PROVIDER}.json`), 'utf8')) as {
      consumer: { name: string };
      provider: { name: string };
      metadata: { pactSpecification: { version: string } };
      interactions: { description: string; providerStates?: { name: string }[] }[];
    };
    expect(pactJson.consumer.name).toBe(CONSUMER);
    expect(pactJson.provider.name).toBe(PROVIDER);
    expect(pactJson.metadata.pactSpecification.version).toBe('4.0');
    expect(pactJson.interactions).toHaveLength(14);
    const sentences = new Set<string>(Object.values(STATES));
    for (const i of pactJson.interactions) for (const st of i.providerStates ?? []) expect(sentences).toContain(st.name);
    expect(new Set(pactJson.interactions.flatMap((i) => (i.providerStates ?? []).map((st) => st.name)))).toEqual(sentences);
  });
});

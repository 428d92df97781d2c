/**
 * A careful client of the Order Tracking API, written with the kit's typed
 * client (src/client.ts, openapi-fetch over the types generated from
 * openapi.yaml): documented paths with their trailing slash, credentials on
 * every call, the order list walked by its `next` links, the termination
 * reason taken from the provider's list, one export, its status polled once
 * a second until `success` is true or false, its CSV downloaded.
 *
 *   npx conformance proxy --duration 30 &        # the bundled reference server behind the proxy
 *   npx tsx examples/clients/careful.ts http://127.0.0.1:PORT demo-token-a1
 */
import { createOrderTrackingClient } from '../../src/client.ts';

export interface ClientRun {
  /** the order it terminated, if it found an active one */
  terminated?: string;
  /** the size of the CSV export it downloaded */
  exportBytes?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type ListAnswer = Awaited<ReturnType<typeof listPage>>;
type OrderRow = Extract<NonNullable<ListAnswer>, unknown[]>[number];

async function listPage(api: ReturnType<typeof createOrderTrackingClient>, query: Record<string, string>) {
  return (await api.GET('/api/v1/order/', { params: { query: query as { page?: number } } })).data;
}

export async function carefulClient(baseUrl: string, token: string, o: { pollMs?: number; terminate?: boolean; scheme?: 'Bearer' | 'Token' } = {}): Promise<ClientRun> {
  // a provider may want `Token` instead of `Bearer` (ANALYSIS.md): the scheme is the client's to set
  const api = o.scheme === 'Token' ? createOrderTrackingClient({ baseUrl, headers: { Authorization: `Token ${token}` } }) : createOrderTrackingClient({ baseUrl, token });
  const out: ClientRun = {};
  const reasons = (await api.GET('/api/v1/terminate_reason/')).data?.terminate_reasons ?? [];
  // the list walked page by page, each `next` link followed (its path and query, against our base URL: the target's links name the target's own host)
  const orders: OrderRow[] = [];
  let query: Record<string, string> = { page: '1', page_size: '20' };
  for (let n = 0; n < 20; n++) {
    const listed = await listPage(api, query);
    orders.push(...(Array.isArray(listed) ? listed : (listed?.results ?? [])));
    const next = Array.isArray(listed) ? null : listed?.next;
    if (!next) break;
    query = Object.fromEntries(new URL(next, baseUrl).searchParams);
  }
  const first = orders[0];
  if (first) {
    const path = { order_reference: first.order_reference };
    await api.GET('/api/v1/order/{order_reference}/', { params: { path } });
    await api.GET('/api/v1/order/{order_reference}/historic/', { params: { path } });
    const groups = (await api.GET('/api/v1/order/{order_reference}/documents/', { params: { path } })).data ?? [];
    const file = groups[0]?.values[0];
    if (file) await api.GET('/api/v1/order/{order_reference}/{filename}/download/', { params: { path: { ...path, filename: file } }, parseAs: 'arrayBuffer' });
  }
  const active = orders.find((x) => x.state === 'active');
  if (o.terminate !== false && active && reasons[0]) {
    const r = await api.POST('/api/v1/order/{order_reference}/{action}/', { params: { path: { order_reference: active.order_reference, action: 'terminate' } }, body: { reason: reasons[0], message: '' } });
    if (r.response.ok) out.terminated = active.order_reference;
    await api.GET('/api/v1/order_request/', { params: { query: { order_reference: active.order_reference } } });
  }
  const started = await api.POST('/api/v1/order/export/csv/');
  const task = started.data?.task_id;
  if (task) {
    const path = { task_id: task };
    for (let i = 0; i < 60; i++) {
      const s = (await api.GET('/api/v1/order/export/{task_id}/status/', { params: { path } })).data;
      if (s?.success === true) {
        const file = await api.GET('/api/v1/order/export/{task_id}/download/', { params: { path }, parseAs: 'text' });
        out.exportBytes = Buffer.byteLength(String(file.data ?? ''), 'utf8');
        break;
      }
      if (s?.success === false) break;
      await sleep(o.pollMs ?? 1000);
    }
  }
  return out;
}

if (process.argv[1]?.endsWith('careful.ts')) {
  const [base = 'http://127.0.0.1:8080', token = 'demo-token-a1'] = process.argv.slice(2);
  carefulClient(base, token).then((r) => console.log(JSON.stringify(r)));
}

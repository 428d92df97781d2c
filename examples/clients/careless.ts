/**
 * A careless client, each of its faults one a client of a real provider
 * makes, and each one the proxy reports under its requirement:
 *
 *   - no trailing slash on the order list                 CLI-REQUEST
 *   - a misspelt query parameter (`pag_size`)             CLI-REQUEST
 *   - an order read without its credentials               CLI-AUTH
 *   - a termination with a reason of its own ("Because")  CLI-REASON
 *   - a second export started at once                     CLI-RATE
 *   - the export status polled in a tight loop, and again after it finished  CLI-POLL
 *
 *   npx tsx examples/clients/careless.ts http://127.0.0.1:PORT demo-token-a1
 */
export async function carelessClient(baseUrl: string, token: string): Promise<void> {
  const base = baseUrl.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const get = async (path: string, headers: Record<string, string> = auth): Promise<Response> => {
    const r = await fetch(`${base}${path}`, { headers });
    await r.arrayBuffer();
    return r;
  };
  await get('/api/v1/order');
  await get('/api/v1/order/?pag_size=5');
  const listed = (await (await fetch(`${base}/api/v1/order/`, { headers: auth })).json()) as { order_reference: string; state: string }[] | { results: { order_reference: string; state: string }[] };
  const orders = Array.isArray(listed) ? listed : listed.results;
  const first = orders[0];
  if (first) await get(`/api/v1/order/${encodeURIComponent(first.order_reference)}/`, { accept: 'application/json' });
  const active = orders.find((o) => o.state === 'active');
  if (active) {
    const r = await fetch(`${base}/api/v1/order/${encodeURIComponent(active.order_reference)}/terminate/`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'Because' }) });
    await r.arrayBuffer();
  }
  const start = async (): Promise<{ task_id?: string }> => {
    const r = await fetch(`${base}/api/v1/order/export/csv/`, { method: 'POST', headers: auth });
    return (await r.json()) as { task_id?: string };
  };
  const { task_id } = await start();
  await start();
  if (!task_id) return;
  // polls as fast as the answers come, and twice more once it is done
  let after = 0;
  for (let i = 0; i < 500 && after < 2; i++) {
    const r = await fetch(`${base}/api/v1/order/export/${task_id}/status/`, { headers: auth });
    const s = (await r.json()) as { success?: boolean | null };
    if (s.success === true || s.success === false) after++;
  }
}

if (process.argv[1]?.endsWith('careless.ts')) {
  const [base = 'http://127.0.0.1:8080', token = 'demo-token-a1'] = process.argv.slice(2);
  carelessClient(base, token).then(() => console.log('done'));
}

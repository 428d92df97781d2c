/**
 * Provider variants of the reference server (mock/variants.ts): each one
 * behaves as its README line says, and the default is the reference server
 * unchanged. Each case starts its own server (seed 42, 60 orders, a fake
 * clock) on 127.0.0.1 and closes it.
 */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { VARIANTS, VARIANT_NAMES, behaviourOf, type MockOptions } from '../../mock/index.ts';
import { runMockCli } from '../../mock/main.ts';
import { runCli } from '../run/cli.ts';
import { A1, A2, B1, lc, productOrderBody, spec, startServer, type Server } from './helpers.ts';

interface Answer {
  status: number;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

let servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(variants: string[] = [], options: MockOptions = {}): Promise<Server> {
  const s = await startServer({ variants, ...options });
  servers.push(s);
  return s;
}

/** A request with `Authorization: <scheme> <token>` (token null: none); the answer, parsed when JSON. */
async function ask(s: Server, method: string, path: string, o: { token?: string | null; scheme?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (o.token !== null) headers.authorization = `${o.scheme ?? 'Bearer'} ${o.token ?? A1}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const r = await request(`${s.baseUrl}${path}`, { method: method as 'GET', headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await r.body.text();
  const contentType =
    String(r.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim() ?? '';
  return { status: r.statusCode, contentType, headers: r.headers, text, json: contentType === 'application/json' && text !== '' ? JSON.parse(text) : undefined };
}

const get = (s: Server, path: string, token?: string | null): Promise<Answer> => ask(s, 'GET', path, { token });

/** Every row of a list, following `next` links (or the array itself). */
async function walk(s: Server, path: string, token = A1): Promise<{ rows: Record<string, unknown>[]; pages: number; count: number | undefined }> {
  const rows: Record<string, unknown>[] = [];
  let next: string | null = path;
  let pages = 0;
  let count: number | undefined;
  while (next) {
    const r = await get(s, next, token);
    expect(r.status, next).toBe(200);
    pages++;
    if (Array.isArray(r.json)) return { rows: r.json, pages, count };
    count ??= r.json.count;
    rows.push(...r.json.results);
    next = r.json.next ? new URL(r.json.next).pathname + new URL(r.json.next).search : null;
    expect(pages).toBeLessThan(100);
  }
  return { rows, pages, count };
}

/** A customer A order in `state`, from the seeded list. */
async function orderIn(s: Server, state: string): Promise<string> {
  const { rows } = await walk(s, '/api/v1/order/?page_size=1000');
  const o = rows.find((r) => r.state === state);
  expect(o, `an order in state ${state}`).toBeDefined();
  return String(o?.order_reference);
}

const reason = async (s: Server): Promise<string> => (await get(s, '/api/v1/terminate_reason/')).json.terminate_reasons[0];

const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** Every instant the server shows: list modification dates, a history, order requests, an export status. */
async function instants(s: Server): Promise<{ where: string; value: string }[]> {
  const out: { where: string; value: string }[] = [];
  const list = await walk(s, '/api/v1/order/?page_size=1000');
  for (const o of list.rows.slice(0, 10)) out.push({ where: 'list', value: String(o.modification_date) });
  const ref = String(list.rows.find((o) => o.state === 'active')?.order_reference);
  for (const e of (await get(s, `/api/v1/order/${ref}/historic/`)).json.results) out.push({ where: 'history', value: e.change_date });
  for (const r of (await walk(s, '/api/v1/order_request/')).rows.slice(0, 5)) out.push({ where: 'request', value: String(r.creation_date) });
  const task = (await ask(s, 'POST', '/api/v1/order/export/csv/')).json.task_id;
  out.push({ where: 'export', value: (await get(s, `/api/v1/order/export/${task}/status/`)).json.started });
  return out;
}

describe('the variant table', () => {
  it('has short kebab-case names, each with a present-tense description and an effect', () => {
    for (const name of VARIANT_NAMES) {
      expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(VARIANTS[name].description, name).toMatch(/^[a-z`]/);
      expect(Object.keys(VARIANTS[name].effect).length, name).toBeGreaterThan(0);
    }
  });

  it('refuses an unknown name with CONF_ERR_BAD_OPTION, listing the valid names', () => {
    expect(() => behaviourOf('bare-list,no-such-variant')).toThrowError(expect.objectContaining({ code: 'CONF_ERR_BAD_OPTION', message: expect.stringContaining(`valid names: ${VARIANT_NAMES.join(', ')}`) }));
  });

  it('refuses two variants that choose one switch differently', () => {
    expect(() => behaviourOf(['bare-list', 'limit-offset'])).toThrowError(expect.objectContaining({ code: 'CONF_ERR_BAD_OPTION', message: expect.stringContaining('bare-list and limit-offset cannot be combined') }));
    expect(() => behaviourOf('action-200,action-204')).toThrowError(expect.objectContaining({ code: 'CONF_ERR_BAD_OPTION' }));
  });

  it('reads a comma-separated list, a list, blanks and repeats alike', () => {
    expect(behaviourOf(' bare-list, html-404,,bare-list').variants).toEqual(['bare-list', 'html-404']);
    expect(behaviourOf(['token-auth', 'export-200']).behaviour).toMatchObject({ authScheme: 'Token', exportStartStatus: 200 });
    expect(behaviourOf(undefined).variants).toEqual([]);
  });

  it('is documented in the README, one line per variant', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const name of VARIANT_NAMES) expect(readme, name).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
  });

  it('conformance mock --variant with an unknown name exits 2 with CONF_ERR_BAD_OPTION and the valid names', async () => {
    const out = await runCli(['mock', '--port', '0', '--variant', 'bare-list,bare-lists'], { deadlineMs: 20_000 });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('CONF_ERR_BAD_OPTION');
    expect(out.stderr).toContain(`unknown variant bare-lists; valid names: ${VARIANT_NAMES.join(', ')}`);
  });

  it('conformance mock --variant: runMockCli serves the variants and names them', async () => {
    const lines: string[] = [];
    const m = await runMockCli({ port: '0', orders: '12', variants: 'bare-list,token-auth', print: (l) => lines.push(l), handleSignals: false });
    try {
      expect(lines).toContain('Provider variants: bare-list, token-auth');
      expect(lines).toContain('Demo tokens (Authorization: Token <token>):');
      const r = await request(`${m.baseUrl}/api/v1/order/`, { headers: { authorization: `Token ${A1}` } });
      expect(r.statusCode).toBe(200);
      expect(Array.isArray(await r.body.json())).toBe(true);
    } finally {
      await m.close();
    }
  });
});

describe('the default (no variant)', () => {
  it('pages with {count, next, previous, results}, honours page_size, answers JSON 404s, 404 for another customer, 202, 201, Bearer, {detail}', async () => {
    const s = await serve();
    const page = await get(s, '/api/v1/order/?page_size=5');
    expect(Object.keys(page.json)).toEqual(['count', 'next', 'previous', 'results']);
    expect(page.json.results).toHaveLength(5);
    expect(page.json.next).toMatch(/page_size=5&page=2$/);
    const unmatched = await get(s, '/api/v1/no/such/route/');
    expect([unmatched.status, unmatched.contentType, unmatched.json]).toEqual([404, 'application/json', { detail: 'Not found.' }]);
    expect((await get(s, '/api/v1/order/CMD_X_00000004/')).status).toBe(404);
    expect((await ask(s, 'POST', '/api/v1/order/export/csv/')).status).toBe(202);
    const ref = await orderIn(s, 'active');
    const t = await ask(s, 'POST', `/api/v1/order/${ref}/terminate/`, { body: { reason: await reason(s) } });
    expect(t.status).toBe(201);
    expect(t.json.order_reference).toBe(ref);
    const po = await ask(s, 'POST', '/api/v1/product_order/', { body: productOrderBody('default-1') });
    expect(po.json.product_order_item[0].status).toBe('acknowledged');
    expect((await get(s, `/api/v1/product_order/${po.json.id}/`)).status).toBe(200);
    expect((await get(s, '/api/v1/order/', null)).json).toEqual({ detail: 'Authentication credentials were not provided.' });
    expect((await ask(s, 'GET', '/api/v1/order/', { scheme: 'Token' })).status).toBe(401);
  });

  it('writes instants as the documentation does: Z in lists and export status, +02:00 in histories, milliseconds in order requests', async () => {
    const s = await serve();
    for (const { where, value } of await instants(s)) {
      const want = { list: /T\d\d:\d\d:\d\dZ$/, history: /T\d\d:\d\d:\d\d\+02:00$/, request: /\.\d{3}Z$/, export: /T\d\d:\d\d:\d\dZ$/ }[where];
      expect(value, where).toMatch(want as RegExp);
    }
  });
});

describe('list envelope and paging', () => {
  it('bare-list: both lists are a bare array of every row, whatever page and page_size say', async () => {
    const d = await serve();
    const s = await serve(['bare-list']);
    const all = await walk(d, '/api/v1/order/?page_size=1000');
    const orders = await get(s, '/api/v1/order/?page=2&page_size=5');
    expect(Array.isArray(orders.json)).toBe(true);
    expect(orders.json.map((o: { order_reference: string }) => o.order_reference)).toEqual(all.rows.map((o) => o.order_reference));
    const requests = await get(s, '/api/v1/order_request/');
    expect(Array.isArray(requests.json)).toBe(true);
    expect(requests.json).toHaveLength((await walk(d, '/api/v1/order_request/')).rows.length);
  });

  it('limit-offset: pages of ?limit (25 by default) from ?offset, next links built that way, page_size ignored, every row once', async () => {
    const s = await serve(['limit-offset']);
    const first = await get(s, '/api/v1/order/?page_size=5');
    expect(first.json.results).toHaveLength(25);
    expect(new URL(first.json.next).search).toBe('?page_size=5&limit=25&offset=25');
    const ten = await get(s, '/api/v1/order/?limit=10&offset=20');
    expect(ten.json.results).toHaveLength(10);
    expect(new URL(ten.json.next).searchParams.get('offset')).toBe('30');
    expect(new URL(ten.json.previous).searchParams.get('offset')).toBe('10');
    const w = await walk(s, '/api/v1/order/?limit=7');
    expect(w.rows).toHaveLength(w.count as number);
    expect(new Set(w.rows.map((o) => o.order_reference)).size).toBe(w.count);
    expect(w.pages).toBe(Math.ceil((w.count as number) / 7));
    const requests = await walk(s, '/api/v1/order_request/?limit=4');
    expect(new Set(requests.rows.map((r) => r.id)).size).toBe(requests.count);
    expect((await get(s, '/api/v1/order/?offset=-1')).status).toBe(400);
  });

  it('fixed-page-size: pages of 25 whatever page_size asks, linked by page', async () => {
    const s = await serve(['fixed-page-size']);
    for (const size of ['1', '5', '1000', 'junk']) expect((await get(s, `/api/v1/order/?page_size=${size}`)).json.results, size).toHaveLength(25);
    const w = await walk(s, '/api/v1/order/?page_size=3');
    expect(w.rows).toHaveLength(w.count as number);
    expect(w.pages).toBe(Math.ceil((w.count as number) / 25));
  });
});

describe('errors and access', () => {
  it('html-404: a URL that matches no route gets an HTML page; a known route with an unknown object still answers JSON', async () => {
    const s = await serve(['html-404']);
    for (const path of ['/api/v1/no/such/route/', '/api/v1/order//historic/', '/api/v1/order/a%2Fb/documents/', '/api/v1/order/export/%/status/', '/favicon.ico']) {
      const r = await get(s, path);
      expect([r.status, r.contentType], path).toEqual([404, 'text/html']);
      expect(r.text, path).toContain('<h1>Not Found</h1>');
    }
    const unknown = await get(s, '/api/v1/order/CMD_X_99999999/');
    expect([unknown.status, unknown.json]).toEqual([404, { detail: 'Not found.' }]);
  });

  it("forbidden-403: another customer's order, history, documents, files and product orders, another user's export task, answer 403; unknown ones 404", async () => {
    const s = await serve(['forbidden-403']);
    const theirs = 'CMD_X_00000004';
    for (const suffix of ['', 'historic/', 'documents/', `${theirs}_1.pdf/download/`]) {
      expect((await get(s, `/api/v1/order/${theirs}/${suffix}`)).status, suffix).toBe(403);
      expect((await get(s, `/api/v1/order/CMD_X_99999999/${suffix}`)).status, suffix).toBe(404);
    }
    expect((await get(s, `/api/v1/order/${theirs}/`, B1)).status).toBe(200);
    const task = (await ask(s, 'POST', '/api/v1/order/export/csv/')).json.task_id;
    expect((await get(s, `/api/v1/order/export/${task}/status/`, A2)).status).toBe(403);
    expect((await get(s, `/api/v1/order/export/${task}/status/`, B1)).status).toBe(403);
    expect((await get(s, `/api/v1/order/export/${task}/status/`, A1)).status).toBe(200);
    const po = (await ask(s, 'POST', '/api/v1/product_order/', { body: productOrderBody('x-403') })).json.id;
    expect((await get(s, `/api/v1/product_order/${po}/`, B1)).status).toBe(403);
  });

  it('token-auth: Authorization: Token <token> is accepted, Bearer refused with 401 and WWW-Authenticate: Token', async () => {
    const s = await serve(['token-auth']);
    expect((await ask(s, 'GET', '/api/v1/order/', { scheme: 'Token' })).status).toBe(200);
    const bearer = await ask(s, 'GET', '/api/v1/order/', { scheme: 'Bearer' });
    expect(bearer.status).toBe(401);
    expect(bearer.headers['www-authenticate']).toBe('Token');
    expect((await ask(s, 'GET', '/api/v1/order/', { scheme: 'Token', token: 'not-a-token' })).status).toBe(401);
  });

  it('nested-errors: every error body is {error: {code, message}}, a refused body names its fields', async () => {
    const s = await serve(['nested-errors']);
    expect((await get(s, '/api/v1/order/CMD_X_99999999/')).json).toEqual({ error: { code: 'not_found', message: 'Not found.' } });
    expect((await get(s, '/api/v1/order/', null)).json).toEqual({ error: { code: 'not_authenticated', message: 'Authentication credentials were not provided.' } });
    const ref = await orderIn(s, 'active');
    const bad = await ask(s, 'POST', `/api/v1/order/${ref}/terminate/`, { body: { reason: 'Because' } });
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toBeUndefined();
    expect(bad.json.error).toMatchObject({ code: 'invalid', message: expect.any(String), fields: [{ code: 'invalid_choice', property_path: 'reason', value: 'Because' }] });
    await ask(s, 'POST', '/api/v1/order/export/csv/');
    const limited = await ask(s, 'POST', '/api/v1/order/export/csv/');
    expect([limited.status, limited.json.error.code]).toEqual([429, 'throttled']);
  });
});

describe('writes and export', () => {
  it('export-200: the export start answers 200 with a task_id', async () => {
    const s = await serve(['export-200']);
    const r = await ask(s, 'POST', '/api/v1/order/export/csv/');
    expect(r.status).toBe(200);
    expect(r.json.task_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  for (const status of [200, 202, 204] as const) {
    it(`action-${status}: an accepted termination answers ${status}${status === 204 ? ' with an empty body' : ''}, and takes effect`, async () => {
      const s = await serve([`action-${status}`]);
      const ref = await orderIn(s, 'active');
      const t = await ask(s, 'POST', `/api/v1/order/${ref}/terminate/`, { body: { reason: await reason(s) } });
      expect(t.status).toBe(status);
      if (status === 204) expect(t.text).toBe('');
      else expect(t.json.order_reference).toBe(ref);
      expect((await get(s, `/api/v1/order/${ref}/`)).json.state).toBe('terminate_in_progress');
      expect((await walk(s, `/api/v1/order_request/?order_reference=${ref}&action=R%C3%A9siliation`)).rows.length).toBeGreaterThan(0);
      // a refusal is unchanged
      expect((await ask(s, 'POST', `/api/v1/order/${ref}/terminate/`, { body: { reason: await reason(s) } })).status).toBe(409);
    });
  }

  it("export-labels: the export's header row is French labels, one per list field, the rows the default's", async () => {
    const csv = async (variants: string[]): Promise<string[]> => {
      const s = await serve(variants, { exportMs: 0 });
      const task = (await ask(s, 'POST', '/api/v1/order/export/csv/')).json.task_id;
      for (let i = 0; i < 50 && (await get(s, `/api/v1/order/export/${task}/status/`)).json.success !== true; i++) await new Promise((r) => setTimeout(r, 20));
      const d = await get(s, `/api/v1/order/export/${task}/download/`);
      expect(d.contentType).toBe('text/csv');
      return d.text.split('\r\n');
    };
    const [labelled, plain] = [await csv(['export-labels']), await csv([])];
    expect(labelled[0]?.split(',')).toContain('Référence commande');
    expect(labelled[0]?.split(',')).toContain('Statut');
    expect(labelled[0]?.split(',')).not.toContain('order_reference');
    expect(labelled[0]?.split(',').length).toBe(plain[0]?.split(',').length);
    expect(labelled.slice(1)).toEqual(plain.slice(1));
  });

  it('no-product-order-get: a product order is created (201) but GET /api/v1/product_order/{id}/ answers 404', async () => {
    const s = await serve(['no-product-order-get']);
    const po = await ask(s, 'POST', '/api/v1/product_order/', { body: productOrderBody('no-get') });
    expect(po.status).toBe(201);
    expect((await get(s, `/api/v1/product_order/${po.json.id}/`)).status).toBe(404);
  });

  it('item-state-field: the product order item carries its status as `state`, on creation and on reading', async () => {
    const s = await serve(['item-state-field']);
    const po = await ask(s, 'POST', '/api/v1/product_order/', { body: productOrderBody('state-field') });
    expect(po.json.product_order_item[0]).toMatchObject({ state: 'acknowledged' });
    expect(po.json.product_order_item[0]).not.toHaveProperty('status');
    s.clock.advance(60_000);
    const later = await get(s, `/api/v1/product_order/${po.json.id}/`);
    expect(later.json.product_order_item[0].state).toBe('created');
    expect(later.json.product_order_item[0]).not.toHaveProperty('status');
  });

  it('no-offering-1679: no order offers 1679, a product order naming it (or any id not in the catalogue) gets 400, one in the catalogue 201', async () => {
    const d = await serve();
    const s = await serve(['no-offering-1679']);
    const offerings = async (srv: Server): Promise<Set<string>> => {
      const refs = (await walk(srv, '/api/v1/order/?page_size=1000')).rows.map((o) => String(o.order_reference));
      return new Set(await Promise.all(refs.map(async (ref) => String((await get(srv, `/api/v1/order/${ref}/`)).json.product_offering_id))));
    };
    expect(await offerings(d)).toContain('1679');
    const ids = await offerings(s);
    expect(ids).not.toContain('1679');
    expect(ids.size).toBeGreaterThan(1);
    for (const id of ['1679', '9999']) {
      const r = await ask(s, 'POST', '/api/v1/product_order/', { body: { ...productOrderBody('cat'), product_offering_id: id } });
      expect(r.status, id).toBe(400);
      expect(r.json.errors, id).toEqual([{ code: 'invalid_choice', property_path: 'product_offering_id', value: id }]);
    }
    const known = [...ids][0] as string;
    expect((await ask(s, 'POST', '/api/v1/product_order/', { body: { ...productOrderBody('cat'), product_offering_id: known } })).status).toBe(201);
  });
});

describe('timestamps', () => {
  const cases: { variants: string[]; want: RegExp }[] = [
    { variants: ['utc-timestamps'], want: /T\d\d:\d\d:\d\d(\.\d{3})?Z$/ },
    { variants: ['offset-timestamps'], want: /T\d\d:\d\d:\d\d(\.\d{3})?\+01:00$/ },
    { variants: ['microsecond-timestamps'], want: /T\d\d:\d\d:\d\d\.\d{6}(Z|\+02:00)$/ },
    { variants: ['offset-timestamps', 'microsecond-timestamps'], want: /T\d\d:\d\d:\d\d\.\d{6}\+01:00$/ },
  ];
  for (const c of cases) {
    it(`${c.variants.join(' + ')}: every instant reads ${c.want.source}, and names the same instant as the default`, async () => {
      const d = await instants(await serve());
      const v = await instants(await serve(c.variants));
      expect(v.map((x) => x.where)).toEqual(d.map((x) => x.where));
      v.forEach((x, i) => {
        expect(x.value, x.where).toMatch(INSTANT);
        expect(x.value, x.where).toMatch(c.want);
        expect(Math.floor(Date.parse(x.value) / 1000), `${x.where} ${x.value} vs ${d[i]?.value}`).toBe(Math.floor(Date.parse(d[i]?.value ?? '') / 1000));
      });
    });
  }
});

describe('histories', () => {
  const histories = async (s: Server): Promise<{ ref: string; state: string; entries: { state: string; change_date: string }[] }[]> => {
    const { rows } = await walk(s, '/api/v1/order/?page_size=1000');
    return Promise.all(rows.map(async (o) => ({ ref: String(o.order_reference), state: String(o.state), entries: (await get(s, `/api/v1/order/${o.order_reference}/historic/`)).json.results })));
  };
  const example = (spec.doc.components as { examples: Record<string, { value: { results: { state: string }[] } }> }).examples.OrderHistoryDoc?.value.results.map((e) => e.state) ?? [];

  it("doc-history: the documentation example's vocabulary (no confirmed, no in_progress), its exact sequence for an order produced to active, the last step dated after active", async () => {
    expect(example.length).toBeGreaterThan(10);
    const all = await histories(await serve(['doc-history']));
    const used = new Set(all.flatMap((h) => h.entries.map((e) => e.state)));
    expect(used.has('confirmed')).toBe(false);
    expect(used.has('in_progress')).toBe(false);
    for (const v of ['acknowledged', 'held_adv_validation', 'production_in_progress']) expect(used.has(v), v).toBe(true);
    const produced = all.filter((h) => h.state === 'active' && h.entries.length === example.length);
    expect(produced.length).toBeGreaterThan(0);
    for (const h of produced) {
      expect(h.entries.map((e) => e.state)).toEqual(example);
      const [step, active] = h.entries.slice(-2);
      expect(Date.parse(step?.change_date ?? '') - Date.parse(active?.change_date ?? '')).toBe(2000);
    }
    // the last entry still stands for the order's state
    for (const h of all) expect(lc.orderStateOf.get(h.entries[h.entries.length - 1]?.state ?? ''), h.ref).toBe(h.state);
  });

  it('skipped-steps: some orders produced to active miss one to three steps, never the first or last, never backwards; others report all eleven', async () => {
    const all = (await histories(await serve(['skipped-steps']))).filter((h) => h.entries.some((e) => e.state === 'active'));
    const reported = all.map((h) => h.entries.map((e) => e.state).filter((s) => lc.steps.includes(s)));
    const missing = reported.map((steps) => lc.steps.length - steps.length);
    expect(missing.some((n) => n === 0)).toBe(true);
    expect(missing.some((n) => n >= 1 && n <= 3)).toBe(true);
    expect(Math.max(...missing)).toBeLessThanOrEqual(3);
    for (const steps of reported) {
      expect(steps.map((s) => lc.steps.indexOf(s))).toEqual([...steps.map((s) => lc.steps.indexOf(s))].sort((a, b) => a - b));
      expect(steps[0]).toBe(lc.steps[0]);
      expect(steps[steps.length - 1]).toBe(lc.steps[lc.steps.length - 1]);
    }
  });

  it('the default reports every step of an order produced to active, in the reference vocabulary', async () => {
    const all = (await histories(await serve())).filter((h) => h.state === 'active' && h.entries.some((e) => e.state === lc.steps[0]));
    expect(all.length).toBeGreaterThan(0);
    for (const h of all)
      expect(
        h.entries.filter((e) => lc.steps.includes(e.state)).map((e) => e.state),
        h.ref,
      ).toEqual(lc.steps);
  });
});

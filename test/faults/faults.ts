/**
 * The catalogue of faulty servers: each entry breaks exactly one rule of the
 * contract by rewriting requests or responses on their way through the proxy
 * of `./proxy.ts`, and names the check (src/checks/catalog.ts) that must catch
 * it, with that check's requirement ID. Descriptions say what the faulty
 * server does, in the present tense.
 *
 * A fault may disturb more than its own check (a wrong state in the list also
 * disagrees with the detail); what `kill.test.ts` pins is that the check it
 * names fails.
 */
import { randomUUID } from 'node:crypto';
import { productionStepValues } from '../../generated/openapi.ts';
import { lifecycleOf } from '../../src/contract/lifecycle.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { bearer, changed, editItems, editJson, editRequest, editResponse, itemsOf, jsonAnswer, jsonOf, mainGet, reasonsOf, requestJson, resetConnection, withJson, type Fault, type FaultContext, type ProxyRequest, type ProxyResponse } from './proxy.ts';

type Entry = { state: string; change_date: string; change_reason: string };

const lc = lifecycleOf(loadSpec());
const PRODUCTION_STEPS: readonly string[] = productionStepValues;
const TERMINAL = [...lc.order.terminal];

function historyOf(body: unknown): Entry[] {
  const r = (body as { results?: unknown } | undefined)?.results;
  return Array.isArray(r) ? (r as Entry[]) : [];
}

/** The file-name segment of a document download, decoded when it can be. */
function fileName(req: ProxyRequest): string {
  const raw = req.segments[4] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** A plain file name, as the documents list gives them (no traversal probe, no encoded byte). */
function plainName(req: ProxyRequest): boolean {
  const raw = req.segments[4] ?? '';
  return /^[\w-][\w.-]*$/.test(raw) && !raw.includes('..');
}

function fakeRequestRow(ref: string, body: unknown): Record<string, unknown> {
  const b = (body ?? {}) as { reason?: unknown; message?: unknown; request_effective_date?: unknown };
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    creation_date: now,
    modification_date: now,
    order_reference: ref,
    action: 'Résiliation',
    request_effective_date: b.request_effective_date ?? null,
    message: typeof b.message === 'string' ? b.message : '',
    reason: String(b.reason ?? ''),
  };
}

/** The state of an order as the reference server tells the main user. */
async function stateOf(ctx: FaultContext, rawRef: string): Promise<unknown> {
  const res = await ctx.forward(mainGet(`/api/v1/order/${rawRef}/`));
  return (jsonOf(res) as { state?: unknown } | undefined)?.state;
}

/**
 * Refuses as the reference server does (the given statuses) but keeps a
 * request row for the order anyway, and shows it in the order requests list.
 */
function recordsRefused(statuses: number[]): (req: ProxyRequest, ctx: FaultContext) => Promise<ProxyResponse> {
  return async (req, ctx) => {
    const rows = (ctx.memory.get('rows') as Record<string, unknown>[] | undefined) ?? [];
    ctx.memory.set('rows', rows);
    const res = await ctx.forward(req);
    if (isTerminate(req) && statuses.includes(res.status)) {
      const body = requestJson(req);
      rows.push(fakeRequestRow(decodeURIComponent(req.segments[3] ?? ''), Array.isArray(body) ? {} : body));
    }
    if (req.operation === 'listOrderRequests' && res.status === 200 && rows.length > 0) {
      const body = jsonOf(res);
      const ref = req.query.get('order_reference');
      const extra = rows.filter((r) => ref === null || r.order_reference === ref);
      if (Array.isArray(body)) return withJson(res, [...body, ...extra]);
      const page = body as { count?: number; results?: unknown[]; next?: unknown };
      if (page && Array.isArray(page.results) && !page.next) {
        page.results.push(...extra);
        if (typeof page.count === 'number') page.count += extra.length;
        return withJson(res, page);
      }
    }
    return res;
  };
}

/** The order references the main user can see (every page, whatever the page size), fetched once per fault. */
async function orderRefs(ctx: FaultContext): Promise<string[]> {
  const hit = ctx.memory.get('refs');
  if (Array.isArray(hit)) return hit as string[];
  const refs: string[] = [];
  let url: string | undefined = '/api/v1/order/?page_size=1000';
  for (let pages = 0; url && pages < 1000; pages++) {
    const body = jsonOf(await ctx.forward(mainGet(url)));
    refs.push(...itemsOf(body).map((o) => String(o.order_reference)));
    const next = (body as { next?: unknown } | undefined)?.next;
    url = typeof next === 'string' && next !== '' ? new URL(next, 'http://x').pathname + new URL(next, 'http://x').search : undefined;
  }
  ctx.memory.set('refs', refs);
  return refs;
}

const isTerminate = (req: ProxyRequest): boolean => req.operation === 'requestOrderAction' && req.segments[4] === 'terminate';

/** The orders whose termination the server accepted so far (any 2xx: 201 by default, 200/202/204 on the action variants), kept in the fault's memory. */
function acceptedTerminations(req: ProxyRequest, res: ProxyResponse, ctx: FaultContext): Set<string> {
  const terminated = (ctx.memory.get('terminated') as Set<string> | undefined) ?? new Set<string>();
  ctx.memory.set('terminated', terminated);
  if (isTerminate(req) && res.status >= 200 && res.status < 300) terminated.add(decodeURIComponent(req.segments[3] ?? ''));
  return terminated;
}

/** The first termination reason the reference server lists: the documentation's example list, as it serves it. */
const FIRST_REASON = ((): string => {
  const raw = loadSpec().operations.get('listTerminateReasons')?.raw as { responses?: Record<string, { content?: Record<string, { examples?: Record<string, { value?: { terminate_reasons?: unknown[] } }> }> }> } | undefined;
  const examples = raw?.responses?.['200']?.content?.['application/json']?.examples ?? {};
  const reasons = Object.values(examples).find((e) => Array.isArray(e.value?.terminate_reasons))?.value?.terminate_reasons;
  if (!reasons?.length) throw new Error('openapi.yaml: listTerminateReasons has no example listing the termination reasons');
  return String(reasons[0]);
})();

/** A termination body the reference server accepts, as a user would give it (--terminate-body). */
const VOUCHED_TERMINATION = { reason: FIRST_REASON, message: 'conformance run' };

/** A termination by the main user, with a listed reason, of an order that is active: one the reference server would accept. */
async function validTermination(req: ProxyRequest, ctx: FaultContext): Promise<boolean> {
  if (!isTerminate(req) || req.caller !== 'main') return false;
  const body = requestJson(req) as { reason?: unknown } | undefined;
  return typeof body?.reason === 'string' && (await reasonsOf(ctx)).includes(body.reason) && (await stateOf(ctx, req.segments[3] ?? '')) === 'active';
}

export const FAULTS: readonly Fault[] = [
  // ------------------------------------------------------------------ access
  {
    name: 'reads-without-credentials',
    breaks: 'auth_missing_credentials',
    requirement: 'AUTH-REQUIRED',
    description: 'serves every read without credentials as if the main user had asked',
    transform: editRequest(
      (r) => r.caller === 'none' && r.method === 'GET',
      (r) => changed(r, { headers: { authorization: bearer('main') } }),
    ),
  },
  {
    name: 'accepts-any-token',
    breaks: 'auth_invalid_credentials',
    requirement: 'AUTH-REQUIRED',
    description: 'accepts any bearer token it does not know as the main user for reads',
    transform: editRequest(
      (r) => r.caller === 'unknown' && r.method === 'GET',
      (r) => changed(r, { headers: { authorization: bearer('main') } }),
    ),
  },
  {
    name: 'export-start-without-credentials',
    breaks: 'auth_missing_credentials',
    requirement: 'AUTH-REQUIRED',
    description: 'starts an export for a request without credentials',
    transform: async (req, ctx) => (req.operation === 'startOrderExport' && req.caller === 'none' ? jsonAnswer(202, { task_id: randomUUID() }) : ctx.forward(req)),
  },
  {
    name: 'order-detail-open-to-other-customers',
    breaks: 'tenant_isolation',
    requirement: 'AUTH-TENANT',
    description: "shows any order's detail to a user of another customer",
    transform: editRequest(
      (r) => r.caller === 'otherTenant' && r.operation === 'getOrder',
      (r) => changed(r, { headers: { authorization: bearer('main') } }),
    ),
  },
  {
    name: 'order-list-open-to-other-customers',
    breaks: 'tenant_isolation',
    requirement: 'AUTH-TENANT',
    description: "lists the main customer's orders to a user of another customer",
    transform: editRequest(
      (r) => r.caller === 'otherTenant' && r.operation === 'listOrders',
      (r) => changed(r, { headers: { authorization: bearer('main') } }),
    ),
  },
  {
    name: 'files-open-to-other-customers',
    breaks: 'tenant_isolation',
    requirement: 'AUTH-TENANT',
    description: "lets a user of another customer download any order's documents",
    transform: editRequest(
      (r) => r.caller === 'otherTenant' && r.operation === 'downloadOrderDocument',
      (r) => changed(r, { headers: { authorization: bearer('main') } }),
    ),
  },
  {
    name: 'export-task-open-to-other-customers',
    breaks: 'tenant_isolation',
    requirement: 'AUTH-TENANT',
    description: "shows the status of any user's export task to a user of another customer",
    transform: editRequest(
      (r) => r.caller === 'otherTenant' && r.operation === 'getOrderExportStatus',
      (r) => changed(r, { headers: { authorization: bearer('main') } }),
    ),
  },
  // ------------------------------------------------------------------ orders
  {
    name: 'list-commitment-as-string',
    breaks: 'order_list_schema',
    requirement: 'ORD-LIST-TYPES',
    description: 'writes the list\'s numeric commitment as a string ("12")',
    transform: editItems('listOrders', (o) => {
      o.commitment = String(o.commitment);
    }),
  },
  {
    name: 'list-created-by-missing',
    breaks: 'order_list_schema',
    requirement: 'ORD-LIST-TYPES',
    description: 'leaves created_by out of the list items',
    transform: editItems('listOrders', (o) => {
      delete o.created_by;
    }),
  },
  {
    name: 'list-order-date-not-a-date',
    breaks: 'order_list_schema',
    requirement: 'ORD-LIST-TYPES',
    description: 'writes order_date in the list as DD/MM/YYYY',
    transform: editItems('listOrders', (o) => {
      if (typeof o.order_date === 'string') o.order_date = o.order_date.split('-').reverse().join('/');
    }),
  },
  {
    name: 'list-duplicates-an-order',
    breaks: 'order_list_paging',
    requirement: 'ORD-LIST-PAGING',
    description: 'lists the first order twice',
    transform: editJson('listOrders', (body) => {
      const items = itemsOf(body);
      if (items.length > 0 && !(body as { previous?: unknown }).previous) items.push({ ...items[0] });
    }),
  },
  {
    name: 'list-pages-skip-one',
    breaks: 'order_list_paging',
    requirement: 'ORD-LIST-PAGING',
    description: 'pages the order list by 10 and links page 1 to page 3, so page 2 is never reached',
    transform: async (req, ctx) => {
      if (req.operation !== 'listOrders' || req.method !== 'GET') return ctx.forward(req);
      const page = Number(req.query.get('page') ?? '1');
      const q = new URLSearchParams(req.query);
      q.delete('page');
      q.delete('page_size');
      const qs = q.toString();
      const res = await ctx.forward(changed(req, { url: req.pathname + (qs ? `?${qs}` : '') }));
      const body = jsonOf(res) as { count?: number; results?: unknown[] } | undefined;
      if (res.status !== 200 || !body || !Array.isArray(body.results) || !Number.isInteger(page) || page < 1) return res;
      const size = 10;
      const last = Math.max(1, Math.ceil(body.results.length / size));
      const nextPage = page === 1 ? 3 : page + 1;
      const link = (n: number): string => {
        const p = new URLSearchParams(q);
        p.set('page', String(n));
        return `http://${req.headers.host}${req.pathname}?${p.toString()}`;
      };
      return withJson(res, {
        count: body.results.length,
        next: nextPage <= last ? link(nextPage) : null,
        previous: page > 1 ? link(page - 1) : null,
        results: body.results.slice((page - 1) * size, page * size),
      });
    },
  },
  {
    name: 'paging-drops-last-row',
    breaks: 'order_list_paging',
    requirement: 'ORD-LIST-PAGING',
    description: 'pages the order and order request lists by 10 and leaves the last row of each full page out, while count stays right',
    transform: async (req, ctx) => {
      if (!['listOrders', 'listOrderRequests'].includes(req.operation) || req.method !== 'GET') return ctx.forward(req);
      const page = Number(req.query.get('page') ?? '1');
      const q = new URLSearchParams(req.query);
      q.delete('page');
      q.delete('page_size');
      const upstream = new URLSearchParams(q);
      upstream.set('page_size', '1000');
      const res = await ctx.forward(changed(req, { url: `${req.pathname}?${upstream.toString()}` }));
      const body = jsonOf(res) as { count?: number; results?: unknown[] } | undefined;
      if (res.status !== 200 || !body || !Array.isArray(body.results) || !Number.isInteger(page) || page < 1) return res;
      const size = 10;
      const all = body.results;
      const last = Math.max(1, Math.ceil(all.length / size));
      const link = (n: number): string => {
        const p = new URLSearchParams(q);
        p.set('page', String(n));
        return `http://${req.headers.host}${req.pathname}?${p.toString()}`;
      };
      const rows = all.slice((page - 1) * size, page * size);
      if (rows.length === size) rows.pop();
      return withJson(res, { count: all.length, next: page < last ? link(page + 1) : null, previous: page > 1 ? link(page - 1) : null, results: rows });
    },
  },
  {
    name: 'list-next-loops',
    breaks: 'order_list_paging',
    requirement: 'ORD-LIST-PAGING',
    description: 'gives the order list a page envelope whose next link points back at the page itself',
    transform: editJson('listOrders', (body, req) => {
      const page = body as { next?: unknown; results?: unknown };
      if (Array.isArray(page.results) && page.next === null) page.next = `http://${req.headers.host}${req.url}`;
    }),
  },
  {
    name: 'list-state-misspelt',
    breaks: 'order_state_enum',
    requirement: 'ORD-STATE-ENUM',
    description: 'spells the state cancelled "canceled" in the list',
    transform: editItems('listOrders', (o) => {
      if (o.state === 'cancelled') o.state = 'canceled';
    }),
  },
  {
    name: 'detail-securing-as-string',
    breaks: 'order_detail_schema',
    requirement: 'ORD-DETAIL-TYPES',
    description: "writes the detail's numeric securing as a string",
    transform: editJson('getOrder', (o) => {
      const d = o as Record<string, unknown>;
      d.securing = String(d.securing);
    }),
  },
  {
    name: 'detail-service-reference-missing',
    breaks: 'order_detail_schema',
    requirement: 'ORD-DETAIL-TYPES',
    description: 'leaves service_reference out of the detail',
    transform: editJson('getOrder', (o) => {
      delete (o as Record<string, unknown>).service_reference;
    }),
  },
  {
    name: 'detail-termination-error-null',
    breaks: 'order_detail_schema',
    requirement: 'ORD-DETAIL-TYPES',
    description: 'answers termination_error: null instead of an empty list',
    transform: editJson('getOrder', (o) => {
      (o as Record<string, unknown>).termination_error = null;
    }),
  },
  {
    name: 'detail-order-date-not-a-date',
    breaks: 'order_detail_schema',
    requirement: 'ORD-DETAIL-TYPES',
    description: "writes the detail's order_date as DD/MM/YYYY",
    transform: editJson('getOrder', (o) => {
      const d = o as Record<string, unknown>;
      if (typeof d.order_date === 'string') d.order_date = d.order_date.split('-').reverse().join('/');
    }),
  },
  {
    name: 'detail-product-family-unknown',
    breaks: 'order_detail_schema',
    requirement: 'ORD-DETAIL-TYPES',
    description: 'names an offer family outside BPE/BPEA in the nested product',
    transform: editJson('getOrder', (o) => {
      const p = (o as { product?: Record<string, unknown> }).product;
      if (p && typeof p === 'object') p.offer_family = 'FTTH';
    }),
  },
  {
    name: 'detail-manager-without-email',
    breaks: 'order_detail_schema',
    requirement: 'ORD-DETAIL-TYPES',
    description: 'gives the regional manager without an email (and never null)',
    transform: editJson('getOrder', (o) => {
      (o as Record<string, unknown>).manager_regional = { name: 'Gregory DUPONT', phone: '612345678' };
    }),
  },
  {
    name: 'unknown-order-200',
    breaks: 'order_not_found',
    requirement: 'ORD-NOT-FOUND',
    description: 'answers 200 with an empty object for an order reference that does not exist',
    transform: async (req, ctx) => {
      const res = await ctx.forward(req);
      const ops = ['getOrder', 'getOrderHistory', 'listOrderDocuments'];
      if (res.status === 404 && req.caller === 'main' && req.method === 'GET' && ops.includes(req.operation)) return withJson(res, {}, 200);
      return res;
    },
  },
  {
    name: 'history-stops-before-active',
    breaks: 'state_consistency',
    requirement: 'ORD-CONSISTENT',
    description: 'leaves the final `active` entry out of the history of an active order',
    transform: editJson('getOrderHistory', (body) => {
      const h = historyOf(body);
      if (h.length > 2 && h[h.length - 1]?.state === 'active') h.pop();
    }),
  },
  {
    name: 'list-lags-behind',
    breaks: 'state_consistency',
    requirement: 'ORD-CONSISTENT',
    description: 'lists the first active order of each page as in_progress, first on its page, every time the page is read: a stale list, told from an order moving during the run by reading the page again',
    transform: editJson('listOrders', (body) => {
      const items = itemsOf(body) as { state?: unknown }[];
      const i = items.findIndex((o) => o.state === 'active');
      if (i < 0) return;
      const [o] = items.splice(i, 1);
      items.unshift({ ...o, state: 'in_progress' });
    }),
  },
  {
    name: 'detail-cancelled-reads-terminated',
    breaks: 'state_consistency',
    requirement: 'ORD-CONSISTENT',
    description: 'shows a cancelled order as terminated in its detail (the list and the history say cancelled)',
    transform: editJson('getOrder', (o) => {
      const d = o as Record<string, unknown>;
      if (d.state === 'cancelled') d.state = 'terminated';
    }),
  },
  // ----------------------------------------------------------------- history
  {
    name: 'history-change-reason-missing',
    breaks: 'history_schema',
    requirement: 'HIST-TYPES',
    description: 'leaves change_reason out of every history entry',
    transform: editJson('getOrderHistory', (body) => {
      for (const e of historyOf(body)) delete (e as Partial<Entry>).change_reason;
    }),
  },
  {
    name: 'history-date-not-an-instant',
    breaks: 'history_schema',
    requirement: 'HIST-TYPES',
    description: 'writes change_date as a bare day without a time',
    transform: editJson('getOrderHistory', (body) => {
      for (const e of historyOf(body)) if (typeof e.change_date === 'string') e.change_date = e.change_date.slice(0, 10);
    }),
  },
  {
    name: 'history-unknown-state',
    breaks: 'history_vocabulary',
    requirement: 'HIST-VOCAB',
    description: 'reports the step connexion_planned under a name of its own (connection_scheduled)',
    transform: editJson('getOrderHistory', (body) => {
      for (const e of historyOf(body)) if (e.state === 'connexion_planned') e.state = 'connection_scheduled';
    }),
  },
  {
    name: 'history-steps-backwards',
    breaks: 'history_order',
    requirement: 'HIST-ORDER',
    description: 'lists the first two production steps of each history the wrong way round',
    transform: editJson('getOrderHistory', (body) => {
      const h = historyOf(body);
      const i = h.findIndex((e) => PRODUCTION_STEPS.includes(e.state));
      const a = h[i];
      const b = h[i + 1];
      if (a && b && PRODUCTION_STEPS.includes(b.state)) [a.state, b.state] = [b.state, a.state];
    }),
  },
  {
    name: 'history-entry-after-terminal',
    breaks: 'history_order',
    requirement: 'HIST-ORDER',
    description: 'adds an `active` entry after the terminal state of a finished order',
    transform: editJson('getOrderHistory', (body) => {
      const h = historyOf(body);
      const last = h[h.length - 1];
      if (last && TERMINAL.includes(last.state)) h.push({ ...last, state: 'active', change_reason: '' });
    }),
  },
  {
    name: 'history-time-goes-back',
    breaks: 'history_timestamps',
    requirement: 'HIST-TIME',
    description: 'dates the last history entry a day before the first',
    transform: editJson('getOrderHistory', (body) => {
      const h = historyOf(body);
      const first = h[0];
      const last = h[h.length - 1];
      if (h.length >= 2 && first && last) last.change_date = new Date(Date.parse(first.change_date) - 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    }),
  },
  {
    name: 'history-skips-a-step',
    breaks: 'history_steps',
    requirement: 'HIST-STEPS',
    description: 'never reports the production step connexion_completed',
    transform: editJson('getOrderHistory', (body) => {
      const h = historyOf(body);
      const i = h.findIndex((e) => e.state === 'connexion_completed');
      if (i >= 0) h.splice(i, 1);
    }),
  },
  // --------------------------------------------------------------- documents
  {
    name: 'documents-values-as-string',
    breaks: 'documents_schema',
    requirement: 'DOC-LIST',
    description: "gives each document group's values as one comma-separated string",
    transform: editJson('listOrderDocuments', (body) => {
      if (Array.isArray(body)) for (const g of body as { values?: unknown }[]) if (Array.isArray(g.values)) g.values = g.values.join(',');
    }),
  },
  {
    name: 'document-empty',
    breaks: 'document_download',
    requirement: 'DOC-DOWNLOAD',
    description: 'serves every listed document with an empty body',
    transform: editResponse(
      'downloadOrderDocument',
      (res) => ({ ...res, body: Buffer.alloc(0) }),
      (_q, r) => r.status === 200,
    ),
  },
  {
    name: 'document-pdf-not-pdf',
    breaks: 'document_download',
    requirement: 'DOC-DOWNLOAD',
    description: 'serves a .pdf document as a JSON error message with status 200',
    transform: editResponse(
      'downloadOrderDocument',
      (res) => withJson(res, { detail: 'document generation pending' }),
      (_q, r) => r.status === 200,
    ),
  },
  {
    name: 'missing-document-200',
    breaks: 'document_not_found',
    requirement: 'DOC-NOT-FOUND',
    description: 'answers 200 with a placeholder PDF for a file name the order does not have',
    transform: editResponse(
      'downloadOrderDocument',
      (res) => ({ status: 200, headers: { ...res.headers, 'content-type': 'application/pdf' }, body: Buffer.from('%PDF-1.4\n% placeholder\n%%EOF\n') }),
      (req, res) => res.status === 404 && req.caller === 'main' && plainName(req),
    ),
  },
  {
    name: 'traversal-followed',
    breaks: 'document_traversal',
    requirement: 'DOC-TRAVERSAL',
    description: 'follows ".." in a document file name and answers 200 with whatever the path reaches',
    transform: editResponse(
      'downloadOrderDocument',
      (res) => ({ status: 200, headers: { ...res.headers, 'content-type': 'application/octet-stream' }, body: Buffer.from('root:x:0:0:root:/root:/bin/sh\n') }),
      (req, res) => res.status >= 400 && res.status < 500 && req.caller === 'main' && (fileName(req).includes('..') || fileName(req).includes('/')),
    ),
  },
  {
    name: 'traversal-refused-with-the-file',
    breaks: 'document_traversal',
    requirement: 'DOC-TRAVERSAL',
    description: "answers 404 to a traversal-shaped file name but sends the bytes of the other order's file it reaches",
    transform: async (req, ctx) => {
      const res = await ctx.forward(req);
      if (req.operation !== 'downloadOrderDocument' || req.caller !== 'main' || res.status < 400) return res;
      // ../../REF/NAME (and ../REF/NAME/download) resolved against /order/{ref}/
      const parts = fileName(req)
        .split('/')
        .filter((p) => p !== '' && p !== '..' && p !== 'download');
      if (!fileName(req).startsWith('..') || parts.length !== 2) return res;
      const [ref, name] = parts as [string, string];
      const file = await ctx.forward(mainGet(`/api/v1/order/${encodeURIComponent(ref)}/${encodeURIComponent(name)}/download/`));
      return file.status === 200 ? { ...file, status: 404 } : res;
    },
  },
  // ------------------------------------------------- reference data, requests
  {
    name: 'reasons-as-string',
    breaks: 'terminate_reasons_schema',
    requirement: 'REASONS-TYPES',
    description: 'gives the termination reasons as one semicolon-separated string',
    transform: editJson('listTerminateReasons', (body) => {
      const b = body as { terminate_reasons?: unknown };
      if (Array.isArray(b.terminate_reasons)) b.terminate_reasons = b.terminate_reasons.join(';');
    }),
  },
  {
    name: 'request-creation-date-not-an-instant',
    breaks: 'order_requests_schema',
    requirement: 'REQ-TYPES',
    description: 'writes order requests\' creation_date as "DD/MM/YYYY HH:MM"',
    transform: editItems('listOrderRequests', (r) => {
      if (typeof r.creation_date === 'string') {
        const d = new Date(r.creation_date);
        r.creation_date = `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()} ${d.toISOString().slice(11, 16)}`;
      }
    }),
  },
  {
    name: 'request-message-null',
    breaks: 'order_requests_schema',
    requirement: 'REQ-TYPES',
    description: 'answers message: null on order requests without a message',
    transform: editItems('listOrderRequests', (r) => {
      if (r.message === '') r.message = null;
    }),
  },
  {
    name: 'request-filter-action-ignored',
    breaks: 'order_requests_filter',
    requirement: 'REQ-FILTER',
    description: 'ignores the action query parameter of the order requests list',
    transform: editRequest(
      (r) => r.operation === 'listOrderRequests' && r.query.has('action'),
      (r) => {
        const q = new URLSearchParams(r.query);
        q.delete('action');
        const s = q.toString();
        return changed(r, { url: r.pathname + (s ? `?${s}` : '') });
      },
    ),
  },
  {
    name: 'request-filter-reference-ignored',
    breaks: 'order_requests_filter',
    requirement: 'REQ-FILTER',
    description: 'ignores the order_reference query parameter of the order requests list',
    transform: editRequest(
      (r) => r.operation === 'listOrderRequests' && r.query.has('order_reference'),
      (r) => {
        const q = new URLSearchParams(r.query);
        q.delete('order_reference');
        const s = q.toString();
        return changed(r, { url: r.pathname + (s ? `?${s}` : '') });
      },
    ),
  },
  {
    name: 'request-filter-loses-a-row',
    breaks: 'order_requests_filter',
    requirement: 'REQ-FILTER',
    description: 'leaves the last matching row out of an order requests list filtered by action, and counts one row less on every page (the filtered list agrees with itself)',
    transform: editJson('listOrderRequests', (body, req) => {
      if (!req.query.has('action')) return;
      const page = body as { count?: unknown; next?: unknown };
      if (typeof page.count === 'number') page.count -= 1;
      // the row goes from the last page only (a bare array is one page)
      if (page.next !== undefined && page.next !== null) return;
      const items = itemsOf(body);
      if (items.length > 0) items.pop();
    }),
  },
  // ------------------------------------------------------------------ writes
  {
    name: 'product-order-starts-in-progress',
    breaks: 'product_order_status',
    requirement: 'PO-STATUS',
    description: 'answers a new product order with its item already in_progress, skipping acknowledged',
    transform: editJson(
      'createProductOrder',
      (body) => {
        const items = (body as { product_order_item?: { status?: string }[] }).product_order_item ?? [];
        for (const it of items) if (it.status === 'acknowledged') it.status = 'in_progress';
      },
      (_q, r) => r.status >= 200 && r.status < 300,
    ),
  },
  {
    name: 'product-order-never-final',
    breaks: 'product_order_status',
    requirement: 'PO-STATUS',
    description: 'keeps a product order item in_progress for ever',
    transform: editJson('getProductOrder', (body) => {
      for (const it of (body as { product_order_item?: { status?: string; order_reference?: unknown }[] }).product_order_item ?? []) {
        if (it.status !== 'acknowledged') {
          it.status = 'in_progress';
          it.order_reference = null;
        }
      }
    }),
  },
  {
    name: 'product-order-created-without-order',
    breaks: 'product_order_status',
    requirement: 'PO-STATUS',
    description: 'reports a created product order item without its order_reference',
    transform: editJson('getProductOrder', (body) => {
      for (const it of (body as { product_order_item?: { status?: string; order_reference?: unknown }[] }).product_order_item ?? []) {
        if (it.status === 'created') it.order_reference = null;
      }
    }),
  },
  {
    name: 'termination-not-recorded',
    breaks: 'terminate_active',
    requirement: 'ACT-TERMINATE',
    description: 'answers 201 to a valid termination but never records it',
    transform: async (req, ctx) => {
      if (isTerminate(req) && req.caller === 'main') {
        const body = requestJson(req) as { reason?: unknown } | undefined;
        const reasons = await reasonsOf(ctx);
        const ref = decodeURIComponent(req.segments[3] ?? '');
        if (typeof body?.reason === 'string' && reasons.includes(body.reason) && (await stateOf(ctx, req.segments[3] ?? '')) === 'active') {
          return jsonAnswer(201, fakeRequestRow(ref, body));
        }
      }
      return ctx.forward(req);
    },
  },
  {
    // a 400 to a valid body is what a target answers to a body it reads otherwise: without --terminate-body the kit skips (kill.test.ts shows it); the user's body makes the refusal the provider's
    name: 'termination-refused-400',
    breaks: 'terminate_active',
    requirement: 'ACT-TERMINATE',
    description: 'refuses every valid termination of an active order with 400, as if its body were invalid (nothing is recorded)',
    options: { terminateBody: VOUCHED_TERMINATION },
    transform: async (req, ctx) => ((await validTermination(req, ctx)) ? jsonAnswer(400, { detail: 'Invalid request.' }) : ctx.forward(req)),
  },
  {
    name: 'termination-500',
    breaks: 'terminate_active',
    requirement: 'ACT-TERMINATE',
    description: 'answers 500 to every valid termination of an active order (nothing is recorded)',
    transform: async (req, ctx) => ((await validTermination(req, ctx)) ? jsonAnswer(500, { detail: 'Internal server error.' }) : ctx.forward(req)),
  },
  {
    name: 'termination-missing-from-history',
    breaks: 'terminate_active',
    requirement: 'ACT-TERMINATE',
    description: "accepts a termination but leaves it out of the order's history",
    transform: async (req, ctx) => {
      const res = await ctx.forward(req);
      const terminated = acceptedTerminations(req, res, ctx);
      if (req.operation === 'getOrderHistory' && res.status === 200 && terminated.has(decodeURIComponent(req.segments[3] ?? ''))) {
        const body = jsonOf(res) as { results?: Entry[] };
        if (Array.isArray(body.results)) body.results = body.results.filter((e) => !['terminate_in_progress', 'terminated'].includes(e.state));
        return withJson(res, body);
      }
      return res;
    },
  },
  {
    name: 'refused-termination-201',
    breaks: 'action_precondition',
    requirement: 'ACT-PRECONDITION',
    description: 'answers 201 to a termination with a listed reason of an order that is not active (the order is left as it is)',
    transform: async (req, ctx) => {
      const res = await ctx.forward(req);
      if (!isTerminate(req) || res.status < 400 || res.status >= 500 || res.status === 401 || res.status === 404) return res;
      const body = requestJson(req) as { reason?: unknown } | undefined;
      const reasons = await reasonsOf(ctx);
      if (typeof body?.reason !== 'string' || !reasons.includes(body.reason)) return res;
      return jsonAnswer(201, fakeRequestRow(decodeURIComponent(req.segments[3] ?? ''), body));
    },
  },
  {
    name: 'refused-termination-recorded',
    breaks: 'action_precondition',
    requirement: 'ACT-PRECONDITION',
    description: 'refuses a termination of an order that is not active (409) but records the request anyway',
    transform: recordsRefused([409]),
  },
  {
    name: 'invalid-termination-201',
    breaks: 'action_invalid_body',
    requirement: 'ACT-INVALID-BODY',
    description: 'answers 201 to a termination whose body is invalid (nothing is recorded)',
    transform: async (req, ctx) => {
      const res = await ctx.forward(req);
      if (!isTerminate(req) || res.status !== 400) return res;
      return jsonAnswer(201, fakeRequestRow(decodeURIComponent(req.segments[3] ?? ''), requestJson(req)));
    },
  },
  {
    name: 'invalid-termination-recorded',
    breaks: 'action_invalid_body',
    requirement: 'ACT-INVALID-BODY',
    description: 'refuses an invalid termination body (400) but records a request anyway',
    transform: recordsRefused([400]),
  },
  // ------------------------------------------------------------------ export
  {
    name: 'export-task-id-not-uuid',
    breaks: 'export_start',
    requirement: 'EXP-START',
    description: 'answers the export start with a task_id that is not a uuid',
    transform: editJson(
      'startOrderExport',
      (body) => {
        (body as Record<string, unknown>).task_id = 'task-42';
      },
      (_q, r) => r.status >= 200 && r.status < 300,
    ),
  },
  {
    name: 'export-status-stopped-missing',
    breaks: 'export_status',
    requirement: 'EXP-STATUS',
    description: 'leaves stopped out of the export status',
    transform: editJson('getOrderExportStatus', (body) => {
      delete (body as Record<string, unknown>).stopped;
    }),
  },
  {
    name: 'export-status-other-task',
    breaks: 'export_status',
    requirement: 'EXP-STATUS',
    description: 'answers the status of an export with another task_id',
    transform: editJson('getOrderExportStatus', (body) => {
      (body as Record<string, unknown>).task_id = '00000000-0000-4000-8000-000000000000';
    }),
  },
  {
    name: 'export-never-finishes',
    breaks: 'export_status',
    requirement: 'EXP-STATUS',
    description: 'keeps an export running for ever (success stays null)',
    transform: editJson('getOrderExportStatus', (body) => {
      const b = body as Record<string, unknown>;
      b.success = null;
      b.stopped = null;
    }),
  },
  {
    name: 'export-csv-as-octet-stream',
    breaks: 'export_download',
    requirement: 'EXP-DOWNLOAD',
    description: 'serves the export file as application/octet-stream instead of text/csv',
    transform: editResponse(
      'downloadOrderExport',
      (res) => ({ ...res, headers: { ...res.headers, 'content-type': 'application/octet-stream' } }),
      (_q, r) => r.status === 200,
    ),
  },
  {
    name: 'export-csv-ragged',
    breaks: 'export_download',
    requirement: 'EXP-DOWNLOAD',
    description: 'ends the export file with a row that has more columns than the header',
    transform: editResponse(
      'downloadOrderExport',
      (res) => {
        const text = res.body.toString('utf8');
        const cols = (text.split(/\r?\n/)[0] ?? '').split(',').length;
        return { ...res, body: Buffer.from(`${text.replace(/\r?\n?$/, '\n')}${Array.from({ length: cols + 2 }, (_, i) => `x${i}`).join(',')}\n`) };
      },
      (_q, r) => r.status === 200,
    ),
  },
  {
    name: 'export-csv-row-missing',
    breaks: 'export_content',
    requirement: 'EXP-CONTENT',
    description: 'leaves the last order out of the export file',
    transform: editResponse(
      'downloadOrderExport',
      (res) => {
        const lines = res.body
          .toString('utf8')
          .split(/\r?\n/)
          .filter((l) => l !== '');
        if (lines.length > 1) lines.pop();
        return { ...res, body: Buffer.from(`${lines.join('\r\n')}\r\n`) };
      },
      (_q, r) => r.status === 200,
    ),
  },
  {
    name: 'export-csv-state-differs',
    breaks: 'export_content',
    requirement: 'EXP-CONTENT',
    description: 'writes the first active order of the export file as terminated',
    transform: editResponse(
      'downloadOrderExport',
      (res) => ({ ...res, body: Buffer.from(res.body.toString('utf8').replace(',active,', ',terminated,')) }),
      (_q, r) => r.status === 200,
    ),
  },
  {
    name: 'export-user-scoped',
    breaks: 'export_content',
    requirement: 'EXP-CONTENT',
    description: "exports only the requesting user's share of the customer's orders (every other row), while the list shows them all",
    transform: editResponse(
      'downloadOrderExport',
      (res) => {
        const [header, ...rows] = res.body
          .toString('utf8')
          .split(/\r?\n/)
          .filter((l) => l !== '');
        return { ...res, body: Buffer.from(`${[header, ...rows.filter((_, i) => i % 2 === 0)].join('\r\n')}\r\n`) };
      },
      (_q, r) => r.status === 200,
    ),
  },
  {
    name: 'export-stale-snapshot',
    breaks: 'export_fresh',
    requirement: 'EXP-FRESH',
    description: 'builds every export from a snapshot older than the latest terminations: an order whose termination it acknowledged is still active in the file',
    transform: async (req, ctx) => {
      const res = await ctx.forward(req);
      const terminated = acceptedTerminations(req, res, ctx);
      if (req.operation !== 'downloadOrderExport' || res.status !== 200 || terminated.size === 0) return res;
      const lines = res.body.toString('utf8').split(/\r?\n/);
      const header = (lines[0] ?? '').split(',');
      const refAt = header.indexOf('order_reference');
      const stateAt = header.indexOf('state');
      const stale = lines.map((line, i) => {
        const cells = line.split(',');
        if (i === 0 || refAt < 0 || stateAt < 0 || !terminated.has(cells[refAt] ?? '')) return line;
        cells[stateAt] = 'active';
        return cells.join(',');
      });
      return { ...res, body: Buffer.from(stale.join('\r\n')) };
    },
  },
  {
    name: 'unknown-task-200',
    breaks: 'export_not_found',
    requirement: 'EXP-NOT-FOUND',
    description: 'answers 200 (a pending status, an empty file) for an export task that does not exist',
    transform: async (req, ctx) => {
      const res = await ctx.forward(req);
      if (res.status !== 404 || req.caller !== 'main') return res;
      if (req.operation === 'getOrderExportStatus') return jsonAnswer(200, { task_id: req.segments[4], success: null, started: null, stopped: null });
      if (req.operation === 'downloadOrderExport') return { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8' }, body: Buffer.from('order_reference,state\r\n') };
      return res;
    },
  },
  {
    name: 'rate-limit-fake-task',
    breaks: 'rate_limit',
    requirement: 'RATE-LIMIT',
    description: 'answers a second export within the window with a fresh task id instead of 429',
    transform: editResponse(
      'startOrderExport',
      (res) => jsonAnswer(202, { task_id: randomUUID() }),
      (_q, r) => r.status === 429,
    ),
  },
  {
    name: 'rate-limit-per-customer',
    breaks: 'rate_limit_scope',
    requirement: 'RATE-SCOPE',
    description: "limits the export per customer: a colleague's export right after the user's answers 429",
    transform: async (req, ctx) => {
      if (req.operation === 'startOrderExport' && req.caller === 'otherUser') {
        const last = ctx.memory.get('mainExportAt');
        if (typeof last === 'number' && Date.now() - last < 300_000) return jsonAnswer(429, { detail: 'Request was throttled.' }, { 'retry-after': '300' });
      }
      const res = await ctx.forward(req);
      if (req.operation === 'startOrderExport' && req.caller === 'main' && res.status >= 200 && res.status < 300) ctx.memory.set('mainExportAt', Date.now());
      return res;
    },
  },
  {
    name: 'rate-limit-no-retry-after',
    breaks: 'rate_limit_retry_after',
    requirement: 'RATE-RETRY-AFTER',
    description: 'answers 429 without a Retry-After header',
    transform: async (req, ctx) => {
      const res = await ctx.forward(req);
      if (res.status !== 429) return res;
      const headers = { ...res.headers };
      delete headers['retry-after'];
      return { ...res, headers };
    },
  },
  // -------------------------------------------------------------- robustness
  {
    name: 'malformed-body-500',
    breaks: 'no_server_errors',
    requirement: 'HTTP-NO-5XX',
    description: 'answers 500 to an action whose body is not JSON',
    transform: async (req, ctx) => {
      if (req.operation === 'requestOrderAction' && requestJson(req) === undefined) {
        return { status: 500, headers: { 'content-type': 'text/html' }, body: Buffer.from('<h1>Server Error (500)</h1>') };
      }
      return ctx.forward(req);
    },
  },
  {
    name: 'history-connection-reset',
    breaks: 'no_server_errors',
    requirement: 'HTTP-NO-5XX',
    description: 'resets the connection instead of answering the history of the first order asked for',
    transform: async (req, ctx) => {
      if (req.operation === 'getOrderHistory' && req.caller === 'main' && !ctx.memory.has('reset')) {
        ctx.memory.set('reset', req.segments[3]);
        return resetConnection();
      }
      return ctx.forward(req);
    },
  },
  {
    name: 'reasons-as-html',
    breaks: 'json_content_type',
    requirement: 'HTTP-JSON',
    description: 'serves the termination reasons (JSON) as text/html',
    transform: editResponse('listTerminateReasons', (res) => ({ ...res, headers: { ...res.headers, 'content-type': 'text/html; charset=utf-8' } })),
  },
  {
    name: 'reasons-truncated',
    breaks: 'json_content_type',
    requirement: 'HTTP-JSON',
    description: 'cuts the termination reasons body short: application/json that does not parse',
    transform: editResponse(
      'listTerminateReasons',
      (res) => ({ ...res, body: res.body.subarray(0, Math.floor(res.body.length / 2)) }),
      (_q, r) => r.status === 200,
    ),
  },
  {
    name: 'invalid-body-422',
    breaks: 'response_status_declared',
    requirement: 'HTTP-STATUS-DECLARED',
    description: 'refuses an invalid action body with 422, a status the contract does not declare for it',
    transform: async (req, ctx) => {
      const res = await ctx.forward(req);
      if (req.operation === 'requestOrderAction' && res.status === 400) return { ...res, status: 422 };
      return res;
    },
  },
  // ------------------------------------------------------------------- fuzzing
  // these only show to the fuzz phase (src/fuzz): the fixed probes of the other checks pass
  {
    name: 'list-query-500',
    breaks: 'fuzz_no_server_errors',
    requirement: 'HTTP-NO-5XX',
    description: 'answers 500 to an order list query with any parameter besides page',
    transform: async (req, ctx) => {
      if (req.operation === 'listOrders' && [...req.query.keys()].some((k) => k !== 'page')) {
        return jsonAnswer(500, { detail: 'Internal server error.' });
      }
      return ctx.forward(req);
    },
  },
  {
    name: 'sized-pages-lose-created-by',
    breaks: 'fuzz_response_documented',
    requirement: 'HTTP-STATUS-DECLARED',
    description: 'leaves created_by out of the order list items when page_size is given',
    transform: editJson('listOrders', (body, req) => {
      if (req.query.has('page_size')) for (const o of itemsOf(body)) delete o.created_by;
    }),
  },
  {
    name: 'order-reference-read-loosely',
    breaks: 'fuzz_path_params',
    requirement: 'ORD-NOT-FOUND',
    description: "reads an unknown order reference loosely (case-insensitive, trimmed, junk after a known reference ignored, a known reference's prefix accepted) and answers that order",
    transform: async (req, ctx) => {
      const res = await ctx.forward(req);
      const ops = ['getOrder', 'getOrderHistory', 'listOrderDocuments', 'downloadOrderDocument'];
      if (res.status !== 404 || req.method !== 'GET' || !ops.includes(req.operation) || req.caller !== 'main') return res;
      let asked: string;
      try {
        asked = decodeURIComponent(req.segments[3] ?? '')
          .trim()
          .toUpperCase()
          .replace(/[^A-Z0-9_]/g, '');
      } catch {
        return res;
      }
      if (asked.length < 6) return res;
      const refs = await orderRefs(ctx);
      const hit = refs.find((r) => asked.startsWith(r)) ?? refs.find((r) => r.startsWith(asked));
      if (hit === undefined || hit === req.segments[3]) return res;
      const segments = [...req.segments];
      segments[3] = encodeURIComponent(hit);
      return ctx.forward(changed(req, { url: `/${segments.join('/')}/` }));
    },
  },
  {
    name: 'unknown-filter-value-ignored',
    breaks: 'fuzz_filters',
    requirement: 'REQ-FILTER',
    description: 'ignores an order requests filter whose value matches nothing, and lists every request instead',
    transform: async (req, ctx) => {
      const res = await ctx.forward(req);
      if (req.operation !== 'listOrderRequests' || res.status !== 200) return res;
      if (!req.query.has('action') && !req.query.has('order_reference')) return res;
      const body = jsonOf(res) as { count?: number } | unknown[] | undefined;
      const count = Array.isArray(body) ? body.length : body?.count;
      if (count !== 0) return res;
      const q = new URLSearchParams(req.query);
      q.delete('action');
      q.delete('order_reference');
      const qs = q.toString();
      return ctx.forward(changed(req, { url: req.pathname + (qs ? `?${qs}` : '') }));
    },
  },
  {
    name: 'sized-pages-miscount',
    breaks: 'fuzz_pagination',
    requirement: 'ORD-LIST-PAGING',
    description: 'announces one order more in count when page_size is given',
    transform: editJson('listOrders', (body, req) => {
      const page = body as { count?: unknown };
      if (req.query.has('page_size') && typeof page.count === 'number') page.count += 1;
    }),
  },
  {
    name: 'termination-fields-unchecked',
    breaks: 'fuzz_invalid_body',
    requirement: 'ACT-INVALID-BODY',
    description: 'answers 201 to a termination with a listed reason whatever its other fields (a bad date, a message that is not a string), recording nothing',
    transform: async (req, ctx) => {
      const res = await ctx.forward(req);
      if (!isTerminate(req) || res.status !== 400) return res;
      const body = requestJson(req) as { reason?: unknown } | undefined;
      if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body.reason !== 'string') return res;
      if (!(await reasonsOf(ctx)).includes(body.reason)) return res;
      return jsonAnswer(201, fakeRequestRow(decodeURIComponent(req.segments[3] ?? ''), body));
    },
  },
  {
    name: 'product-order-body-unchecked',
    breaks: 'fuzz_invalid_product_order',
    requirement: 'ACT-INVALID-BODY',
    description: 'answers 201 with an acknowledged product order to any creation body, valid or not',
    transform: async (req, ctx) => {
      const res = await ctx.forward(req);
      if (req.operation !== 'createProductOrder' || res.status !== 400) return res;
      const id = `PO_FAKE_${randomUUID().slice(0, 8)}`;
      return jsonAnswer(201, { id, external_id: '', creation_date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), product_order_item: [{ id: `${id}_1`, status: 'acknowledged', order_reference: null }] });
    },
  },
];

/** Faults keyed by name (names are unique: `kill.test.ts` pins it). */
export const FAULT_BY_NAME: ReadonlyMap<string, Fault> = new Map(FAULTS.map((f) => [f.name, f]));

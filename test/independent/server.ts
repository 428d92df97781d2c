/**
 * An independent implementation of the Order Tracking API, written from the
 * provider's documentation (`/work/shared/api/order-tracking-api-doc.txt`)
 * only, by "another team", with fastify and its defaults wherever the
 * documentation is silent. It is a target for the kit, not a copy of mock/.
 *
 * Choices where the documentation is silent (each a reasonable one):
 * - Routes are exactly the documented paths, trailing slash included. The
 *   same path without its trailing slash is fastify's own 404 (no
 *   `ignoreTrailingSlash`, no redirect): the documentation only ever shows the
 *   slash.
 * - Authentication: `Authorization: Bearer <token>` (the scheme is not
 *   documented; a bearer token is the common choice). A missing or unknown
 *   token is 401 with `WWW-Authenticate: Bearer`. The check runs in an
 *   `onRequest` hook on the root, so it applies to every URL, a URL that
 *   matches no route included (fastify runs root hooks before its 404).
 * - Bodies are validated with fastify's JSON schema (Ajv) but without its default type
 *   coercion (see below).
 * - Errors: fastify's own shape, `{"statusCode", "error", "message"}` (with
 *   `code` where fastify adds one: a schema validation failure, a malformed
 *   JSON body, an unsupported media type); a URL that matches no route is
 *   fastify's own 404 body.
 * - Another customer's order (detail, history, documents, files, actions):
 *   403 "permission denied", as the documentation's error table words it.
 *   Another user's export task: 404 (a task is the user's own, per user).
 * - The order list and the order request list are pages with limit and
 *   offset: `{count, next, previous, results}`, `?limit=` (default 20, 1 to
 *   100) and `?offset=`, `next`/`previous` absolute URLs. Unknown query
 *   parameters are ignored (fastify's default).
 * - The order list is sorted by order date, newest first.
 * - History uses the vocabulary of the documentation's `/historic/` example
 *   (`acknowledged`, `held_adv_validation`, `production_in_progress`, the
 *   production steps, `active`, then `terminate_in_progress`, `terminated`,
 *   `change_in_progress`, `cancelled`, `rejected`).
 * - Product orders (body and response not documented): `POST
 *   /api/v1/product_order/` with `{external_id?, customer_order_name?, note?,
 *   product_order_item: [{product_offering_id, option_ids?}],
 *   related_contact_information?}`, answered 201 with the product order
 *   (`product_order_item[].status` goes through phase 1, and
 *   `order_reference` is set once `created`); `GET /api/v1/product_order/` and
 *   `GET /api/v1/product_order/{id}/` to follow it. An unknown offering is a
 *   400; options the offering does not have end in `rejected_creation`.
 * - Actions: `terminate` (documented), `modify` and `cancel` (the flowchart's
 *   change and cancellation requests). Body `{reason, message?,
 *   request_effective_date?}`; a terminate reason must be one of
 *   `/api/v1/terminate_reason/`, and "Autres motifs, précisez en commentaire"
 *   needs a message. Success: 201 with the order request. An action the
 *   order's state does not allow: 409.
 * - The export start answers 200 (fastify's default status) with
 *   `{task_id}`; the rate limit is one accepted start per user per 5
 *   minutes; a refused start is 429 with `Retry-After` (seconds left). The
 *   CSV has the 18 list fields as columns, comma-separated, CRLF, a header
 *   row, served as `text/csv; charset=utf-8`. Download before the task is
 *   done: 404 ("Task or file not found").
 * - Documents are PDF (`application/pdf`) served with `Content-Disposition:
 *   attachment`.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import { ACTIONS, type ActionName, CATALOGUE, type Choices, detail, listItem, Model, type ModelOptions, type Order, orderRequestView, productOrderView, REASON_NEEDING_MESSAGE, TERMINATE_REASONS, TOKENS, type User, USERS } from './model.ts';

export { TOKENS } from './model.ts';

export interface IndependentServer {
  baseUrl: string;
  model: Model;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** who is calling, per request (set by the authentication hook) */
const callers = new WeakMap<FastifyRequest, User>();

/** an error fastify's default error handler turns into `{statusCode, error, message}` */
function httpError(statusCode: number, message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode });
}

const DATE = { type: ['string', 'null'], format: 'date' } as const;

const actionBody = (reason: Choices['reasonField']) =>
  ({
    type: 'object',
    required: [reason],
    properties: {
      [reason]: { type: 'string', minLength: 1, maxLength: 200 },
      message: { type: 'string', maxLength: 2000 },
      request_effective_date: DATE,
    },
  }) as const;

const productOrderBody = {
  type: 'object',
  required: ['product_order_item'],
  properties: {
    external_id: { type: 'string', maxLength: 64 },
    customer_order_name: { type: 'string', maxLength: 120 },
    note: { type: 'string', maxLength: 2000 },
    product_order_item: {
      type: 'array',
      minItems: 1,
      maxItems: 10,
      items: {
        type: 'object',
        required: ['product_offering_id'],
        properties: {
          product_offering_id: { type: 'string', minLength: 1 },
          option_ids: { type: 'array', items: { type: 'string' }, maxItems: 20 },
        },
      },
    },
    related_contact_information: { type: 'array', maxItems: 1, items: { type: 'object' } },
  },
} as const;

const pageQuery = {
  type: 'object',
  properties: {
    limit: { type: 'string', pattern: '^0*([1-9][0-9]?|100)$', default: '20' },
    offset: { type: 'string', pattern: '^[0-9]{1,9}$', default: '0' },
    cursor: { type: 'string', maxLength: 40 },
  },
} as const;

function page<T>(req: FastifyRequest, rows: T[], links: Choices['links']): { count?: number; next: string | null; previous: string | null; results: T[] } {
  const q = req.query as { limit: string; offset: string; cursor?: string } & Record<string, unknown>;
  const limit = Number(q.limit);
  // a cursor is the offset, base64url-encoded (opaque to clients)
  const offset = links === 'cursor' && q.cursor !== undefined ? Number(Buffer.from(q.cursor, 'base64url').toString()) || 0 : Number(q.offset);
  const link = (o: number): string => {
    const url = new URL(req.url, `${req.protocol}://${req.host}`);
    url.searchParams.set('limit', String(limit));
    if (links === 'cursor') {
      url.searchParams.delete('offset');
      url.searchParams.set('cursor', Buffer.from(String(o)).toString('base64url'));
    } else url.searchParams.set('offset', String(o));
    return links === 'relative' ? `${url.pathname}${url.search}` : url.toString();
  };
  return {
    ...(links === 'cursor' ? {} : { count: rows.length }),
    next: offset + limit < rows.length ? link(offset + limit) : null,
    previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
    results: rows.slice(offset, offset + limit),
  };
}

export async function startIndependent(opts: ModelOptions & { logger?: boolean } = {}): Promise<IndependentServer> {
  const model = new Model(opts);
  // fastify's Ajv coerces types by default (coerceTypes: 'array'): a termination with `"message": false`
  // would be taken as the string "false" and end the service. Bodies are validated as sent; the two
  // numeric query parameters are therefore declared as digit strings and converted here.
  const app = Fastify({ logger: opts.logger ?? false, ajv: { customOptions: { coerceTypes: false } }, ...(model.choices.ignoreTrailingSlash ? { routerOptions: { ignoreTrailingSlash: true } } : {}) });

  app.addHook('onRequest', async (req, reply) => {
    model.advance();
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const user = m ? USERS[m[1] as string] : undefined;
    if (!user) {
      reply.header('www-authenticate', 'Bearer');
      throw httpError(401, m ? 'Invalid token' : 'Authentication credentials were not provided');
    }
    callers.set(req, user);
  });

  const me = (req: FastifyRequest): User => callers.get(req) as User;

  /** the order, if it exists and belongs to the caller's customer */
  const orderOf = (req: FastifyRequest, ref: string): Order => {
    const o = model.orders.get(ref);
    if (!o) throw httpError(404, `Order ${ref} not found`);
    if (o.customer !== me(req).customer) throw httpError(403, 'You do not have permission to access this order');
    return o;
  };

  // ---------------------------------------------------------------- orders

  app.get('/api/v1/order/', { schema: { querystring: pageQuery } }, async (req) => {
    const rows = model.listOf(me(req).customer);
    return page(
      req,
      rows.map((o) => (model.choices.extraListFields ? { ...listItem(o), external_id: o.external_id, customer_order_name: o.customer_order_name } : listItem(o))),
      model.choices.links,
    );
  });

  app.get<{ Params: { ref: string } }>('/api/v1/order/:ref/', async (req) => detail(orderOf(req, req.params.ref)));

  app.get<{ Params: { ref: string } }>('/api/v1/order/:ref/historic/', async (req) => ({ results: orderOf(req, req.params.ref).history }));

  app.get<{ Params: { ref: string } }>('/api/v1/order/:ref/documents/', async (req) => orderOf(req, req.params.ref).documents);

  app.get<{ Params: { ref: string; filename: string } }>('/api/v1/order/:ref/:filename/download/', async (req, reply) => {
    const o = orderOf(req, req.params.ref);
    const name = req.params.filename;
    const listed = o.documents.some((d) => d.values.includes(name));
    const bytes = listed ? model.files.get(`${o.order_reference}/${name}`) : undefined;
    if (!bytes) throw httpError(404, `Document ${name} not found`);
    return reply
      .type(model.choices.octetStreamDocuments ? 'application/octet-stream' : 'application/pdf')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(bytes);
  });

  app.post<{ Params: { ref: string; action: string }; Body: Record<string, string | undefined> & { message?: string; request_effective_date?: string | null } }>('/api/v1/order/:ref/:action/', { schema: { body: actionBody(model.choices.reasonField) } }, async (req, reply) => {
    const o = orderOf(req, req.params.ref);
    const action = req.params.action;
    if (!Object.hasOwn(ACTIONS, action)) throw httpError(404, `Unknown action ${action}`);
    const def = ACTIONS[action as ActionName];
    const body = req.body;
    const reason = String(body[model.choices.reasonField]);
    if (action === 'terminate' && !TERMINATE_REASONS.includes(reason)) throw httpError(400, `${model.choices.reasonField} must be one of GET /api/v1/terminate_reason/`);
    if (reason === REASON_NEEDING_MESSAGE && !body.message?.trim()) throw httpError(400, 'message is required with this reason');
    if (!def.from.includes(o.state)) throw httpError(model.choices.refusalStatus, `Cannot ${action} an order in state ${o.state}`);
    const r = model.act(o, action as ActionName, { reason, message: body.message ?? '', request_effective_date: body.request_effective_date ?? null });
    return reply.code(201).send(orderRequestView(r));
  });

  // ---------------------------------------------------------------- reference data and order requests

  app.get('/api/v1/terminate_reason/', async () => ({ terminate_reasons: TERMINATE_REASONS }));

  app.get('/api/v1/order_request/', { schema: { querystring: { ...pageQuery, properties: { ...pageQuery.properties, order_reference: { type: 'string' }, action: { type: 'string' } } } } }, async (req) => {
    const q = req.query as { order_reference?: string; action?: string };
    const rows = model.orderRequests
      .filter((r) => r.customer === me(req).customer)
      .filter((r) => q.order_reference === undefined || r.order_reference === q.order_reference)
      .filter((r) => q.action === undefined || r.action === q.action)
      .sort((a, b) => b.creation_date.localeCompare(a.creation_date) || a.id.localeCompare(b.id));
    return page(req, rows.map(orderRequestView), model.choices.links);
  });

  // ---------------------------------------------------------------- product orders (phase 1)

  app.post<{ Body: Parameters<Model['createProductOrder']>[2] }>('/api/v1/product_order/', { schema: { body: productOrderBody } }, async (req, reply) => {
    for (const item of req.body.product_order_item) {
      if (!CATALOGUE.some((x) => x.id === item.product_offering_id)) throw httpError(400, `Unknown product_offering_id ${item.product_offering_id}`);
    }
    const po = model.createProductOrder(me(req).customer, me(req).email, req.body);
    return reply.code(201).send(productOrderView(po));
  });

  app.get('/api/v1/product_order/', { schema: { querystring: pageQuery } }, async (req) => {
    const rows = [...model.productOrders.values()].filter((p) => p.customer === me(req).customer).sort((a, b) => b.creation_date.localeCompare(a.creation_date));
    return page(req, rows.map(productOrderView), model.choices.links);
  });

  app.get<{ Params: { id: string } }>('/api/v1/product_order/:id/', async (req) => {
    const po = model.productOrders.get(req.params.id);
    if (!po) throw httpError(404, `Product order ${req.params.id} not found`);
    if (po.customer !== me(req).customer) throw httpError(403, 'You do not have permission to access this product order');
    return productOrderView(po);
  });

  // ---------------------------------------------------------------- export

  app.post('/api/v1/order/export/csv/', async (req, reply) => {
    const user = me(req);
    const last = model.lastExport.get(user.email);
    const now = model.now();
    if (last !== undefined && now - last < model.exportWindowMs) {
      const until = last + model.exportWindowMs;
      reply.header('retry-after', model.choices.retryAfter === 'date' ? new Date(Math.ceil(until / 1000) * 1000).toUTCString() : String(Math.ceil((until - now) / 1000)));
      throw httpError(429, 'Export limited to one request every 5 minutes');
    }
    return { task_id: model.startExport(user).task_id };
  });

  const taskOf = (req: FastifyRequest, id: string) => {
    const t = model.tasks.get(id);
    if (!t || t.user !== me(req).email) throw httpError(404, 'Task not found');
    return t;
  };

  app.get<{ Params: { task: string } }>('/api/v1/order/export/:task/status/', async (req) => {
    const t = taskOf(req, req.params.task);
    return { task_id: t.task_id, success: t.success, started: t.started, stopped: t.stopped };
  });

  app.get<{ Params: { task: string } }>('/api/v1/order/export/:task/download/', async (req, reply: FastifyReply) => {
    const t = taskOf(req, req.params.task);
    if (t.success !== true || t.csv === null) throw httpError(404, 'File not found: the export is not finished');
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="orders-${t.task_id}.csv"`).send(t.csv);
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  app.server.unref();
  const { port } = app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    model,
    app,
    close: () => app.close(),
  };
}

export const INDEPENDENT_TOKENS = TOKENS;

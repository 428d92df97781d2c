/**
 * The HTTP layer of the reference server: every operation of `openapi.yaml`
 * on Fastify, with request bodies checked by the spec's own validators and
 * every error answered as JSON `{detail}` (never a 5xx for bad input).
 * A provider variant (mock/variants.ts, `store.behaviour`) is read once, here,
 * when the routes are built: the default routes do not test for variants.
 *
 * Routing note: find-my-way matches static segments before parameters, so
 * `/api/v1/order/export/...` wins over `/api/v1/order/{order_reference}/...`,
 * and `documents/` / `historic/` win over `{filename}` and `{action}`.
 */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods, type RouteHandlerMethod } from 'fastify';
import type { Violation } from '../src/contract/validators.ts';
import { contentTypeOf, csvStream, documentBytes, EXPORT_LABELS, isPlainFilename } from './files.ts';
import type { Model } from './model.ts';
import { detailOf, documentGroups, documentsOf, historyOf, summaryOf, type OrderSummary } from './orders.ts';
import { handleProviderState } from './provider-states.ts';
import type { ProductOrder, Store } from './store.ts';
import { authorizationReader, type User } from './users.ts';
import type { Behaviour } from './variants.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
  }
}

export interface AppOptions {
  bodyLimit: number;
  logger: boolean;
  providerStates: boolean;
  /** ms a request may take to arrive whole, headers and body (default 10 s); the headers alone get half */
  requestTimeoutMs?: number;
  /** open connections one client address may hold; more are closed at once (default 256) */
  maxConnectionsPerClient?: number;
}

/** Deepest JSON a request body may nest (the contract's bodies nest 3 levels). */
export const MAX_BODY_DEPTH = 64;

/** Whether JSON text nests deeper than `max` (strings skipped; the text need not be valid). */
function nestsDeeper(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if ((c === 123 || c === 91) && ++depth > max) return true;
    else if (c === 125 || c === 93) depth--;
  }
  return false;
}

type Query = Record<string, string | string[] | undefined>;
type Params = Record<string, string | undefined>;

const API = '/api/v1/';
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

class HttpError extends Error {
  readonly statusCode: number;
  readonly extra: Record<string, unknown>;
  constructor(statusCode: number, detail: string, extra: Record<string, unknown> = {}) {
    super(detail);
    this.statusCode = statusCode;
    this.extra = extra;
  }
}

type ErrorBody = (status: number, detail: string, extra?: Record<string, unknown>) => Record<string, unknown>;

/** The reference server's error body: `{detail, errors?}`. */
const detailBody: ErrorBody = (_status, detail, extra) => (extra ? { detail, ...extra } : { detail });

const ERROR_CODES: Record<number, string> = {
  400: 'invalid',
  401: 'not_authenticated',
  403: 'permission_denied',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  429: 'throttled',
  500: 'server_error',
};

/** Variant `nested-errors`: `{error: {code, message, fields?}}`. */
const nestedBody: ErrorBody = (status, detail, extra) => ({
  error: { code: ERROR_CODES[status] ?? 'error', message: detail, ...(Array.isArray(extra?.errors) ? { fields: extra.errors } : {}) },
});

/** Variant `html-404`: the stock page of a web framework, for a URL no route matches. */
const HTML_404 = '<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n';

/** The body of a request whose media type is not JSON. */
const NOT_JSON = Object.freeze({ notJson: true });

const notFound = (): HttpError => new HttpError(404, 'Not found.');

/** A JSON pointer (`/a/0/b`) as a property path (`a[0].b`). */
function propertyPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

const CODES: Record<string, string> = {
  required: 'required',
  type: 'invalid_type',
  enum: 'invalid_choice',
  format: 'invalid_format',
  minLength: 'blank',
  maxLength: 'max_length',
  minItems: 'min_items',
  additionalProperties: 'unexpected_property',
  minimum: 'min_value',
  maximum: 'max_value',
  pattern: 'invalid',
};

function errorValue(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v.length > 200 ? `${v.slice(0, 200)}…` : v;
  const s = JSON.stringify(v) ?? '';
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** Spec violations as the `errors` of a ValidationError body, each naming its property. */
export function violationErrors(violations: Violation[]): { code: string; property_path: string; value: string }[] {
  return violations.map((v) => {
    let path = propertyPath(v.pointer);
    if (v.keyword === 'additionalProperties') {
      const extra = /unexpected property "(.*)"$/.exec(v.message)?.[1] ?? '';
      path = path ? `${path}.${extra}` : extra;
    }
    return { code: CODES[v.keyword] ?? v.keyword, property_path: path, value: errorValue(v.value) };
  });
}

function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) throw new HttpError(400, `The query parameter "${name}" is given more than once.`);
  return v;
}

function positive(q: Query, name: string, fallback: number, max: number): number {
  const raw = single(q, name);
  if (raw === undefined) return fallback;
  if (!/^[0-9]{1,9}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new HttpError(400, `The query parameter "${name}" must be a whole number from 1 to ${max}.`);
  }
  return Number(raw);
}

interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

type Paginator = <T>(request: FastifyRequest, count: number, fetch: (offset: number, limit: number) => T[]) => Page<T> | T[];

/** DRF-style page envelope; `next`/`previous` are absolute URLs on the request's host. `fixedSize`: `page_size` is ignored. */
function paginate<T>(request: FastifyRequest, count: number, fetch: (offset: number, limit: number) => T[], fixedSize?: number): Page<T> {
  const q = request.query as Query;
  const page = positive(q, 'page', 1, 999_999_999);
  const size = fixedSize ?? positive(q, 'page_size', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const last = Math.max(1, Math.ceil(count / size));
  if (page > last) throw new HttpError(400, `Invalid page: there are ${last} page(s) of ${size}.`);
  return {
    count,
    next: page < last ? linkTo(request, { page: String(page + 1) }) : null,
    previous: page > 1 ? linkTo(request, { page: String(page - 1) }) : null,
    results: fetch((page - 1) * size, size),
  };
}

/** An absolute link to the request's path with some query parameters set (a value of undefined removes it). */
function linkTo(request: FastifyRequest, set: Record<string, string | undefined>): string {
  const [path, raw = ''] = request.url.split('?', 2) as [string, string?];
  const params = new URLSearchParams(raw);
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) params.delete(k);
    else params.set(k, v);
  }
  const qs = params.toString();
  return `${request.protocol}://${request.host || '127.0.0.1'}${path}${qs ? `?${qs}` : ''}`;
}

/** The paginator of a list-envelope variant; the default is `paginate`. */
function paginatorOf(b: Readonly<Behaviour>): Paginator {
  if (b.listEnvelope === 'array') return (_request, count, fetch) => fetch(0, count);
  if (b.listEnvelope === 'limit-offset') {
    return (request, count, fetch) => {
      const q = request.query as Query;
      const limit = positive(q, 'limit', b.defaultLimit, MAX_PAGE_SIZE);
      const rawOffset = single(q, 'offset');
      if (rawOffset !== undefined && !/^[0-9]{1,9}$/.test(rawOffset)) throw new HttpError(400, 'The query parameter "offset" must be a whole number from 0.');
      const offset = rawOffset === undefined ? 0 : Number(rawOffset);
      const at = (o: number): string => linkTo(request, { limit: String(limit), offset: o > 0 ? String(o) : undefined });
      return {
        count,
        next: offset + limit < count ? at(offset + limit) : null,
        previous: offset > 0 ? at(Math.max(0, Math.min(offset, count) - limit)) : null,
        results: fetch(offset, limit),
      };
    };
  }
  return (request, count, fetch) => paginate(request, count, fetch, b.fixedPageSize);
}

/**
 * A page as JSON text, byte for byte what JSON.stringify(page) gives. Items
 * are serialised once per object: static orders' summaries are cached objects
 * (mock/orders.ts), so their JSON is reused; an order that moves gets a new
 * object, hence fresh JSON, at each read.
 */
const itemJson = new WeakMap<object, string>();
function pageJson(page: { count: number; next: string | null; previous: string | null; results: object[] }): string {
  const items = page.results.map((r) => {
    let j = itemJson.get(r);
    if (j === undefined) itemJson.set(r, (j = JSON.stringify(r)));
    return j;
  });
  return `{"count":${page.count},"next":${JSON.stringify(page.next)},"previous":${JSON.stringify(page.previous)},"results":[${items.join(',')}]}`;
}

/** A bare list as JSON text (variant `bare-list`), items serialised as in `pageJson`. */
function arrayJson(rows: object[]): string {
  return `[${rows
    .map((r) => {
      let j = itemJson.get(r);
      if (j === undefined) itemJson.set(r, (j = JSON.stringify(r)));
      return j;
    })
    .join(',')}]`;
}

function userOf(request: FastifyRequest): User {
  if (!request.user) throw new HttpError(401, 'Authentication credentials were not provided.');
  return request.user;
}

export async function buildApp(model: Model, store: Store, options: AppOptions): Promise<FastifyInstance> {
  const b = store.behaviour;
  const errorBody = b.errorShape === 'nested' ? nestedBody : detailBody;
  const paginated: Paginator = b.listEnvelope === 'page' && b.fixedPageSize === undefined ? paginate : paginatorOf(b);
  const fmt = store.fmt;
  const userOfAuthorization = authorizationReader(b.authScheme);
  const requestTimeout = options.requestTimeoutMs ?? 10_000;
  const app = Fastify({
    logger: options.logger,
    bodyLimit: options.bodyLimit,
    // a client that never finishes its request is cut (checked every second), so held sockets are bounded in time
    serverFactory: (handler) => createServer({ requestTimeout, headersTimeout: Math.ceil(requestTimeout / 2), connectionsCheckingInterval: Math.min(1000, requestTimeout), keepAliveTimeout: 5000 }, handler),
    routerOptions: { maxParamLength: 500 },
    // A URL the router cannot decode, or a parameter over the length limit.
    frameworkErrors: (error, _request, reply) => {
      // variant html-404: a URL the router cannot decode matches no route
      if (b.unmatchedRoute === 'html') return void (reply as FastifyReply).code(404).type('text/html; charset=utf-8').send(HTML_404);
      void (reply as FastifyReply).code(400).send(errorBody(400, `Bad request: ${error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path segment is too long' : 'the URL is not valid'}.`));
    },
  });
  const { validators, lc } = model;

  // a cap on the connections one address holds open: one client cannot take every socket
  const perClient = new Map<string, number>();
  const maxPerClient = options.maxConnectionsPerClient ?? 256;
  app.server.on('connection', (socket: Socket) => {
    const who = socket.remoteAddress ?? '';
    const n = (perClient.get(who) ?? 0) + 1;
    if (n > maxPerClient) {
      socket.destroy();
      return;
    }
    perClient.set(who, n);
    socket.once('close', () => {
      const left = (perClient.get(who) ?? 1) - 1;
      if (left <= 0) perClient.delete(who);
      else perClient.set(who, left);
    });
  });

  app.decorateRequest('user', null);

  // JSON bodies are parsed here (an empty body is no body). Any other media
  // type is read (within the body limit) and marked, so that JSON endpoints
  // answer 415 while body-less endpoints (the export start) ignore it: a
  // proxy may frame an empty POST as a chunked body without a Content-Type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, (body as Buffer).length === 0 ? undefined : NOT_JSON);
  });
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    // bounded before it is parsed or validated (both recurse): a nesting bomb is a bad request, not a 500
    if (nestsDeeper(text, MAX_BODY_DEPTH)) return done(new HttpError(400, `The JSON body nests deeper than ${MAX_BODY_DEPTH} levels.`), undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new HttpError(400, 'Malformed JSON body.'), undefined);
    }
  });

  if (b.unmatchedRoute === 'html') {
    // as a framework whose path converters match one non-empty segment: an empty
    // or decoded-slash parameter matches no route, and gets the stock HTML page
    app.addHook('onRequest', async (request, reply) => {
      const params = Object.values((request.params ?? {}) as Params);
      if (params.some((v) => v === '' || v?.includes('/'))) return reply.code(404).type('text/html; charset=utf-8').send(HTML_404);
    });
  }

  app.addHook('onRequest', async (request, reply) => {
    if (!request.routeOptions.url?.startsWith(API)) return;
    const user = userOfAuthorization(request.headers.authorization);
    if (!user) {
      const detail = request.headers.authorization ? 'Invalid token.' : 'Authentication credentials were not provided.';
      return reply.code(401).header('www-authenticate', b.authScheme).send(errorBody(401, detail));
    }
    request.user = user;
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send(errorBody(error.statusCode, error.message, error.extra));
    let status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 415) status = 400;
    if (status === 500) {
      request.log.error(error);
      return reply.code(500).send(errorBody(500, 'Internal server error.'));
    }
    const detail = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'Request body is too large.' : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'Unsupported media type: send application/json.' : error.message || 'Bad request.';
    return reply.code(status).send(errorBody(status, detail));
  });

  if (b.unmatchedRoute === 'html') app.setNotFoundHandler((_request, reply) => reply.code(404).type('text/html; charset=utf-8').send(HTML_404));
  else app.setNotFoundHandler((_request, reply) => reply.code(404).send(errorBody(404, 'Not found.')));

  /** Not found, or (variant `forbidden-403`) permission denied when the object exists but is someone else's. */
  const missing = b.foreignStatus === 403 ? (exists: () => boolean): HttpError => (exists() ? new HttpError(403, 'You do not have permission to perform this action.') : notFound()) : (): HttpError => notFound();

  const validate = (operationId: string, body: unknown, what: string): void => {
    // 400 rather than 415: the contract declares 400 for a refused body.
    if (body === NOT_JSON) throw new HttpError(400, 'Unsupported media type: send application/json.');
    const check = validators.request(operationId);
    const violations = check ? check(body) : [];
    if (violations.length > 0) {
      throw new HttpError(400, `The ${what} is not valid.`, { errors: violationErrors(violations) });
    }
  };

  const order = (request: FastifyRequest) => {
    const ref = (request.params as Params).order_reference ?? '';
    const rec = store.find(userOf(request).customer, ref);
    if (!rec) throw missing(() => store.findAny(ref) !== undefined);
    return { rec, view: store.view(rec) };
  };

  const summaries = (records: ReturnType<Store['pageOrders']>): OrderSummary[] => records.map((r) => summaryOf(model, r, store.view(r), fmt));

  /** A product order as this provider writes it (variant `item-state-field`: the item status under `state`). */
  const shown = b.itemStatusField === 'status' ? (po: ProductOrder): unknown => po : (po: ProductOrder): unknown => ({ ...po, product_order_item: po.product_order_item.map(({ status, ...item }) => ({ ...item, [b.itemStatusField]: status })) });
  const offerings = new Set(store.products.map((p) => p.id));

  /**
   * Handlers are registered by operationId: the method and the path come from
   * openapi.yaml (src/contract/router.ts names them the same way), so the server
   * cannot serve a path the spec does not have. Start-up fails when a handler
   * names an operation the spec lacks, or an operation has no handler (only
   * the inferred GET product_order may be left out, by the variant that does).
   */
  const handled = new Set<string>();
  const on = (operationId: string, handler: RouteHandlerMethod): void => {
    const op = model.spec.operations.get(operationId);
    if (!op) throw new Error(`the reference server has a handler for ${operationId}, which openapi.yaml does not define`);
    handled.add(operationId);
    app.route({ method: op.method as HTTPMethods, url: op.path.replace(/\{([^}]+)\}/g, ':$1'), handler });
  };

  // ---------------------------------------------------------- phase 1
  on('createProductOrder', async (request, reply) => {
    const user = userOf(request);
    validate('createProductOrder', request.body, 'product order');
    const body = request.body as Parameters<Store['createProductOrder']>[1];
    if (b.withoutOfferings.length > 0 && !offerings.has(body.product_offering_id)) {
      throw new HttpError(400, 'The product offering is not in the catalogue.', {
        errors: [{ code: 'invalid_choice', property_path: 'product_offering_id', value: body.product_offering_id }],
      });
    }
    return reply.code(201).send(shown(store.createProductOrder(user, body)));
  });

  if (b.productOrderGet) {
    on('getProductOrder', async (request) => {
      const id = (request.params as Params).product_order_id ?? '';
      const po = store.productOrder(userOf(request).customer, id);
      if (!po) throw missing(() => store.productOrderExists(id));
      return shown(po);
    });
  }

  // ---------------------------------------------------------- phase 2
  on('listOrders', async (request, reply) => {
    const c = userOf(request).customer;
    const page = paginated(request, store.countOrders(c), (offset, limit) => summaries(store.pageOrders(c, offset, limit)));
    return reply.type('application/json; charset=utf-8').send(Array.isArray(page) ? arrayJson(page) : pageJson(page));
  });

  on('getOrder', async (request) => {
    const { rec, view } = order(request);
    return detailOf(rec, view);
  });

  on('getOrderHistory', async (request) => historyOf(order(request).view, fmt));

  on('listOrderDocuments', async (request) => {
    const { rec, view } = order(request);
    return documentGroups(documentsOf(rec, view));
  });

  on('downloadOrderDocument', async (request, reply) => {
    const name = (request.params as Params).filename ?? '';
    if (!isPlainFilename(name)) throw new HttpError(400, 'Invalid file name.');
    const { rec, view } = order(request);
    const doc = documentsOf(rec, view).find((d) => d.name === name);
    if (!doc) throw notFound();
    return reply
      .header('content-type', contentTypeOf(name))
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(documentBytes(rec.ref, doc, rec.summary.site_client));
  });

  on('requestOrderAction', async (request, reply) => {
    const name = (request.params as Params).action ?? '';
    const action = model.actionNames.includes(name) ? lc.actions.get(name) : undefined;
    if (!action) throw notFound();
    const user = userOf(request);
    const { rec, view } = order(request);
    validate('requestOrderAction', request.body, `${name} request`);
    const body = request.body as { reason: string; message?: string; request_effective_date?: string | null };
    if (name === 'terminate' && !model.reasons.includes(body.reason)) {
      throw new HttpError(400, 'The termination reason is not in the list (GET /api/v1/terminate_reason/).', {
        errors: [{ code: 'invalid_choice', property_path: 'reason', value: body.reason }],
      });
    }
    if (!action.from.includes(view.state)) {
      throw new HttpError(409, `An order in state "${view.state}" cannot be asked to ${name}; allowed from: ${action.from.join(', ')}.`, {
        errors: [{ code: 'invalid_state', property_path: 'state', value: view.state }],
      });
    }
    const row = store.applyAction(rec, action, body, user);
    return b.actionStatus === 204 ? reply.code(204).send() : reply.code(b.actionStatus).send(row);
  });

  // ---------------------------------------------------------- reference data and requests
  on('listTerminateReasons', async () => ({ terminate_reasons: model.reasons }));

  on('listOrderRequests', async (request) => {
    const c = userOf(request).customer;
    const q = request.query as Query;
    const filter = { orderReference: single(q, 'order_reference'), action: single(q, 'action') };
    const count = store.pageRequests(c, filter, 0, 0).count;
    return paginated(request, count, (offset, limit) => store.pageRequests(c, filter, offset, limit).rows);
  });

  // ---------------------------------------------------------- export
  const exportHeader = b.exportHeader === 'labels' ? model.summaryFields.map((f) => EXPORT_LABELS[f] ?? f) : model.summaryFields;
  on('startOrderExport', async (request, reply) => {
    const started = store.startExport(userOf(request));
    if ('retryAfterS' in started) {
      return reply
        .code(429)
        .header('retry-after', String(started.retryAfterS))
        .send(errorBody(429, `Only one export every ${store.opts.exportWindowS} s per user; retry in ${started.retryAfterS} s.`));
    }
    return reply.code(b.exportStartStatus).send({ task_id: started.task.id });
  });

  on('getOrderExportStatus', async (request) => {
    const id = (request.params as Params).task_id ?? '';
    const task = store.exportTask(userOf(request), id);
    if (!task) throw missing(() => store.exportTaskExists(id));
    const done = store.exportDone(task);
    return { task_id: task.id, success: done ? true : null, started: fmt.instant(task.started), stopped: done ? fmt.instant(task.stopped) : null };
  });

  on('downloadOrderExport', async (request, reply) => {
    const user = userOf(request);
    const id = (request.params as Params).task_id ?? '';
    const task = store.exportTask(user, id);
    if (!task) throw missing(() => store.exportTaskExists(id));
    if (!store.exportDone(task)) throw notFound();
    const chunks = (function* () {
      for (const page of store.allOrders(user.customer)) yield summaries(page);
    })();
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="orders_${task.id}.csv"`)
      .send(csvStream(model.summaryFields, chunks, exportHeader));
  });

  const unhandled = [...model.spec.operations.keys()].filter((id) => !handled.has(id) && !(id === 'getProductOrder' && !b.productOrderGet));
  if (unhandled.length > 0) throw new Error(`openapi.yaml defines ${unhandled.join(', ')}, which the reference server does not handle`);

  // ---------------------------------------------------------- Pact provider states
  if (options.providerStates) {
    app.post('/_pact/provider-states', async (request, reply) => {
      const answer = handleProviderState(model, store, request.body);
      return reply.code(answer.status).send(answer.body);
    });
  }

  await app.ready();
  return app;
}

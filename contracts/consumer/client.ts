/**
 * The integrator: the code a real integration of the Order Tracking API runs,
 * built on the typed client (`src/client.ts`, openapi-fetch over the generated
 * types). It is the Pact consumer: the contract in `contracts/pacts/` records
 * exactly what this code sends and reads, nothing more.
 *
 * Each method returns the narrow view the integration uses (see the `*View`
 * types): a field the integrator does not read is not part of its contract.
 */
import { createOrderTrackingClient, type OrderTrackingClient, type Schemas } from '../../src/client.ts';

// ------------------------------------------------------------------ errors

/** Every error this client raises, with a stable code (one table, after fastify's). */
export const INTEGRATOR_ERRORS = {
  INTEGRATOR_ERR_HTTP: 'The API answered %s',
  INTEGRATOR_ERR_RATE_LIMITED: 'The export is rate limited: %s',
  INTEGRATOR_ERR_EXPORT_FAILED: 'The export task failed: %s',
  INTEGRATOR_ERR_EXPORT_TIMEOUT: 'The export did not finish in time: %s',
  INTEGRATOR_ERR_BAD_RESPONSE: 'The API answered something this client cannot read: %s',
} as const;
export type IntegratorErrorCode = keyof typeof INTEGRATOR_ERRORS;

export class IntegratorError extends Error {
  readonly code: IntegratorErrorCode;
  constructor(code: IntegratorErrorCode, detail: string) {
    super(INTEGRATOR_ERRORS[code].replace('%s', detail));
    this.name = 'IntegratorError';
    this.code = code;
  }
}

/** A non-2xx answer: the operation, the status and the body as received. */
export class ApiError extends IntegratorError {
  readonly status: number;
  readonly operation: string;
  readonly body: unknown;
  constructor(operation: string, status: number, body: unknown, code: IntegratorErrorCode = 'INTEGRATOR_ERR_HTTP') {
    super(code, `${status} to ${operation}${detailOf(body)}`);
    this.name = 'ApiError';
    this.status = status;
    this.operation = operation;
    this.body = body;
  }
}

/** 429 on the export: one export every 5 minutes per user. `retryAfterS` from `Retry-After`, when sent. */
export class RateLimitedError extends ApiError {
  readonly retryAfterS: number | undefined;
  constructor(operation: string, body: unknown, retryAfterS: number | undefined) {
    super(operation, 429, body, 'INTEGRATOR_ERR_RATE_LIMITED');
    this.name = 'RateLimitedError';
    this.retryAfterS = retryAfterS;
  }
}

function detailOf(body: unknown): string {
  if (body && typeof body === 'object' && 'detail' in body && typeof (body as { detail: unknown }).detail === 'string') {
    return `: ${(body as { detail: string }).detail}`;
  }
  return '';
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

// ------------------------------------------------------------------- views

type OrderState = Schemas['OrderState'];

export interface OrderSummaryView {
  order_reference: string;
  state: OrderState;
  order_date: string;
  offer_family: Schemas['OfferFamily'];
  end_customer_name: string;
}

export interface OrderView {
  order_reference: string;
  state: OrderState;
  order_date: string;
  estimated_delivery_date: string;
  service_reference: string;
  product: { name: string; offer_family: Schemas['OfferFamily'] };
  total_amount_monthly: number;
}

export interface HistoryEntryView {
  state: string;
  change_date: string;
  change_reason: string;
}

export interface DocumentGroupView {
  type: string;
  values: string[];
}

export interface OrderRequestView {
  id: string;
  order_reference: string;
  action: string;
  reason: string;
  creation_date: string;
}

export interface ExportStatusView {
  task_id: string;
  /** null while running, true when the file is ready, false when the task failed */
  success: boolean | null;
}

export interface ExportResult {
  taskId: string;
  csv: string;
}

// ------------------------------------------------------------------ client

export interface IntegratorOptions {
  baseUrl: string;
  token?: string;
  /** default page size asked of the order list */
  pageSize?: number;
  /** injectable for tests */
  fetch?: (input: Request) => Promise<Response>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface ExportOptions {
  /** give up polling after this long (default 60 s) */
  deadlineMs?: number;
  /** wait between two status reads (default 500 ms) */
  pollMs?: number;
}

/** The five fields of the order list this integration reads. */
function summaryView(o: Schemas['OrderSummary']): OrderSummaryView {
  return {
    order_reference: o.order_reference,
    state: o.state,
    order_date: o.order_date,
    offer_family: o.offer_family,
    end_customer_name: o.end_customer_name,
  };
}

const MAX_PAGES = 1000;

export class OrderTrackingIntegrator {
  readonly api: OrderTrackingClient;
  private readonly baseUrl: string;
  private readonly pageSize: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(opts: IntegratorOptions) {
    this.baseUrl = opts.baseUrl;
    this.pageSize = opts.pageSize ?? 100;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
    this.api = createOrderTrackingClient({
      baseUrl: opts.baseUrl,
      ...(opts.token ? { token: opts.token } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  /**
   * Every order the user can see: walks the page's `next` links, or takes a
   * bare array as the whole list (the envelope is not documented).
   */
  async listOrders(): Promise<OrderSummaryView[]> {
    const out: OrderSummaryView[] = [];
    let query: Record<string, string | number> = { page_size: this.pageSize };
    const seen = new Set<string>();
    for (let n = 0; n < MAX_PAGES; n++) {
      const { data, error, response } = await this.api.GET('/api/v1/order/', {
        params: { query: query as { page?: number; page_size?: number } },
      });
      if (error !== undefined || data === undefined) throw new ApiError('GET /api/v1/order/', response.status, error);
      if (Array.isArray(data)) return data.map(summaryView);
      if (!data || !Array.isArray(data.results)) {
        throw new IntegratorError('INTEGRATOR_ERR_BAD_RESPONSE', 'the order list is neither an array nor a page with results');
      }
      out.push(...data.results.map(summaryView));
      const next = typeof data.next === 'string' && data.next !== '' ? data.next : undefined;
      if (!next || seen.has(next)) return out;
      seen.add(next);
      // The next link is the same operation with other query parameters.
      query = Object.fromEntries(new URL(next, this.baseUrl).searchParams);
    }
    return out;
  }

  async getOrder(orderReference: string): Promise<OrderView> {
    const { data, error, response } = await this.api.GET('/api/v1/order/{order_reference}/', {
      params: { path: { order_reference: orderReference } },
    });
    if (error !== undefined || data === undefined) throw new ApiError(`GET order ${orderReference}`, response.status, error);
    return {
      order_reference: data.order_reference,
      state: data.state,
      order_date: data.order_date,
      estimated_delivery_date: data.estimated_delivery_date,
      service_reference: data.service_reference,
      product: { name: data.product.name, offer_family: data.product.offer_family },
      total_amount_monthly: data.total_amount_monthly,
    };
  }

  async getHistory(orderReference: string): Promise<HistoryEntryView[]> {
    const { data, error, response } = await this.api.GET('/api/v1/order/{order_reference}/historic/', {
      params: { path: { order_reference: orderReference } },
    });
    if (error !== undefined || data === undefined) throw new ApiError(`GET history of ${orderReference}`, response.status, error);
    return data.results.map((e) => ({ state: e.state, change_date: e.change_date, change_reason: e.change_reason }));
  }

  async listDocuments(orderReference: string): Promise<DocumentGroupView[]> {
    const { data, error, response } = await this.api.GET('/api/v1/order/{order_reference}/documents/', {
      params: { path: { order_reference: orderReference } },
    });
    if (error !== undefined || data === undefined) throw new ApiError(`GET documents of ${orderReference}`, response.status, error);
    return data.map((g) => ({ type: g.type, values: [...g.values] }));
  }

  /** The document's bytes, as served. */
  async downloadDocument(orderReference: string, filename: string): Promise<Uint8Array> {
    const { data, error, response } = await this.api.GET('/api/v1/order/{order_reference}/{filename}/download/', {
      params: { path: { order_reference: orderReference, filename } },
      headers: { Accept: 'application/pdf, application/octet-stream, */*' },
      parseAs: 'arrayBuffer',
    });
    if (error !== undefined || data === undefined) throw new ApiError(`GET document ${filename} of ${orderReference}`, response.status, error);
    return new Uint8Array(data);
  }

  async getTerminateReasons(): Promise<string[]> {
    const { data, error, response } = await this.api.GET('/api/v1/terminate_reason/');
    if (error !== undefined || data === undefined) throw new ApiError('GET /api/v1/terminate_reason/', response.status, error);
    return [...data.terminate_reasons];
  }

  /** Asks for the termination of an order; `reason` comes from `getTerminateReasons()`. */
  async requestTermination(orderReference: string, reason: string, message = ''): Promise<OrderRequestView> {
    const { data, error, response } = await this.api.POST('/api/v1/order/{order_reference}/{action}/', {
      params: { path: { order_reference: orderReference, action: 'terminate' } },
      body: { reason, message },
    });
    if (error !== undefined || data === undefined) throw new ApiError(`POST terminate ${orderReference}`, response.status, error);
    return requestView(data);
  }

  /** The requests made on orders, filtered (e.g. `{ order_reference, action: 'Résiliation' }`). */
  async listOrderRequests(filter: { order_reference?: string; action?: string } = {}): Promise<OrderRequestView[]> {
    const query: { order_reference?: string; action?: string } = {};
    if (filter.order_reference !== undefined) query.order_reference = filter.order_reference;
    if (filter.action !== undefined) query.action = filter.action;
    const { data, error, response } = await this.api.GET('/api/v1/order_request/', { params: { query } });
    if (error !== undefined || data === undefined) throw new ApiError('GET /api/v1/order_request/', response.status, error);
    const rows = Array.isArray(data) ? data : data.results;
    return rows.map(requestView);
  }

  /** Step 1: starts an export; a 429 becomes a RateLimitedError. */
  async startExport(): Promise<string> {
    const { data, error, response } = await this.api.POST('/api/v1/order/export/csv/');
    if (response.status === 429) {
      throw new RateLimitedError('POST /api/v1/order/export/csv/', error, parseRetryAfter(response.headers.get('Retry-After'), this.now()));
    }
    if (error !== undefined || data === undefined) throw new ApiError('POST /api/v1/order/export/csv/', response.status, error);
    return data.task_id;
  }

  /** Step 2: one read of the task's status. */
  async exportStatus(taskId: string): Promise<ExportStatusView> {
    const { data, error, response } = await this.api.GET('/api/v1/order/export/{task_id}/status/', {
      params: { path: { task_id: taskId } },
    });
    if (error !== undefined || data === undefined) throw new ApiError(`GET export ${taskId} status`, response.status, error);
    return { task_id: data.task_id, success: data.success };
  }

  /** Step 3: the CSV text of a finished export. */
  async downloadExport(taskId: string): Promise<string> {
    const { data, error, response } = await this.api.GET('/api/v1/order/export/{task_id}/download/', {
      params: { path: { task_id: taskId } },
      headers: { Accept: 'text/csv' },
      parseAs: 'text',
    });
    if (error !== undefined || data === undefined) throw new ApiError(`GET export ${taskId} download`, response.status, error);
    return data;
  }

  /** The three steps: start, poll the status until it settles or the deadline passes, download. */
  async exportOrders(opts: ExportOptions = {}): Promise<ExportResult> {
    const deadlineMs = opts.deadlineMs ?? 60_000;
    const pollMs = opts.pollMs ?? 500;
    const taskId = await this.startExport();
    const until = this.now() + deadlineMs;
    for (;;) {
      const status = await this.exportStatus(taskId);
      if (status.success === true) break;
      if (status.success === false) throw new IntegratorError('INTEGRATOR_ERR_EXPORT_FAILED', `task ${taskId} reported success: false`);
      if (this.now() + pollMs > until) {
        throw new IntegratorError('INTEGRATOR_ERR_EXPORT_TIMEOUT', `task ${taskId} still running after ${deadlineMs} ms`);
      }
      await this.sleep(pollMs);
    }
    return { taskId, csv: await this.downloadExport(taskId) };
  }
}

function requestView(r: Schemas['OrderRequest']): OrderRequestView {
  return { id: r.id, order_reference: r.order_reference, action: r.action, reason: r.reason, creation_date: r.creation_date };
}

export function createIntegrator(opts: IntegratorOptions): OrderTrackingIntegrator {
  return new OrderTrackingIntegrator(opts);
}

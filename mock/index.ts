/**
 * The reference server of the Order Tracking API: a faithful, stateful sandbox
 * that answers exactly `openapi.yaml` (the embedded default target of
 * `conformance run`, the integrators' sandbox, the Pact provider).
 *
 * - Data: deterministic from `seed`. Customer A (users `customerA_user1`,
 *   `customerA_user2`) owns three orders in four, customer B
 *   (`customerB_user1`) the rest. Seeded orders cycle through every path of the
 *   order lifecycle (`x-lifecycle`), so every state, production step and
 *   history value appears; they are static.
 * - Clock: only orders created through `POST /api/v1/product_order/` or acted
 *   upon move, one lifecycle step every `stepMs`, computed from `now()` when
 *   read (no timers: a fake clock drives everything).
 * - Phase 1 outcome, chosen by the product order's `external_id`
 *   (case-insensitive prefix):
 *     `reject…` → acknowledged → in_progress → rejected_creation (no order);
 *     `error…`  → acknowledged → technical_error (no order);
 *     `ko…`     → created; the order is produced for three steps, then `rejected`;
 *     otherwise → acknowledged → in_progress → created; the order appears
 *                 `confirmed`, goes through every production step, then `active`.
 * - Actions (`terminate`, `change`, `cancel`): allowed from the states of
 *   `x-lifecycle.order.actions`; `terminate` needs one of the documented
 *   reasons. Accepted → 201 and an order request; refused → 400 (body) or 409
 *   (state), and nothing changes.
 * - Export: one per user per `exportWindowS` (429 with `Retry-After`); a task
 *   succeeds `exportMs` after it starts; the CSV is streamed.
 * - Provider states (`providerStates: true`): see mock/provider-states.ts.
 * - Provider variants (`variants: ['bare-list', 'action-204', ...]`): another
 *   choice the documentation allows for each of its open points; see
 *   mock/variants.ts (the list is in VARIANTS and in the README).
 */
import type { FastifyInstance } from 'fastify';
import { ConformanceError } from '../src/errors.ts';
import { buildApp } from './app.ts';
import { loadModel } from './model.ts';
import { Store } from './store.ts';
import { behaviourOf } from './variants.ts';

export { DEMO_TOKENS, type DemoUser } from './users.ts';
export { PROVIDER_STATES } from './provider-states.ts';
export { VARIANTS, VARIANT_NAMES, behaviourOf, type Behaviour, type VariantName } from './variants.ts';

export interface MockOptions {
  /** seed of the data (default 42) */
  seed?: number;
  /** number of seeded orders (default 60; customer A gets three in four) */
  orders?: number;
  /** export rate-limit window per user, in seconds (default 300) */
  exportWindowS?: number;
  /** real-time ms of one lifecycle step for orders that move (default 1000) */
  stepMs?: number;
  /** time an export task takes, in ms (default 300) */
  exportMs?: number;
  /** the clock (default Date.now) */
  now?: () => number;
  /** registers POST /_pact/provider-states (default false) */
  providerStates?: boolean;
  /** request body limit in bytes (default 64 KiB) */
  bodyLimit?: number;
  /** Fastify's logger (default false) */
  logger?: boolean;
  /** provider variants (mock/variants.ts), a list or a comma-separated string (default none) */
  variants?: readonly string[] | string;
  /** most product orders, order requests and export tasks kept each, oldest pruned (default 10,000) */
  maxCreated?: number;
  /** ms a request may take to arrive whole (default 10,000) */
  requestTimeoutMs?: number;
  /** open connections one client address may hold (default 256) */
  maxConnectionsPerClient?: number;
}

export interface StartOptions extends MockOptions {
  host?: string;
  port?: number;
}

export interface RunningMock {
  baseUrl: string;
  close(): Promise<void>;
  app: FastifyInstance;
}

/**
 * The reference server's numeric options, their defaults and their ranges:
 * one table that the library (`resolveOptions` below) and the command line
 * (`conformance mock`, src/engine/options.ts `MOCK_OPTIONS`) both read.
 */
export const MOCK_LIMITS = {
  seed: { def: 42, min: -(2 ** 31), max: 2 ** 32 - 1 },
  orders: { def: 60, min: 0, max: 10_000_000 },
  exportWindowS: { def: 300, min: 0, max: 86_400 * 365 },
  stepMs: { def: 1000, min: 1, max: 86_400_000 },
  exportMs: { def: 300, min: 0, max: 86_400_000 },
  bodyLimit: { def: 64 * 1024, min: 1, max: 100 * 1024 * 1024 },
  maxCreated: { def: 10_000, min: 1, max: 10_000_000 },
  requestTimeoutMs: { def: 10_000, min: 100, max: 3_600_000 },
  maxConnectionsPerClient: { def: 256, min: 1, max: 1_000_000 },
} as const;

function whole(name: string, v: unknown, { def: fallback, min, max }: { def: number; min: number; max: number }): number {
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConformanceError('CONF_ERR_BAD_OPTION', `${name} must be a whole number from ${min} to ${max} (got ${String(v)})`);
  }
  return n;
}

/** The options with their defaults, checked (numbers may come as strings from a command line). */
export function resolveOptions(options: MockOptions = {}) {
  return {
    seed: whole('seed', options.seed, MOCK_LIMITS.seed),
    orders: whole('orders', options.orders, MOCK_LIMITS.orders),
    exportWindowS: whole('export-window-s', options.exportWindowS, MOCK_LIMITS.exportWindowS),
    stepMs: whole('step-ms', options.stepMs, MOCK_LIMITS.stepMs),
    exportMs: whole('export-ms', options.exportMs, MOCK_LIMITS.exportMs),
    now: options.now ?? Date.now,
    providerStates: options.providerStates ?? false,
    bodyLimit: whole('body-limit', options.bodyLimit, MOCK_LIMITS.bodyLimit),
    logger: options.logger ?? false,
    ...behaviourOf(options.variants),
    maxCreated: whole('max-created', options.maxCreated, MOCK_LIMITS.maxCreated),
    requestTimeoutMs: whole('request-timeout-ms', options.requestTimeoutMs, MOCK_LIMITS.requestTimeoutMs),
    maxConnectionsPerClient: whole('max-connections-per-client', options.maxConnectionsPerClient, MOCK_LIMITS.maxConnectionsPerClient),
  };
}

/** The server, ready but not listening: the caller owns `listen` and `close`. */
export async function createApp(options: MockOptions = {}): Promise<FastifyInstance> {
  const o = resolveOptions(options);
  const model = loadModel();
  const store = new Store(model, { ...o, behaviour: o.behaviour });
  return buildApp(model, store, o);
}

/** Starts the server on `host` (default 127.0.0.1) and `port` (default 0: any free port). */
export async function startMock(options: StartOptions = {}): Promise<RunningMock> {
  const host = options.host ?? '127.0.0.1';
  const port = whole('port', options.port, { def: 0, min: 0, max: 65535 });
  const app = await createApp(options);
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    throw new ConformanceError('CONF_ERR_MOCK_START', `cannot listen on ${host}:${port}: ${(err as Error).message}`, { cause: err });
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { baseUrl: `http://${shownHost}:${bound}`, close: () => app.close(), app };
}

/**
 * Shared helpers of the reference-server tests: a fake clock, a server on
 * 127.0.0.1:0, an HTTP call that checks every answer against `openapi.yaml`
 * with the project's validators, and a raw-socket request for paths that
 * must reach the server byte for byte.
 */
import { connect } from 'node:net';
import { request } from 'undici';
import { expect } from 'vitest';
import { DEMO_TOKENS, startMock, type MockOptions, type RunningMock } from '../../mock/index.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { lifecycleOf } from '../../src/contract/lifecycle.ts';
import { validatorsFor } from '../../src/contract/validators.ts';

export const spec = loadSpec();
export const validators = validatorsFor(spec);
export const lc = lifecycleOf(spec);
export const TOKENS = DEMO_TOKENS;
export const A1 = DEMO_TOKENS.customerA_user1;
export const A2 = DEMO_TOKENS.customerA_user2;
export const B1 = DEMO_TOKENS.customerB_user1;

/** A clock the test moves by hand; starts well after the seeded data. */
export class FakeClock {
  t: number;
  constructor(start = Date.parse('2026-01-05T09:00:00Z')) {
    this.t = start;
  }
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Server extends RunningMock {
  clock: FakeClock;
}

export async function startServer(options: MockOptions = {}): Promise<Server> {
  const clock = new FakeClock();
  const mock = await startMock({ now: clock.now, ...options });
  return { ...mock, clock };
}

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  contentType: string;
  buf: Buffer;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  /** the operationId whose responses this answer must match; 'none' for paths outside the contract */
  op: string;
}

/** Every answer checked: the status is declared for the operation, and the body matches its schema (no error, no warning). */
export function expectConforms(res: Res, op: string, where: string): void {
  if (op === 'none') {
    expect(res.status, where).toBeLessThan(500);
    if (res.buf.length > 0) expect(res.contentType, `${where}: errors answer JSON`).toBe('application/json');
    return;
  }
  const operation = spec.operations.get(op);
  expect(operation, `unknown operation ${op}`).toBeDefined();
  const key = validators.responseKey(op, res.status);
  expect(key, `${where}: status ${res.status} is not declared for ${op}`).toBeDefined();
  const declared = operation?.responses[key as string]?.content ?? {};
  expect(Object.keys(declared), `${where}: ${res.contentType} is not declared for ${op} ${res.status}`).toContain(res.contentType);
  if (res.contentType === 'application/json') {
    const check = validators.response(op, res.status, 'application/json');
    expect(check, `${where}: no schema`).toBeDefined();
    const violations = check ? check(res.json) : [];
    expect(violations, `${where}: ${JSON.stringify(res.json)?.slice(0, 300)}`).toEqual([]);
  } else {
    expect(res.buf.length, `${where}: empty body`).toBeGreaterThan(0);
  }
}

export async function call(baseUrl: string, method: string, path: string, o: CallOptions): Promise<Res> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token !== null) headers.authorization = `Bearer ${o.token ?? A1}`;
  let body: string | Buffer | undefined = o.rawBody;
  if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  const r = await request(`${baseUrl}${path}`, { method: method as 'GET', headers, body });
  const buf = Buffer.from(await r.body.arrayBuffer());
  const contentType =
    String(r.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim() ?? '';
  const text = buf.toString('utf8');
  let json: unknown;
  if (contentType === 'application/json' && text.length > 0) json = JSON.parse(text);
  const res: Res = { status: r.statusCode, headers: r.headers, contentType, buf, text, json };
  expectConforms(res, o.op, `${method} ${path}`);
  return res;
}

/**
 * Sends a request head (its lines joined by "\n") and a body exactly as given,
 * with no URL normalisation, and returns the status line's code and the body.
 * `latin1` keeps odd bytes of a request target byte for byte.
 */
export function rawRequest(baseUrl: string, head: string, { body = '', token = A1, encoding = 'utf8' }: { body?: string; token?: string; encoding?: 'utf8' | 'latin1' } = {}): Promise<{ status: number; body: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString(encoding);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(`${head.replace(/\n/g, '\r\n')}\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n${body}`, encoding);
  });
}

/** Sends a GET with the request target exactly as given. */
export function rawGet(baseUrl: string, target: string, token = A1): Promise<{ status: number; body: string }> {
  return rawRequest(baseUrl, `GET ${target} HTTP/1.1`, { token, encoding: 'latin1' });
}

/** Every order of the user's list, walking `next` links. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function allOrders(baseUrl: string, token: string, pageSize = 1000): Promise<any[]> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const out: any[] = [];
  let path: string | null = `/api/v1/order/?page_size=${pageSize}`;
  while (path) {
    const r = await call(baseUrl, 'GET', path, { token, op: 'listOrders' });
    expect(r.status).toBe(200);
    out.push(...r.json.results);
    path = r.json.next ? new URL(r.json.next).pathname + new URL(r.json.next).search : null;
  }
  return out;
}

/** A valid product order body: the spec's own example. */
export function productOrderBody(externalId: string): Record<string, unknown> {
  const ex = (spec.doc.components as { examples: Record<string, { value: Record<string, unknown> }> }).examples.ProductOrderCreate?.value;
  return { ...ex, external_id: externalId };
}

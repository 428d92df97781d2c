/**
 * What the client checks judge: the client's traffic, in the order it was
 * sent, each exchange with the time its request left the client (seen by the
 * proxy, or written in a recording). The over-time rules (CLI-RATE,
 * CLI-POLL) read the times; the others judge one request at a time.
 */
import type { Exchange } from '../../harness/http.ts';
import { retryAfterSeconds } from '../../harness/http.ts';
import { routerOf, type RouteMatch } from '../../contract/router.ts';
import type { Spec } from '../../contract/load.ts';

export interface Seen {
  /** when the request was sent (ISO 8601) */
  at: string;
  exchange: Exchange;
}

export interface ClientTraffic {
  traffic: Seen[];
  /** the termination reasons the provider gave, when they were fetched outside the traffic (the proxy asks once) */
  reasons?: string[];
}

/** The path and query of a URL as sent (not normalised: `..`, `//` and a missing trailing slash stay what they are). */
export function rawTarget(url: string): { path: string; query: string } {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)(?:\?([^#]*))?/i.exec(url);
  const path = m ? m[1] || '/' : (url.split('?', 1)[0] ?? '/');
  const query = m ? (m[2] ?? '') : (url.split('?')[1] ?? '');
  return { path, query };
}

/** A URL as its path and query, whatever host it names (a provider's links name the provider; the client asked the proxy). */
export function pathAndQuery(url: string): string {
  const { path, query } = rawTarget(url);
  return query ? `${path}?${query}` : path;
}

/** The `next` and `previous` links of a list page the provider gave, as path and query (none for an answer that is no page). */
export function pageLinks(ex: Exchange): string[] {
  if (ex.status !== 200 || !ex.isJson()) return [];
  const body = ex.json() as { next?: unknown; previous?: unknown } | null;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
  return [body.next, body.previous].filter((l): l is string => typeof l === 'string' && l !== '').map(pathAndQuery);
}

const matched = new WeakMap<Exchange, RouteMatch | null>();

/** The operation a request addresses (undefined when none: an unknown path, or a method the path does not take). */
export function routeOf(spec: Spec, ex: Exchange): RouteMatch | undefined {
  let m = matched.get(ex);
  if (m === undefined) {
    m = routerOf(spec).match(ex.method, rawTarget(ex.url).path) ?? null;
    matched.set(ex, m);
  }
  return m ?? undefined;
}

/** The operationId a request addresses, if it addresses one. */
export function operationOf(spec: Spec, ex: Exchange): string | undefined {
  return routeOf(spec, ex)?.operation?.operationId;
}

/** A header of the request, whatever its case. */
export function requestHeader(ex: Exchange, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(ex.requestHeaders)) if (k.toLowerCase() === want) return v;
  return undefined;
}

/**
 * Whose request it is, for the per-user rules: the Authorization header as
 * recorded (redacted to a stable name per credential, so two users stay
 * two), or "no credentials".
 */
export function credentialOf(ex: Exchange): string {
  return requestHeader(ex, 'authorization') ?? '(no credentials)';
}

export function millis(at: string): number {
  const t = Date.parse(at);
  return Number.isFinite(t) ? t : 0;
}

/** Seconds to wait that an answer asked for (Retry-After as seconds or an HTTP date, read against the time the answer came). */
export function retryAfterOf(ex: Exchange, answeredAt: number): number | undefined {
  return retryAfterSeconds(ex.headers['retry-after'], answeredAt);
}

/** "+12.3 s" after a reference time, for messages. */
export function after(t: number, from: number): string {
  return `${((t - from) / 1000).toFixed(1)} s`;
}

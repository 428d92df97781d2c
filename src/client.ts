/**
 * The typed client: openapi-fetch over the types that `npm run generate` makes
 * from `openapi.yaml` (generated/openapi.ts, never edited by hand).
 * Integrators and the Pact consumer call the API through this.
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from '../generated/openapi.ts';

export type { components, operations, paths };
export type OrderTrackingClient = Client<paths>;
export type Schemas = components['schemas'];

export interface ClientConfig extends Omit<ClientOptions, 'baseUrl'> {
  baseUrl: string;
  token?: string;
}

/** A client for one base URL, sending `Authorization: Bearer <token>` when a token is given. */
export function createOrderTrackingClient({ baseUrl, token, headers, ...rest }: ClientConfig): OrderTrackingClient {
  const auth: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  return createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    headers: { Accept: 'application/json', ...auth, ...(headers as Record<string, string> | undefined) },
    ...rest,
  });
}

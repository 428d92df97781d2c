/**
 * The demo users of the reference server: two users of customer A, one of
 * customer B, each with a fixed bearer token (listed in the README).
 */
import type { CustomerId } from './orders.ts';

export const DEMO_TOKENS = {
  customerA_user1: 'demo-token-a1',
  customerA_user2: 'demo-token-a2',
  customerB_user1: 'demo-token-b1',
} as const;

export type DemoUser = keyof typeof DEMO_TOKENS;

export interface User {
  key: DemoUser;
  token: string;
  customer: CustomerId;
  email: string;
}

export const USERS: readonly User[] = [
  { key: 'customerA_user1', token: DEMO_TOKENS.customerA_user1, customer: 'A', email: 'user1@customer-a.example' },
  { key: 'customerA_user2', token: DEMO_TOKENS.customerA_user2, customer: 'A', email: 'user2@customer-a.example' },
  { key: 'customerB_user1', token: DEMO_TOKENS.customerB_user1, customer: 'B', email: 'user1@customer-b.example' },
];

const byToken = new Map(USERS.map((u) => [u.token, u]));
const byKey = new Map<string, User>(USERS.map((u) => [u.key, u]));

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** The user of an `Authorization: Bearer <token>` header value, or undefined. */
export function userOfAuthorization(header: string | undefined): User | undefined {
  if (typeof header !== 'string') return undefined;
  const m = BEARER.exec(header);
  return m ? byToken.get(m[1] as string) : undefined;
}

/** The reader of `Authorization: <scheme> <token>` for a scheme (variant `token-auth`); Bearer's is `userOfAuthorization`. */
export function authorizationReader(scheme: string): (header: string | undefined) => User | undefined {
  if (scheme === 'Bearer') return userOfAuthorization;
  const re = new RegExp(`^${scheme.replace(/[^A-Za-z0-9-]/g, '')}[ \\t]+([^\\s]+)[ \\t]*$`, 'i');
  return (header) => {
    if (typeof header !== 'string') return undefined;
    const m = re.exec(header);
    return m ? byToken.get(m[1] as string) : undefined;
  };
}

export function userByKey(key: unknown): User | undefined {
  return typeof key === 'string' ? byKey.get(key) : undefined;
}

/** The user whose e-mail signs the seeded orders of a customer. */
export function firstUserOf(customer: CustomerId): User {
  return USERS.find((u) => u.customer === customer) as User;
}

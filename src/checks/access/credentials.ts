/**
 * AUTH-REQUIRED: every read endpoint (and, when the export is allowed, the
 * export start) answers 401 to a request without credentials
 * (`auth_missing_credentials`) and to one with a made-up token
 * (`auth_invalid_credentials`). Judged on each probe's exchange; the driver
 * (src/engine/phases/access.ts) sends them.
 */
import type { Exchange } from '../../harness/http.ts';
import { statusJudgement } from '../response.ts';
import type { CheckName } from '../catalog.ts';
import { defineCheck, type Check } from '../define.ts';

export interface CredentialProbe {
  /** the answer to a request sent without credentials, or with a made-up token */
  exchange: Exchange;
  /** the path asked for, as the driver wrote it (for the message) */
  path: string;
}

function refusedWithout(url: string, name: CheckName, how: string): Check<CredentialProbe> {
  return defineCheck<CredentialProbe>(url, name, ({ exchange, path }) => statusJudgement(exchange, [401], `${exchange.method} ${path} ${how}`));
}

export const authMissingCredentials = refusedWithout(import.meta.url, 'auth_missing_credentials', 'without credentials');
export const authInvalidCredentials = refusedWithout(import.meta.url, 'auth_invalid_credentials', 'with a made-up token');

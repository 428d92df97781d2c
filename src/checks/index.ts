/**
 * The check modules: each registered check whose judgement lives in its own
 * module under src/checks/<area>/. `conformance list-checks` names each
 * check's file from here; a check not yet listed is judged where its driver
 * runs (the file `list-checks` names for it).
 */
import type { CheckName } from './catalog.ts';
import type { Check } from './define.ts';
import { historyOrder, historySteps, historyTimestamps, historyVocabulary } from './lifecycle/history.ts';
// write, export, access and watchers
import { authInvalidCredentials, authMissingCredentials } from './access/credentials.ts';
import { tenantIsolation } from './access/tenant.ts';
import { exportContent } from './export/content.ts';
import { exportDownload } from './export/download.ts';
import { exportFresh } from './export/fresh.ts';
import { exportNotFound } from './export/not-found.ts';
import { rateLimit, rateLimitRetryAfter, rateLimitScope } from './export/rate.ts';
import { exportStart } from './export/start.ts';
import { exportStatus } from './export/status.ts';
import { jsonContentType, noServerErrors, responseStatusDeclared } from './robustness/watchers.ts';
import { actionInvalidBody } from './writes/invalid-body.ts';
import { actionPrecondition } from './writes/precondition.ts';
import { productOrderStatus } from './writes/product-order.ts';
import { terminateActive } from './writes/terminate.ts';

// biome-ignore lint/suspicious/noExplicitAny: a registry of checks of every input type
export const CHECK_MODULES: readonly Check<any>[] = [
  historyOrder, historyVocabulary, historyTimestamps, historySteps,
  // write, export, access and watchers
  authMissingCredentials, authInvalidCredentials, tenantIsolation,
  exportStart, exportStatus, exportDownload, exportContent, exportNotFound, rateLimit, rateLimitScope, rateLimitRetryAfter, exportFresh,
  productOrderStatus, terminateActive, actionPrecondition, actionInvalidBody,
  noServerErrors, jsonContentType, responseStatusDeclared,
];

// biome-ignore lint/suspicious/noExplicitAny: as above
export const MODULE_BY_NAME: ReadonlyMap<CheckName, Check<any>> = new Map(CHECK_MODULES.map((c) => [c.name, c]));

/**
 * The check modules, one per check: each registered check's judgement lives
 * in its own module under src/checks/<area>/ (src/checks/define.ts).
 * `conformance list-checks` names each check's file from here; the order is
 * the catalogue's (src/checks/catalog.ts), and a test requires every
 * catalogued check to have its module.
 */
import { CHECKS, CLIENT_CHECKS, type CheckName, type ClientCheckName } from './catalog.ts';
import type { Check } from './define.ts';
import { authInvalidCredentials, authMissingCredentials } from './access/credentials.ts';
import { tenantIsolation } from './access/tenant.ts';
import { documentDownload } from './documents/download.ts';
import { documentsSchema } from './documents/list.ts';
import { documentNotFound } from './documents/not-found.ts';
import { documentTraversal } from './documents/traversal.ts';
import { exportContent } from './export/content.ts';
import { exportDownload } from './export/download.ts';
import { exportFresh } from './export/fresh.ts';
import { exportNotFound } from './export/not-found.ts';
import { rateLimit, rateLimitRetryAfter, rateLimitScope } from './export/rate.ts';
import { exportStart } from './export/start.ts';
import { exportStatus } from './export/status.ts';
import { fuzzNoServerErrors, fuzzResponseDocumented } from './fuzz/answer.ts';
import { fuzzInvalidBody, fuzzInvalidProductOrder } from './fuzz/bodies.ts';
import { fuzzFilters, fuzzPagination } from './fuzz/lists.ts';
import { fuzzPathParams } from './fuzz/path-params.ts';
import { historySchema } from './lifecycle/history-schema.ts';
import { clientAuth } from './client/auth.ts';
import { clientPoll } from './client/poll.ts';
import { clientRate } from './client/rate.ts';
import { clientReason } from './client/reason.ts';
import { clientRequest } from './client/request.ts';
import { historyOrder, historySteps, historyTimestamps, historyVocabulary } from './lifecycle/history.ts';
import { stateConsistency } from './orders/consistency.ts';
import { orderDetailSchema } from './orders/detail.ts';
import { orderListSchema } from './orders/list.ts';
import { orderNotFound } from './orders/not-found.ts';
import { orderListPaging } from './orders/paging.ts';
import { orderStateEnum } from './orders/state-enum.ts';
import { orderRequestsFilter } from './requests/filter.ts';
import { terminateReasonsSchema } from './requests/reasons.ts';
import { orderRequestsSchema } from './requests/schema.ts';
import { jsonContentType, noServerErrors, responseStatusDeclared } from './robustness/watchers.ts';
import { actionInvalidBody } from './writes/invalid-body.ts';
import { actionPrecondition } from './writes/precondition.ts';
import { productOrderStatus } from './writes/product-order.ts';
import { terminateActive } from './writes/terminate.ts';

// biome-ignore lint/suspicious/noExplicitAny: a registry of checks of every input type
const MODULES: readonly Check<any>[] = [
  authInvalidCredentials,
  authMissingCredentials,
  tenantIsolation,
  documentDownload,
  documentsSchema,
  documentNotFound,
  documentTraversal,
  exportContent,
  exportDownload,
  exportFresh,
  exportNotFound,
  rateLimit,
  rateLimitRetryAfter,
  rateLimitScope,
  exportStart,
  exportStatus,
  fuzzNoServerErrors,
  fuzzResponseDocumented,
  fuzzInvalidBody,
  fuzzInvalidProductOrder,
  fuzzFilters,
  fuzzPagination,
  fuzzPathParams,
  historySchema,
  historyOrder,
  historySteps,
  historyTimestamps,
  historyVocabulary,
  stateConsistency,
  orderDetailSchema,
  orderListSchema,
  orderNotFound,
  orderListPaging,
  orderStateEnum,
  orderRequestsFilter,
  terminateReasonsSchema,
  orderRequestsSchema,
  jsonContentType,
  noServerErrors,
  responseStatusDeclared,
  actionInvalidBody,
  actionPrecondition,
  productOrderStatus,
  terminateActive,
  // client side: judged on an integrator's client traffic (src/proxy/), never by `conformance run`
  clientRequest,
  clientAuth,
  clientReason,
  clientRate,
  clientPoll,
];

// biome-ignore lint/suspicious/noExplicitAny: as above
export const MODULE_BY_NAME: ReadonlyMap<CheckName | ClientCheckName, Check<any>> = new Map(MODULES.map((c) => [c.name, c]));

/** Every module, in the catalogue's order (the provider's checks, then the client's). */
// biome-ignore lint/suspicious/noExplicitAny: as above
export const CHECK_MODULES: readonly Check<any>[] = [...CHECKS, ...CLIENT_CHECKS].flatMap((c) => MODULE_BY_NAME.get(c.name) ?? []);

/**
 * The check modules: each registered check whose judgement lives in its own
 * module under src/checks/<area>/. `conformance list-checks` names each
 * check's file from here; a check not yet listed is judged where its driver
 * runs (the file `list-checks` names for it).
 */
import type { CheckName } from './catalog.ts';
import type { Check } from './define.ts';
import { fuzzNoServerErrors, fuzzResponseDocumented } from './fuzz/answer.ts';
import { fuzzInvalidBody, fuzzInvalidProductOrder } from './fuzz/bodies.ts';
import { fuzzFilters, fuzzPagination } from './fuzz/lists.ts';
import { fuzzPathParams } from './fuzz/path-params.ts';
import { historyOrder, historySteps, historyTimestamps, historyVocabulary } from './lifecycle/history.ts';
// read side
import { documentDownload } from './documents/download.ts';
import { documentsSchema } from './documents/list.ts';
import { documentNotFound } from './documents/not-found.ts';
import { documentTraversal } from './documents/traversal.ts';
import { historySchema } from './lifecycle/history-schema.ts';
import { stateConsistency } from './orders/consistency.ts';
import { orderDetailSchema } from './orders/detail.ts';
import { orderListSchema } from './orders/list.ts';
import { orderNotFound } from './orders/not-found.ts';
import { orderListPaging } from './orders/paging.ts';
import { orderStateEnum } from './orders/state-enum.ts';
import { orderRequestsFilter } from './requests/filter.ts';
import { terminateReasonsSchema } from './requests/reasons.ts';
import { orderRequestsSchema } from './requests/schema.ts';
// end read side

// read side
// biome-ignore lint/suspicious/noExplicitAny: a registry of checks of every input type
const READ_SIDE: readonly Check<any>[] = [
  orderListSchema, orderListPaging, orderStateEnum, orderDetailSchema, orderNotFound, stateConsistency,
  historySchema, documentsSchema, documentDownload, documentNotFound, documentTraversal,
  terminateReasonsSchema, orderRequestsSchema, orderRequestsFilter,
];
// end read side

// biome-ignore lint/suspicious/noExplicitAny: a registry of checks of every input type
export const CHECK_MODULES: readonly Check<any>[] = [
  historyOrder,
  historyVocabulary,
  historyTimestamps,
  historySteps,
  ...READ_SIDE,
  // fuzzing: the judgement of every fuzzed answer
  fuzzNoServerErrors,
  fuzzResponseDocumented,
  fuzzPathParams,
  fuzzInvalidBody,
  fuzzInvalidProductOrder,
  fuzzPagination,
  fuzzFilters,
];

// biome-ignore lint/suspicious/noExplicitAny: as above
export const MODULE_BY_NAME: ReadonlyMap<CheckName, Check<any>> = new Map(CHECK_MODULES.map((c) => [c.name, c]));

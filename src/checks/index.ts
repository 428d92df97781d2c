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
import { jsonContentType, noServerErrors, responseStatusDeclared } from './robustness/watchers.ts';

// biome-ignore lint/suspicious/noExplicitAny: a registry of checks of every input type
export const CHECK_MODULES: readonly Check<any>[] = [
  historyOrder, historyVocabulary, historyTimestamps, historySteps,
  // write, export, access and watchers
  authMissingCredentials, authInvalidCredentials, tenantIsolation,
  noServerErrors, jsonContentType, responseStatusDeclared,
];

// biome-ignore lint/suspicious/noExplicitAny: as above
export const MODULE_BY_NAME: ReadonlyMap<CheckName, Check<any>> = new Map(CHECK_MODULES.map((c) => [c.name, c]));

/**
 * The check modules: each registered check whose judgement lives in its own
 * module under src/checks/<area>/. `conformance list-checks` names each
 * check's file from here; a check not yet listed is judged where its driver
 * runs (the file `list-checks` names for it).
 */
import type { CheckName } from './catalog.ts';
import type { Check } from './define.ts';
import { clientAuth } from './client/auth.ts';
import { clientPoll } from './client/poll.ts';
import { clientRate } from './client/rate.ts';
import { clientReason } from './client/reason.ts';
import { clientRequest } from './client/request.ts';
import { historyOrder, historySteps, historyTimestamps, historyVocabulary } from './lifecycle/history.ts';

// biome-ignore lint/suspicious/noExplicitAny: a registry of checks of every input type
export const CHECK_MODULES: readonly Check<any>[] = [
  historyOrder,
  historyVocabulary,
  historyTimestamps,
  historySteps,
  // client side: judged on an integrator's client traffic (src/proxy/), never by `conformance run`
  clientRequest,
  clientAuth,
  clientReason,
  clientRate,
  clientPoll,
];

// biome-ignore lint/suspicious/noExplicitAny: as above
export const MODULE_BY_NAME: ReadonlyMap<CheckName, Check<any>> = new Map(CHECK_MODULES.map((c) => [c.name, c]));

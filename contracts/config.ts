/**
 * Names and places shared by both phases of the contract tests: the consumer
 * tests write the pact file here, provider verification and the pact-vs-spec
 * check read it (STYLE.md, "Contracts": two phases joined by a file on disk).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSUMER = 'order-tracking-integrator';
export const PROVIDER = 'order-tracking-api';

export const CONTRACTS_DIR = dirname(fileURLToPath(import.meta.url));
/** The pinned contracts, committed. */
export const PACT_DIR = join(CONTRACTS_DIR, 'pacts');
export const PACT_FILE = join(PACT_DIR, `${CONSUMER}-${PROVIDER}.json`);
export const REPO_ROOT = resolve(CONTRACTS_DIR, '..');

/**
 * The provider-state sentences, verbatim: the reference server's hook
 * implements exactly these, with the named values passed as params.
 */
export const STATES = {
  activeOrder: 'an active order {order_reference} exists',
  orderInState: 'an order {order_reference} in state {state} exists',
  noOrder: 'no order {order_reference} exists',
  notExportedRecently: 'user {user} has not exported recently',
  justExported: 'user {user} has just exported',
  finishedExport: 'a finished export {task_id} exists for user {user}',
  terminationRequested: 'order {order_reference} has a termination request',
} as const;
export type StateSentence = (typeof STATES)[keyof typeof STATES];

/** Pact's telemetry stays off everywhere this kit runs Pact. */
export function pactTelemetryOff(): void {
  process.env.PACT_DO_NOT_TRACK = 'true';
}

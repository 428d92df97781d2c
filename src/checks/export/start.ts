/**
 * EXP-START: the export start answers a 2xx (the documentation shows no
 * success status, so any 2xx passes; the strict profile expects the
 * contract's `x-strict-status`, 202 Accepted) with a body of the documented
 * shape (a uuid task_id).
 */
import type { Exchange } from '../../harness/http.ts';
import type { Profile } from '../../report/types.ts';
import { both, schemaJudgement, statusJudgement } from '../response.ts';
import { defineCheck } from '../define.ts';

/** the statuses of an accepted export start: the documentation shows none, so any 2xx that can carry a task */
export const ACCEPTED: readonly number[] = [200, 201, 202];

export interface ExportStartInput {
  /** the user's export start */
  start: Exchange;
  profile: Profile;
}

export const exportStart = defineCheck<ExportStartInput>(import.meta.url, 'export_start', ({ start, profile }, env) => {
  const status = statusJudgement(start, ACCEPTED, 'export start');
  if (status.findings.length > 0) return status;
  const strictStatus = Number(env.spec.operations.get('startOrderExport')?.raw['x-strict-status'] ?? 202);
  const strict = start.status !== strictStatus && profile === 'strict' ? [{ message: `export start: expected ${strictStatus} Accepted (strict profile) / received ${start.status}`, exchange: start, expected: String(strictStatus), received: String(start.status) }] : [];
  return both(status, schemaJudgement(env, start, 'startOrderExport'), { passed: 0, findings: strict });
});

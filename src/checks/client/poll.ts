/**
 * CLI-POLL: the export status of a task is polled at a measured pace and
 * left alone once it answered `success: true` or `false` (the documentation's
 * "2. Checking statuses" shows the poll; its pace is ours, hence inferred).
 * The floor: polls of one task by one credential at least a second apart
 * (POLL_FLOOR_MS, with TIMER_SLACK_MS for timers that fire a little early),
 * counted between the requests' departures.
 */
import { defineCheck, type Finding } from '../define.ts';
import { credentialOf, millis, routeOf, type ClientTraffic } from './traffic.ts';

/** The least time between two status polls of one task. */
export const POLL_FLOOR_MS = 1000;
const TIMER_SLACK_MS = 50;

export const clientPoll = defineCheck<ClientTraffic>(import.meta.url, 'client_poll', ({ traffic }, env) => {
  const sorted = [...traffic].sort((a, b) => millis(a.at) - millis(b.at));
  const last = new Map<string, { t: number; final?: boolean }>();
  const findings: Finding[] = [];
  let examined = 0;
  for (const { at, exchange: ex } of sorted) {
    const route = routeOf(env.spec, ex);
    if (route?.operation?.operationId !== 'getOrderExportStatus' || !('params' in route)) continue;
    examined++;
    const task = route.params.task_id ?? '';
    const key = `${credentialOf(ex)}\n${task}`;
    const t = millis(at);
    const prev = last.get(key);
    const shown = env.show(task, 60);
    if (prev?.final !== undefined) {
      findings.push({ message: `status of task ${shown}: expected no poll after it answered success: ${prev.final} / received another one ${((t - prev.t) / 1000).toFixed(1)} s later`, exchange: ex, expected: 'no further poll', received: 'a poll' });
    } else if (prev && t - prev.t < POLL_FLOOR_MS - TIMER_SLACK_MS) {
      findings.push({ message: `status of task ${shown}: expected at least ${POLL_FLOOR_MS} ms between polls / received ${t - prev.t} ms`, exchange: ex, expected: `≥ ${POLL_FLOOR_MS} ms`, received: `${t - prev.t} ms` });
    }
    const success = ex.status === 200 ? (ex.json() as { success?: unknown } | undefined)?.success : undefined;
    last.set(key, { t, final: typeof success === 'boolean' ? success : prev?.final });
  }
  if (examined === 0) return { passed: 0, findings, skip: 'the client polled no export status' };
  return { passed: examined - findings.length, findings };
});

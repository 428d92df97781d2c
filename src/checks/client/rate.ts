/**
 * CLI-RATE: "This operation is limited to one request every 5 minutes per
 * user." A client starts no second export within 5 minutes of one the
 * provider accepted, for the same credential; and after a 429 it sends that
 * operation again only once the Retry-After has passed, counted from the
 * moment the 429 arrived. Credentials are told apart by their recorded
 * (redacted) Authorization header: one name per credential.
 */
import { defineCheck, type Finding } from '../define.ts';
import { after, credentialOf, millis, operationOf, retryAfterOf, type ClientTraffic } from './traffic.ts';

/** The documented window between two export starts of one user. */
export const EXPORT_WINDOW_MS = 5 * 60_000;
/** Clock slack between the proxy's times and the client's (the client sees an answer a little after the proxy does). */
const SLACK_MS = 100;

interface Wait {
  until: number;
  from: number;
  why: string;
}

export const clientRate = defineCheck<ClientTraffic>(import.meta.url, 'client_rate', ({ traffic }, env) => {
  const sorted = [...traffic].sort((a, b) => millis(a.at) - millis(b.at));
  const waits = new Map<string, Wait>();
  const findings: Finding[] = [];
  let examined = 0;
  for (const { at, exchange: ex } of sorted) {
    const op = operationOf(env.spec, ex);
    if (!op) continue;
    const t = millis(at);
    const key = `${credentialOf(ex)}\n${op}`;
    const wait = waits.get(key);
    if (op === 'startOrderExport' || wait) examined++;
    if (wait && t < wait.until - SLACK_MS) {
      findings.push({
        message: `${op === 'startOrderExport' ? 'export start' : op} ${after(t, wait.from)} after ${wait.why}: expected none before ${new Date(wait.until).toISOString()} / received one at ${new Date(t).toISOString()}`,
        exchange: ex,
        expected: `not before ${new Date(wait.until).toISOString()}`,
        received: new Date(t).toISOString(),
      });
    }
    const status = ex.status ?? 0;
    if (op === 'startOrderExport' && status >= 200 && status < 300) {
      waits.set(key, { until: t + EXPORT_WINDOW_MS, from: t, why: `an export start accepted at ${new Date(t).toISOString()} (one every 5 minutes per user)` });
    } else if (status === 429) {
      const answered = t + ex.durationMs;
      const seconds = retryAfterOf(ex, answered);
      if (seconds !== undefined) {
        const until = answered + seconds * 1000;
        if (until > (wait?.until ?? 0)) waits.set(key, { until, from: answered, why: `a 429 with Retry-After: ${seconds} at ${new Date(answered).toISOString()}` });
      }
    }
  }
  if (examined === 0) return { passed: 0, findings, skip: 'the client started no export and met no 429' };
  return { passed: examined - findings.length, findings };
});

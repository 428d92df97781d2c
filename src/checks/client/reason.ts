/**
 * CLI-REASON: a termination carries one of the reasons the provider lists at
 * GET /api/v1/terminate_reason/ ("The termination reason must be sent during
 * termination process"). The list is the provider's answer seen in the
 * traffic, or the one the proxy fetched with the client's credentials; the
 * reasons are compared as the provider spelt them (accents, case).
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type Finding } from '../define.ts';
import { operationOf, routeOf, type ClientTraffic } from './traffic.ts';

/** The reasons a terminate_reason answer lists (undefined when it is not a 200 with a `terminate_reasons` array). */
export function reasonsOf(ex: Exchange): string[] | undefined {
  if (ex.status !== 200) return undefined;
  const list = (ex.json() as { terminate_reasons?: unknown } | undefined)?.terminate_reasons;
  return Array.isArray(list) ? list.filter((r): r is string => typeof r === 'string') : undefined;
}

export const clientReason = defineCheck<ClientTraffic>(import.meta.url, 'client_reason', ({ traffic, reasons }, env) => {
  let listed: string[] | undefined = reasons;
  for (const { exchange } of traffic) {
    if (operationOf(env.spec, exchange) === 'listTerminateReasons') listed = reasonsOf(exchange) ?? listed;
  }
  const terminations = traffic.filter(({ exchange }) => {
    const route = routeOf(env.spec, exchange);
    return route?.operation?.operationId === 'requestOrderAction' && 'params' in route && route.params.action === 'terminate';
  });
  if (terminations.length === 0) return { passed: 0, findings: [], skip: 'the client sent no termination' };
  if (!listed) return { passed: 0, findings: [], skip: 'no list of termination reasons was seen or could be fetched' };
  const findings: Finding[] = [];
  let passed = 0;
  for (const { exchange: ex } of terminations) {
    let reason: unknown;
    try {
      reason = (JSON.parse(ex.requestBody ?? '') as { reason?: unknown } | null)?.reason;
    } catch {
      reason = undefined;
    }
    if (typeof reason === 'string' && listed.includes(reason)) {
      passed++;
      continue;
    }
    findings.push({
      message: `termination reason of ${ex.url.replace(/^[a-z]+:\/\/[^/]+/i, '')}: expected one of ${env.show(listed, 300)} / received ${reason === undefined ? 'none' : env.show(reason, 120)}`,
      exchange: ex,
      pointer: '/reason',
      value: reason,
      expected: listed.join(' | '),
    });
  }
  return { passed, findings };
});

/**
 * The checks that judge every exchange of the run, whichever driver made it
 * (HTTP-NO-5XX, HTTP-JSON, HTTP-STATUS-DECLARED): each a function of one
 * exchange. The run hands them every exchange the harness completes
 * (src/engine/run.ts, `watchExchanges`).
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type Finding } from '../define.ts';

export interface WatchedInput {
  exchange: Exchange;
  /** the run's cap on a response body (--max-body-bytes), for the message about a cut answer */
  maxBodyBytes: number;
}

/** an exchange that ended without an answer this way is the target's doing (a refused connection is judged before the run) */
const BROKEN = ['timeout', 'reset', 'protocol'];

export const noServerErrors = defineCheck<WatchedInput>(import.meta.url, 'no_server_errors', ({ exchange: ex, maxBodyBytes }) => {
  if (ex.status === undefined) {
    if (ex.error && BROKEN.includes(ex.error.code)) return { passed: 0, findings: [{ message: `${ex.method} ${ex.url}: expected an HTTP answer / received ${ex.error.message}`, exchange: ex, severity: 'error' }] };
    return { passed: 0, findings: [] };
  }
  const findings: Finding[] = [];
  if (ex.status >= 500) findings.push({ message: `${ex.method} ${ex.url}: expected no 5xx / received ${ex.status}`, exchange: ex });
  if (ex.truncated) findings.push({ message: `${ex.method} ${ex.url}: expected a bounded answer / received more than ${maxBodyBytes} bytes`, exchange: ex, severity: 'error' });
  return { passed: ex.status >= 500 ? 0 : 1, findings };
});

export const responseStatusDeclared = defineCheck<WatchedInput>(import.meta.url, 'response_status_declared', ({ exchange: ex }, env) => {
  if (ex.status === undefined || !ex.operationId) return { passed: 0, findings: [] };
  if (env.validators.responseKey(ex.operationId, ex.status) !== undefined) return { passed: 1, findings: [] };
  // 401 and 5xx are judged by their own checks
  if (ex.status === 401 || ex.status >= 500) return { passed: 0, findings: [] };
  return { passed: 0, findings: [{ message: `${ex.method} ${ex.url}: expected a status declared for ${ex.operationId} / received ${ex.status}`, exchange: ex }] };
});

export const jsonContentType = defineCheck<WatchedInput>(import.meta.url, 'json_content_type', ({ exchange: ex }, env) => {
  if (ex.status === undefined || !ex.operationId) return { passed: 0, findings: [] };
  const key = env.validators.responseKey(ex.operationId, ex.status);
  const content = key ? env.spec.operations.get(ex.operationId)?.responses[key]?.content : undefined;
  // only answers the contract declares as JSON, read whole
  if (!content || !Object.hasOwn(content, 'application/json') || ex.status === 204 || ex.truncated) return { passed: 0, findings: [] };
  if (ex.contentType() === 'application/json' && ex.isJson()) return { passed: 1, findings: [] };
  return { passed: 0, findings: [{ message: `${ex.method} ${ex.url} (${ex.status}): expected application/json that parses / received ${ex.contentType() || 'no content type'}${ex.isJson() ? '' : ' that does not parse'}`, exchange: ex }] };
});

export const WATCHER_MODULES = [noServerErrors, jsonContentType, responseStatusDeclared] as const;

/**
 * CLI-AUTH: every call carries the client's credentials. The documentation
 * answers a call without them with 401; a client that relies on a session,
 * a cookie or a first authenticated call is not one the provider documents.
 * Judged on the presence of an Authorization header with a scheme and a
 * value (the value itself is redacted before any record is made).
 */
import { defineCheck, type Finding } from '../define.ts';
import { requestHeader, type ClientTraffic } from './traffic.ts';

export const clientAuth = defineCheck<ClientTraffic>(import.meta.url, 'client_auth', ({ traffic }) => {
  const findings: Finding[] = [];
  let passed = 0;
  for (const { exchange: ex } of traffic) {
    const auth = requestHeader(ex, 'authorization');
    if (auth !== undefined && /^\S+\s+\S/.test(auth.trim())) {
      passed++;
      continue;
    }
    const received = auth === undefined ? 'no Authorization header' : 'an Authorization header without a scheme and a value';
    findings.push({ message: `credentials of ${ex.method} ${ex.url.replace(/^[a-z]+:\/\/[^/]+/i, '')}: expected Authorization: Bearer <token> / received ${received}`, exchange: ex, expected: 'Authorization: Bearer <token>', received });
  }
  return traffic.length === 0 ? { passed: 0, findings, skip: 'no request of the client was seen' } : { passed, findings };
});

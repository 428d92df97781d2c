/**
 * `reports/certificate.json`: what an integrator hands over to say "our client
 * was certified against this server, with this contract and this suite". It
 * names the verdict, target, profile, spec and suite hashes, seed, date and
 * counts, and pins the full report by the sha256 of the exact text of
 * `conformance.json`; anyone holding both files can check they match.
 */
import { createHash } from 'node:crypto';
import { ConformanceError } from '../errors.ts';
import { parseReport } from './read.ts';
import type { Profile, Report, Verdict } from './types.ts';

export const CERTIFICATE_KIND = 'order-tracking-api-conformance-certificate';

export interface Certificate {
  kind: typeof CERTIFICATE_KIND;
  /** format version of this file */
  version: 1;
  verdict: Verdict;
  /** the verdict with its scope: PASS, PASS (partial), FAIL, INCOMPLETE */
  verdictLabel: string;
  /** every error-severity check ran */
  complete: boolean;
  /** the checks that ran, and those that did not with why (a certificate says what it covers) */
  checks: { ran: string[]; notRun: { check: string; reason: string }[] };
  /** why the run could not judge the provider, when INCOMPLETE */
  incomplete?: { code: string; message: string };
  target: { baseUrl: string; embedded: boolean };
  profile: Profile;
  spec: { sha256: string };
  suite: { name: string; version: string; sha256: string };
  seed: number;
  /** when the run started and finished (ISO 8601) */
  date: string;
  finishedAt: string;
  counts: Report['summary'];
  /** hex sha256 of the exact bytes (UTF-8) of conformance.json */
  reportSha256: string;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** JSON with object keys sorted, so field comparison ignores key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/** Builds the certificate of `report`, whose exact serialized text is `reportJson`. */
export function makeCertificate(report: Report, reportJson: string): Certificate {
  return {
    kind: CERTIFICATE_KIND,
    version: 1,
    verdict: report.verdict,
    verdictLabel: report.verdictLabel,
    complete: report.complete,
    checks: { ran: report.results.filter((r) => r.status !== 'skip').map((r) => r.check), notRun: report.results.filter((r) => r.status === 'skip').map((r) => ({ check: r.check, reason: r.skipReason ?? r.message })) },
    ...(report.incomplete ? { incomplete: report.incomplete } : {}),
    target: { baseUrl: report.target.baseUrl, embedded: report.target.embedded },
    profile: report.profile,
    spec: { sha256: report.spec.sha256 },
    suite: { name: report.tool.name, version: report.tool.version, sha256: report.tool.suiteSha256 },
    seed: report.seed,
    date: report.startedAt,
    finishedAt: report.finishedAt,
    counts: { ...report.summary },
    reportSha256: sha256Hex(reportJson),
  };
}

/**
 * Checks a certificate against the report text it claims to describe: the
 * digest must match the text, and every field the certificate states must
 * agree with that report (a certificate cannot claim PASS for a FAIL report).
 */
export function verifyCertificate(cert: Certificate, reportJson: string): { ok: boolean; reason?: string } {
  if (cert === null || typeof cert !== 'object' || cert.kind !== CERTIFICATE_KIND) {
    return { ok: false, reason: 'not a conformance certificate' };
  }
  const digest = sha256Hex(reportJson);
  if (digest !== cert.reportSha256) {
    return { ok: false, reason: `report digest mismatch: the certificate names ${cert.reportSha256}, the report is ${digest}` };
  }
  let report: Report;
  try {
    report = parseReport(reportJson, 'the certified report');
  } catch (err) {
    return { ok: false, reason: err instanceof ConformanceError ? err.message : String(err) };
  }
  const expected = makeCertificate(report, reportJson);
  for (const key of Object.keys(expected) as (keyof Certificate)[]) {
    if (canonical(cert[key]) !== canonical(expected[key])) {
      return { ok: false, reason: `the certificate's ${key} (${JSON.stringify(cert[key])}) does not match the report (${JSON.stringify(expected[key])})` };
    }
  }
  return { ok: true };
}

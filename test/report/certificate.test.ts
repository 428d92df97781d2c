import { describe, expect, it } from 'vitest';
import { makeCertificate, verifyCertificate } from '../../src/report/certificate.ts';
import { serializeReport } from '../../src/report/write.ts';
import { failingReport, passingReport } from './fixtures.ts';

describe('certificate', () => {
  it('names the run and verifies against its report', () => {
    const report = passingReport();
    const json = serializeReport(report);
    const cert = makeCertificate(report, json);
    expect(cert).toMatchObject({
      verdict: 'PASS',
      target: report.target,
      profile: report.profile,
      spec: { sha256: report.spec.sha256 },
      suite: { name: report.tool.name, version: report.tool.version, sha256: report.tool.suiteSha256 },
      seed: report.seed,
      date: report.startedAt,
      counts: report.summary,
    });
    expect(cert.reportSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyCertificate(cert, json)).toEqual({ ok: true });
    // a certificate read back from disk verifies too (key order does not matter)
    expect(verifyCertificate(JSON.parse(JSON.stringify(cert)), json)).toEqual({ ok: true });
  });

  it('no longer matches when one byte of the report is altered', () => {
    const report = failingReport();
    const json = serializeReport(report);
    const cert = makeCertificate(report, json);
    const at = json.indexOf('"FAIL"') + 1;
    const altered = `${json.slice(0, at)}P${json.slice(at + 1)}`; // "FAIL" → "PAIL"
    expect(altered).toHaveLength(json.length);
    const check = verifyCertificate(cert, altered);
    expect(check.ok).toBe(false);
    expect(check.reason).toMatch(/digest mismatch/);
    expect(makeCertificate(report, altered).reportSha256).not.toBe(cert.reportSha256);
    // even a change in whitespace is a different report
    expect(verifyCertificate(cert, `${json} `).ok).toBe(false);
  });

  it('a certificate that claims more than its report is refused', () => {
    const report = failingReport();
    const json = serializeReport(report);
    const forged = { ...makeCertificate(report, json), verdict: 'PASS' as const };
    const check = verifyCertificate(forged, json);
    expect(check.ok).toBe(false);
    expect(check.reason).toMatch(/verdict/);
  });
});

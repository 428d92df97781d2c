/**
 * The verdict states its scope everywhere it appears (ANALYSIS.md, "Could not
 * certify"): PASS only when every error-severity check ran, `PASS (partial)`
 * with the checks not run and why otherwise — in conformance.json, the HTML
 * page, summary.md, the JUnit properties and the certificate; the console line
 * is tested through the command line. `--require-complete` makes a partial
 * verdict exit 1, and `conformance diff` counts pass→skip as a regression.
 */
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../src/engine/run.ts';
import { makeCertificate } from '../../src/report/certificate.ts';
import { diffReports, hasRegression } from '../../src/report/diff.ts';
import { renderHtml } from '../../src/report/html.ts';
import { renderJunit } from '../../src/report/junit.ts';
import { renderSummaryMarkdown } from '../../src/report/markdown.ts';
import type { Report } from '../../src/report/types.ts';
import { verdictOf } from '../../src/report/verdict.ts';
import { serializeReport } from '../../src/report/write.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { passingReport } from './fixtures.ts';

const spec = loadSpec();

/** The passing fixture with every skipped check turned into a pass: a complete PASS. */
function completeReport(): Report {
  const r = passingReport();
  for (const x of r.results) if (x.status === 'skip') Object.assign(x, { status: 'pass', examined: 1, message: '1 examined', skipReason: undefined });
  r.summary.skip = 0;
  return { ...r, ...verdictOf(r.results, 0, undefined, undefined) };
}

describe('a partial PASS says so in every format', () => {
  const partial = passingReport();
  const notRun = partial.notRun.map((n) => n.check);

  it('the fixture is partial: an error-severity check was skipped', () => {
    expect(partial.verdict).toBe('PASS');
    expect(partial.complete).toBe(false);
    expect(partial.verdictLabel).toBe('PASS (partial)');
    expect(notRun.length).toBeGreaterThan(0);
    for (const n of partial.notRun) expect(n.reason.length).toBeGreaterThan(5);
  });

  it('conformance.json', () => {
    const json = JSON.parse(serializeReport(partial)) as Report;
    expect(json.verdictLabel).toBe('PASS (partial)');
    expect(json.complete).toBe(false);
    expect(json.notRun.map((n) => n.check)).toEqual(notRun);
  });

  it('index.html: the banner reads PASS (partial) and lists the checks not run', () => {
    const html = renderHtml(partial, spec);
    expect(html).toMatch(/class="banner PARTIAL"/);
    expect(html).toMatch(/aria-label="Verdict PASS \(partial\)">PASS \(partial\)/);
    for (const c of notRun) expect(html).toContain(`<code>${c}</code>`);
    expect(renderHtml(completeReport(), spec)).toMatch(/class="banner PASS".*certified · every check ran/s);
  });

  it('summary.md', () => {
    const md = renderSummaryMarkdown(partial);
    expect(md.split('\n')[0]).toMatch(/Conformance PASS \(partial\)/);
    for (const c of notRun) expect(md).toContain(`not run: \`${c}\``);
    expect(renderSummaryMarkdown(completeReport()).split('\n')[0]).toMatch(/✅ Conformance PASS:/);
  });

  it('junit.xml properties', () => {
    const xml = renderJunit(partial);
    expect(xml).toContain('<property name="verdict.label" value="PASS (partial)"/>');
    expect(xml).toContain('<property name="verdict.complete" value="false"/>');
    expect(xml).toContain(`<property name="verdict.notRun" value="${notRun.join(',')}"/>`);
  });

  it('certificate.json names what ran and what did not', () => {
    const cert = makeCertificate(partial, serializeReport(partial));
    expect(cert.verdict).toBe('PASS');
    expect(cert.verdictLabel).toBe('PASS (partial)');
    expect(cert.complete).toBe(false);
    expect(cert.checks.notRun.map((n) => n.check)).toEqual(expect.arrayContaining(notRun));
    expect(cert.checks.ran.length + cert.checks.notRun.length).toBe(partial.results.length);
  });
});

describe('--require-complete', () => {
  it('a partial PASS exits 1 with it and 0 without; a complete PASS exits 0 either way; INCOMPLETE is 2', () => {
    expect(exitCodeOf(passingReport(), { requireComplete: true })).toBe(1);
    expect(exitCodeOf(passingReport(), { requireComplete: false })).toBe(0);
    expect(exitCodeOf(completeReport(), { requireComplete: true })).toBe(0);
    const incomplete = { ...passingReport(), verdict: 'INCOMPLETE' as const };
    expect(exitCodeOf(incomplete, { requireComplete: false })).toBe(2);
  });
});

describe('conformance diff', () => {
  it('a check that passed and is now skipped is a regression', () => {
    const before = completeReport();
    const after = passingReport();
    const diff = diffReports(before, after);
    expect(diff.regressions.map((e) => e.check).sort()).toEqual(
      after.results
        .filter((r) => r.status === 'skip')
        .map((r) => r.check)
        .sort(),
    );
    expect(hasRegression(diff)).toBe(true);
  });
  it('a verdict that turns INCOMPLETE is a regression; the same partial run twice is not', () => {
    expect(hasRegression(diffReports(completeReport(), { ...completeReport(), verdict: 'INCOMPLETE' }))).toBe(true);
    expect(hasRegression(diffReports(passingReport(), passingReport()))).toBe(false);
  });
});

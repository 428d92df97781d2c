import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/report/junit.ts';
import { failingReport, HOSTILE_SCRIPT, passingReport } from './fixtures.ts';
import { junitProblems } from './junit-schema.ts';
import { all, parseXml, textOf } from './xml.ts';

describe('renderJunit', () => {
  it('the XML reader used here rejects what is not well-formed', () => {
    const bad = ['<a><b></a></b>', '<a x=1/>', '<a>1 < 2</a>', '<a>AT&T</a>', '<a/><b/>', '<a x="1" x="2"/>', '<a>\u0001</a>', '<a>'];
    for (const x of bad) expect(() => parseXml(x), x).toThrow();
    expect(parseXml('<?xml version="1.0"?><a k="&lt;&amp;&quot;">t&#x41;</a>').attrs.k).toBe('<&"');
  });

  it('the failing run is well-formed JUnit with the right counts', () => {
    const report = failingReport();
    const root = parseXml(renderJunit(report));
    expect(root.name).toBe('testsuites');
    const s = report.summary;
    // every result is a testcase, plus one for the run's problems
    expect(root.attrs).toMatchObject({ tests: String(s.total + 1), failures: String(s.fail), skipped: String(s.skip), errors: '1' });
    const cases = all(root, 'testcase');
    expect(cases).toHaveLength(s.total + 1);
    expect(all(root, 'failure')).toHaveLength(s.fail);
    expect(all(root, 'skipped')).toHaveLength(s.skip);
    expect(all(root, 'error')).toHaveLength(1);
    // warnings pass, with their message in system-out
    const warnOut = all(root, 'system-out').map(textOf);
    expect(warnOut).toHaveLength(s.warn);
    expect(warnOut.every((t) => t.startsWith('WARNING '))).toBe(true);
  });

  it('has one testsuite per area whose counts add up', () => {
    const report = failingReport();
    const root = parseXml(renderJunit(report));
    const suites = all(root, 'testsuite').filter((x) => x.attrs.name !== 'run');
    const areas = [...new Set(report.results.map((r) => r.area))];
    expect(suites.map((x) => x.attrs.name).sort()).toEqual(areas.sort());
    for (const suite of suites) {
      const results = report.results.filter((r) => r.area === suite.attrs.name);
      expect(suite.attrs.tests).toBe(String(results.length));
      expect(suite.attrs.failures).toBe(String(results.filter((r) => r.status === 'fail').length));
      expect(suite.attrs.skipped).toBe(String(results.filter((r) => r.status === 'skip').length));
      expect(all(suite, 'testcase').map((c) => c.attrs.name)).toEqual(results.map((r) => `${r.id} ${r.check}`));
    }
  });

  it('a failure carries the message, the evidence and the curl; hostile text is escaped and reads back intact', () => {
    const report = failingReport();
    const xml = renderJunit(report);
    expect(xml).not.toContain('<script>');
    const root = parseXml(xml);
    const detail = all(root, 'testcase').find((c) => c.attrs.name === 'ORD-DETAIL-TYPES order_detail_schema');
    const failure = detail && all(detail, 'failure')[0];
    expect(failure?.attrs.message).toContain('/product/commitment');
    const body = failure ? textOf(failure) : '';
    expect(body).toContain('pointer: /product/commitment');
    expect(body).toContain('curl -sS -X GET');
    expect(body).toContain('$CONFORMANCE_TOKEN');
    expect(body).toContain(HOSTILE_SCRIPT);
    const skip = all(root, 'testcase').find((c) => c.attrs.name === 'EXP-START export_start');
    expect(skip && all(skip, 'skipped')[0]?.attrs.message).toMatch(/--allow-export/);
  });

  it('the schema check finds what the common JUnit XSD refuses', () => {
    const bad = [
      '<testsuites><testsuite name="a"/></testsuites>',
      '<testsuites><testsuite name="a" tests="1"><testcase name="x" time="0,5"/></testsuite></testsuites>',
      '<testsuites><testsuite name="a" tests="1" timestamp="2025-06-02T14:03:11.000Z"/></testsuites>',
      '<testsuites><testsuite name="a" tests="1"><testcase name="x"/><properties><property name="p" value="v"/></properties></testsuite></testsuites>',
      '<testsuites><testsuite name="a" tests="1"><testcase name="x"><skipped/><failure type="e"/></testcase></testsuite></testsuites>',
      '<testsuites><testsuite name="a" tests="1"><testcase name="x"><failure/></testcase></testsuite></testsuites>',
    ];
    for (const x of bad) expect(junitProblems(parseXml(x)), x).not.toEqual([]);
    expect(junitProblems(parseXml('<testsuites><testsuite name="a" tests="1" time="0.040"><testcase name="x" time="0.040"><failure type="error" message="m">t</failure></testcase></testsuite></testsuites>'))).toEqual([]);
  });

  it("the failing and passing runs are valid against the common JUnit XSD, with each test case's own time", () => {
    for (const report of [failingReport(), passingReport()]) {
      report.results.forEach((r, i) => {
        r.durationMs = 1234 + i;
      });
      const root = parseXml(renderJunit(report));
      expect(junitProblems(root)).toEqual([]);
      const times = all(root, 'testcase')
        .filter((c) => c.attrs.name !== 'run problems')
        .map((c) => c.attrs.time);
      expect(times).toEqual(report.results.map((_, i) => ((1234 + i) / 1000).toFixed(3)));
    }
  });

  it('the passing run has no failure and no run-problem suite', () => {
    const report = passingReport();
    const root = parseXml(renderJunit(report));
    expect(root.attrs).toMatchObject({ tests: String(report.summary.total), failures: '0', errors: '0' });
    expect(all(root, 'testsuite').some((x) => x.attrs.name === 'run')).toBe(false);
  });

  it('characters XML forbids in server data become U+FFFD instead of breaking the file', () => {
    const report = failingReport();
    const first = report.results.find((r) => r.status === 'fail');
    if (first) first.message = 'bad \u0000 byte \u001b[31m and a lone \ud800 surrogate';
    expect(() => parseXml(renderJunit(report))).not.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { renderSummaryMarkdown } from '../../src/report/markdown.ts';
import { failingReport, passingReport } from './fixtures.ts';

describe('renderSummaryMarkdown', () => {
  it('the failing run has a verdict line, the counts, a failure table and a curl per failure', () => {
    const report = failingReport();
    const md = renderSummaryMarkdown(report);
    expect(md.split('\n')[0]).toBe('## ❌ Conformance FAIL: https://staging.fibre.example');
    expect(md).toContain(`| ${report.summary.total} | ${report.summary.fail} | ${report.summary.warn} | ${report.summary.skip} | ${report.summary.pass} |`);
    expect(md).toContain('| ID | check | message |');
    for (const r of report.results.filter((x) => x.status === 'fail')) {
      expect(md).toMatch(new RegExp(`^\\| \`${r.id}\` \\| \`${r.check}\` \\| `, 'm'));
      expect(md).toContain(`<summary>${r.id} ${r.check}: `);
    }
    expect(md.match(/<details>/g)).toHaveLength(report.summary.fail);
    expect(md).toContain("```sh\ncurl -sS -X GET 'https://staging.fibre.example/api/v1/order/CMD_OTHER_00000017/'");
    expect(md).toContain('### 🚧 Run problems');
  });

  it('lists warnings and skips with their reasons', () => {
    const report = failingReport();
    const md = renderSummaryMarkdown(report);
    expect(md).toContain(`### ⚠️ Warnings (${report.summary.warn})`);
    expect(md).toMatch(/^- `ORD-LIST-PAGING` `order_list_paging`: expected pages without duplicates/m);
    expect(md).toContain(`### ⏭️ Skipped (${report.summary.skip})`);
    expect(md).toMatch(/^- `EXP-START` `export_start`: .*--allow-export/m);
  });

  it('hostile text cannot open a tag, a link or an image in a comment', () => {
    const report = failingReport();
    const first = report.results.find((r) => r.status === 'fail');
    if (first) first.message = 'see ![x](https://evil.example/p.png) <img src=x onerror=alert(1)> | col';
    const md = renderSummaryMarkdown(report);
    expect(md).not.toContain('<img');
    expect(md).not.toContain('![x](');
    expect(md).toContain('&lt;img');
    expect(md).toContain('\\| col');
  });

  it('the passing run says PASS and has no failure table', () => {
    const md = renderSummaryMarkdown(passingReport());
    // the fixture skips documented checks (writes, export): its PASS says it is partial
    expect(md.split('\n')[0]).toBe('## ☑️ Conformance PASS (partial): http://127.0.0.1:8080 (bundled reference server)');
    expect(md).toMatch(/Partial: \d+ error-severity checks? not run/);
    expect(md).not.toContain('| ID | check | message |');
    expect(md).not.toContain('Run problems');
  });
});

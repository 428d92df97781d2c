/**
 * summary.md gives each reproduction command once; summary.txt is the same
 * summary for logs that do not render Markdown: plain lines, no Markdown or
 * HTML, nothing a terminal or a CI runner would interpret (issue 18).
 */
import { describe, expect, it } from 'vitest';
import { renderSummaryMarkdown } from '../../src/report/markdown.ts';
import { renderSummaryText } from '../../src/report/text.ts';
import { failingReport, sixFailuresReport } from './fixtures.ts';

const curlsIn = (text: string) => [...text.matchAll(/^ *(curl -sS[^\n]*)/gm)].map((m) => m[1]);

describe('summary.md', () => {
  it('gives each curl once, naming every check it reproduces, and the cause the checks share', () => {
    const md = renderSummaryMarkdown(sixFailuresReport());
    const curls = curlsIn(md);
    expect(curls.length).toBeGreaterThan(0);
    expect(new Set(curls).size).toBe(curls.length);
    // six checks, one first finding: one command
    expect(curls).toHaveLength(1);
    const summary = /<summary>(.*)<\/summary>/.exec(md)?.[1] ?? '';
    for (const c of ['order_detail_schema', 'order_state_enum', 'state_consistency', 'history_order', 'terminate_active', 'export_content']) expect(summary).toContain(c);
    expect(md).toContain('**One cause, several checks** (5):');
  });
});

describe('summary.txt', () => {
  it('is plain text: the verdict, the failures with exchange, pointer and value, each curl once', () => {
    const text = renderSummaryText(sixFailuresReport());
    expect(text.split('\n')[0]).toBe('Conformance FAIL: https://staging.fibre.example');
    expect(text).toContain('  FAIL ORD-DETAIL-TYPES order_detail_schema: /state: expected one of the 8 order states / received "actve" (and 4 more)');
    expect(text).toContain('       GET https://staging.fibre.example/api/v1/order/CMD_X_00000051/ → 200 at /state = "actve"');
    const curls = curlsIn(text);
    expect(curls).toHaveLength(1);
    expect(text).not.toMatch(/<details>|<summary>|\\_|```|\*\*/);
  });

  it('hostile server text cannot colour a log, run a CI workflow command or break a line', () => {
    const report = failingReport();
    const r = report.results.find((x) => x.status === 'fail');
    if (!r) throw new Error('no failure');
    r.message = 'bad \u001b[31mred\u001b[0m \u009b31m ::error file=x::pwned\n##vso[task.setvariable]x \r\nnext';
    const text = renderSummaryText(report);
    const line = text.split('\n').find((l) => l.includes('bad '));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/[\u001b\u009b]/);
    expect(line).not.toContain('::error');
    expect(line).not.toContain('##vso[');
    expect(line).toContain('next');
    expect(text).not.toContain('<script>');
  });

  it('shows the write before the read of a write finding', () => {
    const report = failingReport();
    const r = report.results.find((x) => x.status === 'fail');
    if (!r) throw new Error('no failure');
    r.evidence = [
      {
        method: 'GET',
        url: 'https://s.example/api/v1/order/A/',
        status: 200,
        pointer: '/state',
        value: 'active',
        curl: "curl -sS -i -X GET 'https://s.example/api/v1/order/A/'",
        causedBy: [{ method: 'POST', url: 'https://s.example/api/v1/order/A/terminate/', status: 409, curl: "curl -sS -i -X POST 'https://s.example/api/v1/order/A/terminate/'" }],
      },
    ];
    const text = renderSummaryText(report);
    expect(text).toContain('       after POST https://s.example/api/v1/order/A/terminate/ → 409');
    expect(text.indexOf("curl -sS -i -X POST 'https://s.example/api/v1/order/A/terminate/'")).toBeLessThan(text.indexOf("curl -sS -i -X GET 'https://s.example/api/v1/order/A/'"));
  });
});

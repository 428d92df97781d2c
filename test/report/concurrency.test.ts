/**
 * What a report says of the requests it kept in flight: summary.md always,
 * the console's end line when `--concurrency auto` chose the number.
 */
import { describe, expect, it } from 'vitest';
import { summaryTable } from '../../src/cli.ts';
import { concurrencyLine } from '../../src/report/format.ts';
import { renderSummaryMarkdown } from '../../src/report/markdown.ts';
import { renderHtml } from '../../src/report/html.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { failingReport } from './fixtures.ts';

const auto = { mode: 'auto' as const, settled: 16, max: 64, decreases: 3, increases: 27 };

describe('concurrency in the reports', () => {
  it('a line for each mode', () => {
    expect(concurrencyLine({ mode: 'fixed', settled: 8, max: 8, decreases: 0, increases: 0 })).toBe('concurrency 8');
    expect(concurrencyLine(auto)).toBe('concurrency auto: settled on 16 (max 64; 27 up, 3 down)');
  });

  it('summary.md names it beside the seed; the console end line only when auto chose it', () => {
    const report = { ...failingReport(), concurrency: auto };
    expect(renderSummaryMarkdown(report)).toContain('concurrency auto: settled on 16 (max 64; 27 up, 3 down)');
    expect(summaryTable(report).at(-1)).toMatch(/seed \d+; concurrency auto: settled on 16 \(max 64; 27 up, 3 down\)\)$/);
    const fixed = { ...failingReport(), concurrency: { mode: 'fixed' as const, settled: 8, max: 8, decreases: 0, increases: 0 } };
    expect(renderSummaryMarkdown(fixed)).toContain('concurrency 8');
    expect(summaryTable(fixed).at(-1)).toMatch(/seed \d+\)$/);
    // a report without it (judge, older reports) renders as before
    expect(renderSummaryMarkdown(failingReport())).not.toContain('concurrency');
  });

  it('the HTML banner names it beside the seed, and leaves it out of a report without it', () => {
    const spec = loadSpec();
    expect(renderHtml({ ...failingReport(), concurrency: auto }, spec)).toMatch(/<dt>Concurrency<\/dt><dd[^>]*>auto: settled on 16 \(max 64; 27 up, 3 down\)<\/dd>/);
    expect(renderHtml({ ...failingReport(), concurrency: { mode: 'fixed', settled: 8, max: 8, decreases: 0, increases: 0 } }, spec)).toMatch(/<dt>Concurrency<\/dt><dd[^>]*>8<\/dd>/);
    expect(renderHtml(failingReport(), spec)).not.toContain('Concurrency');
  });
});

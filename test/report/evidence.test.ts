/**
 * Evidence people act on, in the reports (issue 18): one cause shown once
 * with the checks it broke, evidence beyond a check's first folded, the
 * writes that caused a finding before the read that shows it, and the
 * command line that reruns the run.
 */
import { describe, expect, it } from 'vitest';
import { flagName, RUN_OPTIONS } from '../../src/engine/options.ts';
import { flagOf, reproduceCommand } from '../../src/report/command.ts';
import { sharedCauses } from '../../src/report/format.ts';
import { renderHtml } from '../../src/report/html.ts';
import type { Evidence } from '../../src/report/types.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { failingReport, sixFailuresReport } from './fixtures.ts';

const spec = loadSpec();
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('one cause, several checks', () => {
  const report = sixFailuresReport();
  it('sharedCauses groups the same exchange, pointer and value across checks', () => {
    const causes = sharedCauses(report.results);
    expect(causes).toHaveLength(5);
    expect([...(causes[0]?.checks ?? [])].sort()).toEqual(['export_content', 'history_order', 'order_detail_schema', 'order_state_enum', 'state_consistency', 'terminate_active']);
  });
  it('the HTML draws each cause once, with the checks it broke; the other checks point to it', () => {
    const html = renderHtml(report, spec);
    expect(count(html, 'class="cause-note"')).toBe(5);
    expect(count(html, '>One cause, 6 checks: this value also broke ')).toBe(5);
    // six checks × five findings = 30 findings: 5 drawn whole, 25 pointing to them
    expect(count(html, 'class="same-cause"')).toBe(25);
    expect(count(html, 'class="evidence"')).toBe(5);
  });
  it('evidence beyond the first of a check is folded', () => {
    const html = renderHtml(report, spec);
    expect(count(html, '<details class="more-evidence"><summary>4 more findings of this check</summary>')).toBe(6);
  });
});

describe('a write finding', () => {
  it('draws the write that caused it, with its status and curl, before the read that shows it', () => {
    const report = failingReport();
    const post: Evidence = { method: 'POST', url: 'https://staging.fibre.example/api/v1/order/CMD_1/terminate/', status: 409, curl: "curl -sS -i -X POST 'https://staging.fibre.example/api/v1/order/CMD_1/terminate/' --data-raw '{}'", requestBody: '{"reason":"x"}' };
    const get: Evidence = { method: 'GET', url: 'https://staging.fibre.example/api/v1/order_request/?order_reference=CMD_1', status: 200, curl: "curl -sS -i -X GET 'https://staging.fibre.example/api/v1/order_request/?order_reference=CMD_1'", expected: '0', received: '1', causedBy: [post] };
    const r = report.results.find((x) => x.status === 'fail');
    if (!r) throw new Error('fixture has no failure');
    r.evidence = [get];
    const html = renderHtml(report, spec);
    const at = html.indexOf('<div class="caused-by">');
    expect(at).toBeGreaterThan(0);
    const block = html.slice(at, html.indexOf('</div></div>', at));
    expect(block).toContain('POST');
    expect(block).toContain('→ 409');
    expect(block).toContain('--data-raw');
    expect(html.indexOf('order_request/?order_reference=CMD_1', at)).toBeGreaterThan(html.indexOf('→ 409', at));
  });
});

describe('the command line that reruns a run', () => {
  it('names every option by its flag in the options table', () => {
    for (const d of RUN_OPTIONS) expect(flagOf(d.key), d.key).toBe(flagName(d));
  });
  it('gives credentials as variables, leaves off what is off, and quotes for a shell', () => {
    const { command } = reproduceCommand({
      target: { baseUrl: 'https://staging.example', embedded: false },
      options: { baseUrl: 'https://staging.example', token: '(set)', tokenOtherUser: '(none)', tokenOtherTenant: '(set)', allowWrites: true, allowExport: false, seed: 7, checks: ['order_list_schema', 'order_state_enum'], disposableOrders: ['CMD 1', 'CMD_2'], authScheme: '' },
    });
    expect(command).toBe(`npx conformance run --base-url https://staging.example --token "$CONFORMANCE_TOKEN" --token-other-tenant "$CONFORMANCE_TOKEN_OTHER_TENANT" --allow-writes --seed 7 --checks order_list_schema,order_state_enum --disposable-order 'CMD 1' --disposable-order CMD_2 --auth-scheme ''`);
  });
  it('says, without values, what the report cannot give back: extra headers and a token command', () => {
    const { command, notes } = reproduceCommand({
      target: { baseUrl: 'https://staging.example', embedded: false },
      options: { baseUrl: 'https://staging.example', headers: ['X-Api-Key', 'X-Tenant'], secretHeaders: ['X-Api-Key'], tokenCommand: '(set)' },
    });
    expect(command).toBe('npx conformance run --base-url https://staging.example --secret-header X-Api-Key');
    expect(notes.join('\n')).toMatch(/--header 'NAME: VALUE' for each of X-Api-Key, X-Tenant: the values are not kept/);
    expect(notes.join('\n')).toMatch(/--token-command CMD: the run took a credential from a command/);
  });
  it('names the body files the run was given, never their content', () => {
    const { command, notes } = reproduceCommand({
      target: { baseUrl: 'https://staging.example', embedded: false },
      options: { baseUrl: 'https://staging.example', productOrderBody: { product_order_item: [] }, terminateBody: { terminate_reason: 'Déménagement', message: '' } },
    });
    expect(command).toBe('npx conformance run --base-url https://staging.example');
    expect(notes).toEqual(['--product-order-body FILE: the run was given a product order body; pass the same file', '--terminate-body FILE: the run was given a termination body; pass the same file']);
  });
  it("is in the HTML's run details", () => {
    const html = renderHtml(failingReport(), spec);
    expect(html).toMatch(/<th>command line<\/th><td><div class="curl-block">.*npx conformance run --base-url https:\/\/staging\.fibre\.example/);
  });
});

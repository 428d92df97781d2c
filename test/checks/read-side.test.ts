/**
 * The read-side checks are judged in their modules only (issue 13): each is
 * registered with a file under src/checks/, and no driver records a pass or a
 * failure on one by hand (ctx.check(…), ctx.expectStatus(…), ctx.schema(…),
 * ctx.violation(…), ctx.record(…)): drivers send, hand the exchanges to the
 * module with ctx.judge, and judge nothing themselves.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODULE_BY_NAME } from '../../src/checks/index.ts';

const READ_SIDE = [
  'order_list_schema',
  'order_list_paging',
  'order_state_enum',
  'order_detail_schema',
  'order_not_found',
  'state_consistency',
  'history_schema',
  'documents_schema',
  'document_download',
  'document_not_found',
  'document_traversal',
  'terminate_reasons_schema',
  'order_requests_schema',
  'order_requests_filter',
] as const;

const ROOT = join(__dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the read-side checks', () => {
  it.each(READ_SIDE)('%s is a module under src/checks/<area>/', (name) => {
    const check = MODULE_BY_NAME.get(name);
    expect(check?.file, name).toMatch(/^src\/checks\/(orders|lifecycle|documents|requests)\/[a-z-]+\.ts$/);
  });

  it('are recorded by no driver by hand', () => {
    const byHand = new RegExp(`\\.(check|expectStatus|schema|violation|record)\\(\\s*'(${READ_SIDE.join('|')})'`);
    const found = [...files(join(ROOT, 'src/engine')), ...files(join(ROOT, 'src/fuzz'))].flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (byHand.test(line) ? [`${relative(ROOT, f)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});

/**
 * The certificate's suite digest names the exact suite (issue 13): it covers
 * every shipped source file of the kit and the contract, not a hand list.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suiteFiles } from '../../src/engine/run.ts';
import { REPO } from './cli.ts';

function tsUnder(dir: string): string[] {
  return readdirSync(join(REPO, dir)).flatMap((n) => (statSync(join(REPO, dir, n)).isDirectory() ? tsUnder(`${dir}/${n}`) : n.endsWith('.ts') ? [`${dir}/${n}`] : []));
}

describe('suiteSha256', () => {
  it('digests every source file of src/ and mock/ (phases, fuzzing, harness, reports, the reference server)', () => {
    const files = suiteFiles();
    for (const f of [...tsUnder('src'), ...tsUnder('mock')]) expect(files, f).toContain(f);
    expect(files).toEqual(expect.arrayContaining(['src/fuzz/properties.ts', 'src/harness/http.ts', 'src/engine/phases/writes.ts', 'mock/app.ts']));
    expect(suiteFiles()).toEqual(files);
  });
});

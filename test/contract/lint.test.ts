/**
 * openapi.yaml lints clean under Spectral's OpenAPI ruleset (.spectral.yaml),
 * and the same lint fails on a deliberately broken copy, so a clean result
 * means something. Both run on copies in a temp dir (the repo stays untouched).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './support.ts';

interface LintResult {
  code: string;
  message: string;
  path: (string | number)[];
  /** 0 error, 1 warning, 2 information, 3 hint */
  severity: number;
}

const require = createRequire(import.meta.url);
const SPECTRAL = require.resolve('@stoplight/spectral-cli/dist/index.js', { paths: [REPO] });

/**
 * Runs `spectral lint openapi.yaml -f json` in a directory with the project
 * ruleset, the results written to a file (stdout also carries a summary line).
 * Spectral exits 1 when it finds errors; that is an answer, not a failure.
 */
function lint(dir: string): Promise<LintResult[]> {
  const out = join(dir, 'lint.json');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [SPECTRAL, 'lint', 'openapi.yaml', '-f', 'json', '-o', out, '--ruleset', join(REPO, '.spectral.yaml')], { cwd: dir, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      try {
        resolve(JSON.parse(readFileSync(out, 'utf8')) as LintResult[]);
      } catch (e) {
        reject(new Error(`spectral wrote no results (${err?.message ?? 'exit 0'}): ${stdout}${stderr} ${(e as Error).message}`));
      }
    });
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'spec-lint-'));
const cleanDir = join(tmp, 'clean');
const brokenDir = join(tmp, 'broken');
let clean: LintResult[];
let broken: LintResult[];

beforeAll(async () => {
  const text = readFileSync(join(REPO, 'openapi.yaml'), 'utf8');
  // two operations share an operationId, and a response loses its description
  const brokenText = text.replace('operationId: getOrder\n', 'operationId: listOrders\n').replace("'200':\n          description: The reasons, to be sent with a termination request.\n", "'200':\n");
  expect(brokenText).not.toBe(text);
  expect(brokenText).not.toContain('description: The reasons, to be sent');
  for (const [dir, body] of [
    [cleanDir, text],
    [brokenDir, brokenText],
  ] as const) {
    mkdirSync(dir);
    writeFileSync(join(dir, 'openapi.yaml'), body);
  }
  [clean, broken] = await Promise.all([lint(cleanDir), lint(brokenDir)]);
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('Spectral lint of openapi.yaml', () => {
  it('reports zero errors and zero warnings', () => {
    expect(clean.filter((r) => r.severity <= 1).map((r) => `${r.code} at ${r.path.join('.')}: ${r.message}`)).toEqual([]);
  });

  it('reports an error for a duplicate operationId in a broken copy', () => {
    expect(broken.filter((r) => r.severity === 0).map((r) => r.code)).toContain('operation-operationId-unique');
  });

  it('reports an error for a response without a description in a broken copy', () => {
    const errors = broken.filter((r) => r.severity === 0 && r.path.join(' ') === 'paths /api/v1/terminate_reason/ get responses 200');
    expect(
      errors.map((r) => r.message),
      JSON.stringify(broken, null, 1),
    ).toEqual([expect.stringContaining('description')]);
  });
});

/**
 * The ready-to-copy CI jobs of docs/ci/ are valid YAML, run the suite with the
 * documented command and secrets, and keep the reports.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

describe('CI examples', () => {
  for (const file of ['docs/ci/github-actions.yml', 'docs/ci/gitlab-ci.yml']) {
    it(`${file} parses and runs the suite against a staging URL with secret tokens, keeping reports/`, () => {
      const text = readFileSync(resolve(ROOT, file), 'utf8');
      const doc = load(text);
      expect(doc !== null && typeof doc === 'object').toBe(true);
      expect(text).toMatch(/conformance run/);
      expect(text).toMatch(/CONFORMANCE_TOKEN/);
      expect(text).toMatch(/reports\//);
      expect(text).not.toMatch(/demo-token-/);
    });
  }
});

/** The shell script of the step that runs the kit, from each example. */
function runScript(file: string): string {
  const doc = load(readFileSync(resolve(ROOT, file), 'utf8')) as Record<string, any>;
  if (file.includes('github')) return (doc.jobs.conformance.steps as { run?: string }[]).find((s) => s.run?.includes('conformance run'))!.run!;
  return (doc.conformance.script as string[]).find((s) => s.includes('conformance run'))!;
}

describe('CI examples fail early when the job is not configured', () => {
  const bin = mkdtempSync(join(tmpdir(), 'ci-npx-'));
  const marker = join(bin, 'npx-was-called');
  // a stand-in for npx that records that it was called, and succeeds
  writeFileSync(join(bin, 'npx'), `#!/bin/sh\necho "$@" > "${marker}"\nexit 0\n`);
  chmodSync(join(bin, 'npx'), 0o755);
  const cases: [string, Record<string, string>][] = [
    ['STAGING_URL unset', { CONFORMANCE_TOKEN: 't' }],
    ['STAGING_URL empty', { STAGING_URL: '', CONFORMANCE_TOKEN: 't' }],
    ['CONFORMANCE_TOKEN unset', { STAGING_URL: 'https://staging.example' }],
  ];
  for (const file of ['docs/ci/github-actions.yml', 'docs/ci/gitlab-ci.yml']) {
    it.each(cases)(`${file}: %s → exit 2 before any run, saying what is missing`, (_what, env) => {
      rmSync(marker, { force: true });
      const out = spawnSync('bash', ['-c', runScript(file)], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
      expect(out.status).toBe(2);
      expect(out.stdout + out.stderr).toMatch(/STAGING_URL and CONFORMANCE_TOKEN must both be set/);
      expect(existsSync(marker)).toBe(false);
    });
    it(`${file}: configured → runs the kit against STAGING_URL with --require-complete`, () => {
      rmSync(marker, { force: true });
      const out = spawnSync('bash', ['-c', runScript(file)], { env: { PATH: `${bin}:/usr/bin:/bin`, STAGING_URL: 'https://staging.example', CONFORMANCE_TOKEN: 't' }, encoding: 'utf8' });
      expect(out.status, out.stdout + out.stderr).toBe(0);
      expect(readFileSync(marker, 'utf8')).toMatch(/^conformance run --base-url https:\/\/staging\.example --require-complete/);
    });
  }
});

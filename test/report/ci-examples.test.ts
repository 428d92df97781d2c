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

/**
 * The sharded examples: a matrix (GitHub) or `parallel:` (GitLab) of shard
 * jobs, each certifying its part with a cassette, and a merge job after them
 * whose exit is the verdict.
 */
describe('sharded CI examples', () => {
  const bin = mkdtempSync(join(tmpdir(), 'ci-npx-sharded-'));
  const marker = join(bin, 'npx-args');
  /** a stand-in for npx that records its arguments and exits with $NPX_EXIT */
  writeFileSync(join(bin, 'npx'), `#!/bin/sh\necho "$@" > "${marker}"\nexit "\${NPX_EXIT:-0}"\n`);
  chmodSync(join(bin, 'npx'), 0o755);
  const github = 'docs/ci/github-actions-sharded.yml';
  const gitlab = 'docs/ci/gitlab-ci-sharded.yml';
  const steps = (file: string, job: string): string[] => {
    const doc = load(readFileSync(resolve(ROOT, file), 'utf8')) as Record<string, any>;
    if (file === github) return (doc.jobs[job].steps as { run?: string }[]).map((s) => s.run ?? '').filter(Boolean);
    return doc[job].script as string[];
  };
  const shardScript = (file: string): string => steps(file, file === github ? 'shard' : 'conformance-shard').find((s) => s.includes('conformance run'))!;
  const mergeScript = (file: string): string => steps(file, file === github ? 'merge' : 'conformance-merge').find((s) => s.includes('conformance merge'))!;
  // the variables each CI sets for the shard (the matrix value; GitLab's parallel index)
  const shardEnv = (file: string): Record<string, string> => (file === github ? { SHARD: '3', SHARDS: '4' } : { CI_NODE_INDEX: '3', CI_NODE_TOTAL: '4' });
  const run = (script: string, env: Record<string, string>): { status: number | null; out: string } => {
    rmSync(marker, { force: true });
    const r = spawnSync('bash', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
    return { status: r.status, out: r.stdout + r.stderr };
  };

  it('both parse; the GitHub matrix is 4 shards that do not cancel each other, and its merge runs after them even when one failed', () => {
    const doc = load(readFileSync(resolve(ROOT, github), 'utf8')) as Record<string, any>;
    expect(doc.jobs.shard.strategy.matrix.shard).toEqual([1, 2, 3, 4]);
    expect(doc.jobs.shard.strategy['fail-fast']).toBe(false);
    expect(doc.jobs.merge.needs).toBe('shard');
    expect(doc.jobs.merge.if).toMatch(/!cancelled\(\)/);
    // one seed for every shard of a workflow run, within the kit's range (a run number, not a run id)
    expect(doc.env.CONFORMANCE_SEED).toBe('${{ github.run_number }}');
    const lab = load(readFileSync(resolve(ROOT, gitlab), 'utf8')) as Record<string, any>;
    expect(lab['conformance-shard'].parallel).toBe(4);
    expect(lab['conformance-shard'].resource_group).toBeUndefined();
    expect(lab['conformance-shard'].variables.CONFORMANCE_SEED).toBe('$CI_PIPELINE_IID');
    expect(lab['conformance-merge'].when).toBe('always');
    expect(lab['conformance-merge'].needs).toEqual([{ job: 'conformance-shard', artifacts: true }]);
  });

  for (const file of [github, gitlab]) {
    it(`${file}: a shard that is not configured exits 2 before any run`, () => {
      const r = run(shardScript(file), { ...shardEnv(file), CONFORMANCE_TOKEN: 't' });
      expect(r.status).toBe(2);
      expect(r.out).toMatch(/STAGING_URL and CONFORMANCE_TOKEN must both be set/);
      expect(existsSync(marker)).toBe(false);
    });
    it(`${file}: a shard runs its part of every order into its own report dir; its FAIL leaves the verdict to the merge, its INCOMPLETE fails the job`, () => {
      const env = { ...shardEnv(file), STAGING_URL: 'https://staging.example', CONFORMANCE_TOKEN: 't' };
      for (const [exit, status] of [
        ['0', 0],
        ['1', 0],
        ['2', 2],
      ] as const) {
        const r = run(shardScript(file), { ...env, NPX_EXIT: exit });
        expect(r.status, `${exit}: ${r.out}`).toBe(status);
        expect(readFileSync(marker, 'utf8').trim()).toBe('conformance run --base-url https://staging.example --shard 3/4 --max-orders all --report-dir reports/shard-3');
      }
    });
    it(`${file}: the merge job's exit is the merged verdict (0, 1, 2), and it needs no token`, () => {
      for (const exit of [0, 1, 2]) {
        const r = run(mergeScript(file), { NPX_EXIT: String(exit) });
        expect(r.status, r.out).toBe(exit);
        expect(readFileSync(marker, 'utf8')).toMatch(/^conformance merge \S*shard-\*/);
      }
      expect(mergeScript(file)).not.toMatch(/TOKEN/);
    });
  }
});

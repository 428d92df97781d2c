/**
 * The installable package (issue 16): `npm pack`, installed into an empty
 * project, runs `npx conformance --version` and `npx conformance run`
 * (the bundled reference server) to PASS. The tarball carries the CLI, the
 * TypeScript source run by tsx (no build step), the reference server and
 * the contract, and none of the tests. npm fetches the dependencies' metadata
 * from the registry when its cache lacks it: without a registry the test is
 * skipped, saying why.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { REPO } from './cli.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'conformance-package-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('npm pack → npm install in an empty project → npx conformance --version and npx conformance run: PASS', async (ctx) => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CONFORMANCE_') && !k.startsWith('VITEST') && !k.startsWith('npm_')) env[k] = v;
  const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: REPO, env, maxBuffer: 16 << 20 });
  const info = (JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[])[0]!;
  const files = info.files.map((f) => f.path);
  expect(files).toEqual(expect.arrayContaining(['bin/conformance.mjs', 'src/cli.ts', 'src/index.ts', 'mock/index.ts', 'openapi.yaml', 'package.json', 'README.md']));
  expect(files.filter((f) => /^test\/|\.test\.ts$|^scripts\/|^suites\/|^contracts\//.test(f))).toEqual([]);
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  expect(pkg.private).toBeUndefined();
  expect(pkg.exports).toBeDefined();

  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'an-integrator', version: '1.0.0', private: true }));
  try {
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, info.filename)], { cwd: project, env, timeout: 120_000 });
  } catch (e) {
    const text = String((e as { stderr?: string }).stderr ?? e);
    if (/ENOTCACHED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|ECONNREFUSED|ETIMEDOUT/.test(text)) return ctx.skip(`no registry to fetch the dependencies from: ${text.split('\n')[0]}`);
    throw e;
  }
  const version = await run('npx', ['--no-install', 'conformance', '--version'], { cwd: project, env });
  expect(version.stdout.trim()).toBe(pkg.version);
  const certified = await run('npx', ['--no-install', 'conformance', 'run', '--quiet', '--fuzz-runs', '5', '--report-dir', 'reports'], { cwd: project, env, timeout: 90_000 });
  expect(certified.stdout).toMatch(/^Verdict: PASS/m);
  expect(JSON.parse(readFileSync(join(project, 'reports', 'conformance.json'), 'utf8')).verdict).toBe('PASS');
}, 180_000);

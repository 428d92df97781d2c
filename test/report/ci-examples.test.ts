/**
 * The ready-to-copy CI jobs of docs/ci/ are valid YAML, run the suite with the
 * documented command and secrets, and keep the reports.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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

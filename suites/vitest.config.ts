import { defineConfig } from 'vitest/config';

/** `npm run suites`: the conformance suites against CONFORMANCE_BASE_URL (or the bundled server). */
export default defineConfig({
  test: {
    include: ['suites/**/*.suite.ts'],
    testTimeout: 60_000,
    hookTimeout: 15 * 60_000,
    reporters: ['default'],
  },
});

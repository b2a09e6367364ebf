import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.js';

// The reliability suite (`pnpm test:reliability`) runs on its own, once: the default `vitest run`
// excludes it, and this config's global setup sweeps every byte the suite produced for the
// credentials at the end and prints the suite's counts.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/reliability/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['test/reliability/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

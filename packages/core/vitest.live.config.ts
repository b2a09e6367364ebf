import { defineConfig } from 'vitest/config';

// `pnpm test:live`: only the live contract, with generous timeouts (real network).
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.live.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});

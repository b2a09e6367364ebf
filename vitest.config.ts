import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Resolve workspace packages to their TypeScript sources (the "source" export condition).
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'action/src/**/*.test.ts',
      'nodes/test/**/*.test.ts',
      'test/**/*.test.ts',
      // Only the benchmark's smoke test (--quick); `pnpm bench` itself is never part of the tests.
      'bench/**/*.test.ts',
    ],
    // The reliability suite runs on its own (pnpm test:reliability, with its own config).
    exclude: ['**/node_modules/**', '**/dist/**', '**/*.live.test.ts', 'test/reliability/**'],
    // The real-n8n tests (test/n8n/) spend minutes waiting on renders in real time, with little CPU:
    // at least two workers, so that on a 2-core machine they run beside the rest, not after it.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});

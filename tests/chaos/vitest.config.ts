// The chaos suite's own vitest config: `pnpm test:chaos` (tests/chaos/src/run.ts) runs it; the root config's include
// pattern ({apps,packages,tests}/*/{src,test}/**) never reaches scenarios/*.chaos.ts, so `pnpm test` does not.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['scenarios/*.chaos.ts'],
    // Prints the apps' log tails when a scenario fails.
    setupFiles: ['src/setup.ts'],
    // Scenarios are heavy (a cluster of processes each): one at a time, one file after another.
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
    teardownTimeout: 120_000,
  },
});

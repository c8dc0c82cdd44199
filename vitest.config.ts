import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{apps,packages,tests}/*/{src,test}/**/*.{spec,test}.ts'],
    exclude: ['**/node_modules/**', 'tests/bench/**'],
    globalSetup: ['packages/test-utils/src/global-setup.ts'],
    pool: 'forks',
    // Most files wait on Postgres, S3 or ffmpeg rather than the CPU: run a few at once even on 2 cores.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});

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
    // expect.poll's own default (1 s) is shorter than a page reload takes on this 2-core machine while three test
    // files run; a poll that would pass is not slowed by a longer limit, only a failing one takes longer to say so.
    expect: { poll: { timeout: 10_000 } },
  },
});

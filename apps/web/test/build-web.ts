// The web app built as `pnpm build` builds it, for the tests that serve it. Vite makes a production build only when
// NODE_ENV is 'production' or unset, and vitest sets it to 'test': the tests' bundles were React's development build
// (slower, and StrictMode ran every effect twice: the viewer asked for its manifest twice in one batch), and the
// viewer's first-frame times measured on them (viewer-steadiness.e2e, `pnpm bench`) were a development build's.
import { processEnv } from '@arvlite/config';
import { build, type InlineConfig } from 'vite';

export async function buildWeb(config: InlineConfig): ReturnType<typeof build> {
  const env = processEnv();
  const before = env.NODE_ENV;
  env.NODE_ENV = 'production';
  try {
    return await build(config);
  } finally {
    if (before === undefined) delete env.NODE_ENV;
    else env.NODE_ENV = before;
  }
}

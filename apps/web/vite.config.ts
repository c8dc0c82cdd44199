// Vite: dev server with HMR that proxies the API to the platform (`pnpm start`), and the production build
// that apps/server serves from dist/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, processEnv } from '@arvlite/config';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// The app itself has no configuration: it talks to its own origin. Only the dev proxy needs the API's port, so only
// PORT is read (`vite build` sets NODE_ENV=production, whose checks are for the server's own environment).
const apiTarget = `http://127.0.0.1:${loadConfig({ PORT: processEnv().PORT }).http.port}`;

/**
 * Names the camera view's engine chunk (MindAR, TensorFlow.js and three.js: most of the viewer's bytes) in viewer.html,
 * `<meta name="arv-engine">` (ENGINE_META in src/viewer/preload.ts), so the viewer can start downloading it from page
 * open when a camera will likely be granted (prefetchEngineForCamera). Not a `<link rel="modulepreload">` in the page
 * itself: that would download it on browsers without a camera too.
 */
function engineChunkMeta(): Plugin {
  let base = '/';
  return {
    name: 'arvlite-engine-chunk-meta',
    apply: 'build',
    configResolved(config) {
      base = config.base;
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        if (!ctx.bundle || path.basename(ctx.filename) !== 'viewer.html') return;
        const engine = Object.values(ctx.bundle).find(
          (c) => c.type === 'chunk' && !!c.facadeModuleId?.replaceAll('\\', '/').endsWith('/src/viewer/ar-engine.ts'),
        );
        if (!engine) throw new Error('the build has no chunk for src/viewer/ar-engine.ts');
        return [{ tag: 'meta', attrs: { name: 'arv-engine', content: `${base}${engine.fileName}` }, injectTo: 'head' }];
      },
    },
  };
}

export default defineConfig({
  plugins: [react(), engineChunkMeta()],
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/trpc': { target: apiTarget, changeOrigin: false },
      '/healthz': apiTarget,
      '/readyz': apiTarget,
      '/media': apiTarget,
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    // Two pages: the dashboard, and the public AR viewer (/v/:publicId, served as viewer.html by apps/server), so a
    // scanned code loads neither the dashboard nor its styles, and the dashboard never loads MindAR or three.
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('index.html', import.meta.url)),
        viewer: fileURLToPath(new URL('viewer.html', import.meta.url)),
      },
      // src/strict-csp.ts must run before the contract's zod schemas are built, so it shares one chunk with zod and
      // the contract, where it comes first: both entries import it first.
      output: {
        codeSplitting: {
          groups: [
            {
              name: 'contract',
              test: /[\\/]src[\\/]strict-csp\.ts$|[\\/]node_modules[\\/](\.pnpm[\\/])?zod[@\\/]|[\\/]packages[\\/]contract[\\/]/,
              priority: 100,
            },
          ],
        },
      },
    },
  },
});

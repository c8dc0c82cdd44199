// Vite: dev server with HMR that proxies the API to the platform (`pnpm start`), and the production build
// that apps/server serves from dist/.
import { fileURLToPath } from 'node:url';
import { loadConfig, processEnv } from '@arvlite/config';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The app itself has no configuration: it talks to its own origin. Only the dev proxy needs the API's port, so only
// PORT is read (`vite build` sets NODE_ENV=production, whose checks are for the server's own environment).
const apiTarget = `http://127.0.0.1:${loadConfig({ PORT: processEnv().PORT }).http.port}`;

export default defineConfig({
  plugins: [react()],
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

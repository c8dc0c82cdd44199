// Vite: dev server with HMR that proxies the API to the platform (`pnpm start`), and the production build
// that apps/server serves from dist/.
import { loadConfig } from '@arvlite/config';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The app itself has no configuration: it talks to its own origin. Only the dev proxy needs the API's port.
const apiTarget = `http://127.0.0.1:${loadConfig().http.port}`;

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
  },
});

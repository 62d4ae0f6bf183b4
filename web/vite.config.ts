// Vite builds web/ into web/dist, served by the API process at `/`. `npm run dev:web` runs Vite's dev
// server with hot reload, proxying the API (run `npm run dev` beside it).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { pageMeta, precompress, preloadCatalogue } from './vite-plugins.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const api = process.env.KAIZEN_API_URL ?? 'http://127.0.0.1:3000';

/** Writes the source hash the build was made from, so a start can tell a stale build. */
const stamp = (): Plugin => ({
  name: 'kaizen-build-stamp',
  apply: 'build',
  closeBundle() {
    if (process.env.KAIZEN_WEB_STAMP) writeFileSync(path.join(here, 'dist', '.build-stamp'), process.env.KAIZEN_WEB_STAMP);
  },
});

export default defineConfig({
  root: here,
  base: '/',
  plugins: [pageMeta(), react(), stamp(), preloadCatalogue('ja'), precompress()],
  build: {
    // KAIZEN_WEB_OUT_DIR + KAIZEN_WEB_ONE_BUNDLE: the bench's baseline (one bundle, as before route splitting).
    outDir: process.env.KAIZEN_WEB_OUT_DIR ?? path.join(here, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
    rollupOptions: process.env.KAIZEN_WEB_ONE_BUNDLE === '1' ? { output: { inlineDynamicImports: true } } : {},
  },
  server: {
    port: 5173,
    proxy: { '/v1': { target: api, changeOrigin: false }, '/openapi.json': api, '/docs': api },
  },
});

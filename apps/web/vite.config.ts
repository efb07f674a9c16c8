import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The web app, built into dist/web (npm run build), which the API serves under /app/. */
export default defineConfig({
  root: here,
  base: '/app/',
  plugins: [react()],
  // Everything ships in the build: no CDN, no font or tile server.
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The CSP allows no inline script or data: module: keep every asset a file of its own.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
});

import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The server's CSP allows no inline script or style: component CSS goes to files
// (emitCss), nothing is inlined as a data: URL, and no inline module-preload polyfill.
export default defineConfig({
  plugins: [svelte({ emitCss: true })],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: true,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});

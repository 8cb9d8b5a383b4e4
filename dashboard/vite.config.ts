// Builds the dashboard into dashboard/dist, which the collector serves at /. `npm run dev:dashboard` serves
// it with hot reload and sends /api to a collector on :4000.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [svelte()],
  // The manifest lets the benchmark add up what each view downloads.
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false, manifest: true },
  server: { proxy: { '/api': 'http://127.0.0.1:4000' } },
});

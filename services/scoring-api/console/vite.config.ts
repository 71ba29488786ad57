import { defineConfig } from "vite";

// The console is served by the scoring API under /console/ (src/console/static-assets.ts). The build
// is committed (console/dist) so `npm ci && npm start` serves it without a build tool at run time;
// `npm run build:console` rewrites it and test/console/dist-fresh.test.ts fails when it is stale.
export default defineConfig({
  root: import.meta.dirname,
  base: "/console/",
  logLevel: "warn",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Same-origin modules only: no inline polyfill, so the page runs under script-src 'self'.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});

import { defineConfig } from 'vitest/config';

// One process per core, no per-file isolation: every chapter builds its own app (and its own
// store) inside its spec, so chapters share nothing but the already-loaded express modules.
// Isolating each file costs about half a second per spec on these machines; see README.md.
export default defineConfig({
  test: {
    include: ['chapters/*/*.test.ts', 'src/**/*.test.ts', 'tests/*.test.ts'],
    setupFiles: ['src/testkit/setup.ts'],
    pool: 'threads',
    // Vitest 4 defaults to cores - 1 (one worker here); measured whole suite, shared 2-core box: 1 worker ~50 s, 2 ~48.6 s, 3 ~52.5 s.
    maxWorkers: 2,
    isolate: false,
    // Transformed modules cached on disk (node_modules/.experimental-vitest-cache, keyed by content):
    // `npm test -- 01` spends ~40 ms transforming instead of ~150 ms.
    experimental: { fsModuleCache: true },
    // Limits for a hung test, not for a slow one: on a loaded machine (two busy loops holding both
    // cores, issue 11) a Chromium or build test takes several times its quiet-machine time, and
    // every wait inside the tests is on an event. The build's own watchdog (--time-limit, 120 s by
    // default) still stops a chapter's spec file that never finishes.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});

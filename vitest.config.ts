import { defineConfig } from 'vitest/config';

// One process per core, no per-file isolation: every chapter builds its own app (and its own
// store) inside its spec, so chapters share nothing but the already-loaded express modules.
// Isolating each file costs about half a second per spec on these machines; see README.md.
export default defineConfig({
  test: {
    include: ['chapters/*/*.test.ts', 'src/**/*.test.ts', 'tests/*.test.ts'],
    setupFiles: ['src/testkit/setup.ts'],
    pool: 'threads',
    isolate: false,
    testTimeout: 15_000,
    hookTimeout: 20_000,
  },
});

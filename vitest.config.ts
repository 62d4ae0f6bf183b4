import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure (no services); `integration` shares one embedded Postgres and one
// Temporal dev server started by the global setup. Forks pool: Temporal's native bridge crashes
// under worker threads.
export default defineConfig({
  test: {
    pool: 'forks',
    // The JSON report lets .ci/run print a one-line "N passed, N failed" summary.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          sequence: { groupOrder: 0 },
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/demo.test.ts'],
          // Runs after the unit project; two files at a time share the one Postgres and Temporal server.
          sequence: { groupOrder: 1 },
          // web-setup builds the web back office for the browser tests (test/integration/web-*.test.ts).
          globalSetup: ['test/global-setup.ts', 'test/web-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          maxWorkers: 2,
        },
      },
      {
        test: {
          // The demo brings up its own Postgres, Temporal, workers and Chromium: run last and alone, so
          // its short compressed month is not starved by another file (CI timed out on a loaded run).
          name: 'demo',
          include: ['test/integration/demo.test.ts'],
          sequence: { groupOrder: 2 },
          testTimeout: 300_000,
          hookTimeout: 600_000,
          maxWorkers: 1,
        },
      },
    ],
  },
});

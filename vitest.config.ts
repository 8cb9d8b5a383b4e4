// Vitest configuration: every suite under test/, run in forks so PGlite's WASM heap is per file. Two
// projects: the dashboard's browser suites (test/dashboard/*.e2e.test.ts) share one `pulse start --demo`,
// started by their globalSetup only when one of them is selected; everything else runs as before.
import { configDefaults, defineConfig } from 'vitest/config';

const dashboardE2e = 'test/dashboard/**/*.e2e.test.ts';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'pulse',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, dashboardE2e],
        },
      },
      {
        extends: true,
        test: {
          name: 'dashboard-e2e',
          include: [dashboardE2e],
          globalSetup: ['test/dashboard/support/shared-pulse.ts'],
        },
      },
    ],
  },
});

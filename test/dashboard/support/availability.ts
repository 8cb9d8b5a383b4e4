// Whether the browser suites can run here: Debian's Chromium and the built dashboard. Without vitest or
// playwright, so the globalSetup (./shared-pulse.ts) can ask too and start nothing when they are skipped.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromiumPath } from '../../support/chromium.ts';

export const artifactsDir = fileURLToPath(new URL('../../../test-artifacts/dashboard/', import.meta.url));
export const dashboardBuilt = existsSync(
  fileURLToPath(new URL('../../../dashboard/dist/index.html', import.meta.url)),
);

/** Why the browser suites cannot run here, or null. */
export const browserUnavailable = !existsSync(chromiumPath)
  ? `Chromium not found at ${chromiumPath} (apt-get install chromium)`
  : !dashboardBuilt
    ? 'the dashboard is not built (npm run build:dashboard)'
    : null;

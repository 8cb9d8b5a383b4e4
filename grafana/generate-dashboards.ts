// Generates grafana/dashboards/*.json — the dashboards Grafana provisions (provisioning/dashboards/
// dashboards.yml points at /var/lib/grafana/dashboards, which docker-compose.yml mounts from
// grafana/dashboards/). The definitions under definitions/ are data built with the small builders under
// builder/; their PromQL is the collector's (core/telemetry/promql.ts) and their SQL is read from queries/.
// Panels with rates depend on the scrape interval through $__rate_interval: see `window` in
// definitions/live-health.ts and `timeInterval` in provisioning/datasources/datasources.yml.
// The output is committed; test/stack/grafana-files.test.ts fails when it differs from a fresh run.
//
//   node --import tsx grafana/generate-dashboards.ts
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toJsonText } from './builder/json-text.ts';
import type { Dashboard } from './builder/types.ts';
import { businessDashboard } from './definitions/business.ts';
import { liveHealthDashboard } from './definitions/live-health.ts';
import { scalingDashboard } from './definitions/scaling.ts';
import { sloDashboard } from './definitions/slo.ts';

export const dashboardsDir = fileURLToPath(new URL('./dashboards/', import.meta.url));

/** File name → how to build it. */
export const dashboardBuilders: Readonly<Record<string, () => Dashboard>> = {
  'pledgr-live-health.json': liveHealthDashboard,
  'pledgr-business.json': businessDashboard,
  'pledgr-scaling.json': scalingDashboard,
  'pledgr-slo.json': sloDashboard,
};

/** Every dashboard file as the generator writes it: name → JSON text. */
export function generateDashboards(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(dashboardBuilders).map(([file, build]) => [file, toJsonText(build())]),
  );
}

function writeDashboards(): void {
  const files = generateDashboards();
  for (const stale of readdirSync(dashboardsDir).filter((file) => file.endsWith('.json') && !(file in files)))
    rmSync(join(dashboardsDir, stale));
  for (const [file, text] of Object.entries(files)) {
    writeFileSync(join(dashboardsDir, file), text);
    console.log(`wrote grafana/dashboards/${file}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writeDashboards();

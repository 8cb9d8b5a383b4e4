// What prometheus.yml and the generated rule files must agree on, in one place: the scrape interval, the rate
// window derived from it, the job names, and the catalog as Prometheus sees it. test/stack checks that
// prometheus.yml uses these values, so changing the interval here without the config (or back) fails.
import { type AlertRule, buildAlertRules } from '../../core/alerts/rules.ts';
import { type AlertThresholds, alertThresholds } from '../../core/alerts/thresholds.ts';
import { label } from '../../core/telemetry/agent-metric-names.ts';

/** prometheus.yml `global.scrape_interval` (and `evaluation_interval`). */
export const scrapeIntervalSeconds = 15;

/**
 * The window of every rate() and histogram_quantile() in the rules: four scrape intervals, so a window
 * always holds at least two samples even when one scrape is missed. Named after it: `…:rate1m`.
 */
export const rateWindowSeconds = 4 * scrapeIntervalSeconds;
export const rateWindow = promDuration(rateWindowSeconds);

export const agentJob = 'pledgr-agent';
export const collectorJob = 'pledgr-collector';

/** Labels that identify one agent process: Prometheus's target and the agent's own instance id. */
export const instanceLabels = ['instance', label.instance] as const;

/** The collector's thresholds with Prometheus's scrape interval: "3 missed scrapes" is 3 × 15 s here. */
export const prometheusThresholds: AlertThresholds = {
  ...alertThresholds,
  staleness: { ...alertThresholds.staleness, healthIntervalSeconds: scrapeIntervalSeconds },
};

/** The single catalog (core/alerts/rules.ts), built with the thresholds above. */
export const prometheusCatalog: readonly AlertRule[] = buildAlertRules(prometheusThresholds);

/** `300` → `5m`, `45` → `45s`, `0` → `0s`: the way Prometheus durations read best. */
export function promDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`not a whole duration: ${seconds}`);
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

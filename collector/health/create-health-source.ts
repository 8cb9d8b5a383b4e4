// Chooses the health source from the collector's settings: Prometheus when a PROMETHEUS_URL is given,
// otherwise the built-in scraper over AGENT_METRICS_URLS; null when neither is configured.
import type { CanaryOptions } from './canary.ts';
import { createPrometheusSource } from './prometheus-source.ts';
import { createScrapeSource } from './scrape-source.ts';
import type { HealthSource } from './types.ts';

export interface HealthSettings {
  /** AGENT_METRICS_URLS, split on commas. */
  readonly agentMetricsUrls: readonly string[];
  /** PROMETHEUS_URL; when set it wins over the scraper. */
  readonly prometheusUrl?: string | undefined;
  /** HEALTH_SCRAPE_INTERVAL_MS (default 5000): scrape period, or the step of Prometheus range queries. */
  readonly scrapeIntervalMs: number;
  /** HEALTH_SCRAPE_TIMEOUT_MS (default min(interval, 4000)). */
  readonly scrapeTimeoutMs?: number | undefined;
  /** HEALTH_RETENTION (default 6h) in ms: how long points are kept, and the longest window served. */
  readonly retentionMs: number;
  /** HEALTH_RATE_WINDOW (Prometheus only, default max(60 s, 4 intervals)) in seconds. */
  readonly rateWindowSeconds?: number | undefined;
  readonly canary?: CanaryOptions | undefined;
}

export function createHealthSource(settings: HealthSettings): HealthSource | null {
  const common = {
    intervalMs: settings.scrapeIntervalMs,
    retentionMs: settings.retentionMs,
    ...(settings.scrapeTimeoutMs !== undefined ? { timeoutMs: settings.scrapeTimeoutMs } : {}),
    ...(settings.canary !== undefined ? { canary: settings.canary } : {}),
  };
  if (settings.prometheusUrl) {
    return createPrometheusSource({
      url: settings.prometheusUrl,
      ...common,
      ...(settings.rateWindowSeconds !== undefined ? { rateWindowSeconds: settings.rateWindowSeconds } : {}),
    });
  }
  if (settings.agentMetricsUrls.length === 0) return null;
  return createScrapeSource({ targets: settings.agentMetricsUrls, ...common });
}

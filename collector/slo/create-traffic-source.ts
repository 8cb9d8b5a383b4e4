// Picks the SLO report's counts the way live health is picked: Prometheus when PROMETHEUS_URL is set, else
// the built-in scraper's stored steps (as far back as HEALTH_RETENTION); null without either.
import { createPrometheusClient } from '../health/prometheus-client.ts';
import type { ScrapeSource } from '../health/scrape-source.ts';
import type { HealthSource } from '../health/types.ts';
import { prometheusTrafficSource, scrapeTrafficSource, type TrafficSource } from './traffic-source.ts';

export function createTrafficSource(
  health: HealthSource | null,
  settings: { readonly prometheusUrl?: string | undefined; readonly retentionMs: number },
): TrafficSource | null {
  if (settings.prometheusUrl) return prometheusTrafficSource(createPrometheusClient(settings.prometheusUrl));
  if (health?.kind === 'scrape')
    return scrapeTrafficSource(health as ScrapeSource, settings.retentionMs / 1000);
  return null;
}

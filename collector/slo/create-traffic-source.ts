// Picks the SLO counts (GET /api/slo, the burn-rate alerts) the way live health is picked: Prometheus when
// PROMETHEUS_URL is set, else the built-in scraper's stored steps and SLO ledger; null without either.
// Made before the scraper starts, so the ledger sees every scrape round.
import { type SloDefinition, sloCatalog } from '../../core/slo/slo-catalog.ts';
import { createPrometheusClient } from '../health/prometheus-client.ts';
import type { ScrapeSource } from '../health/scrape-source.ts';
import type { HealthSource } from '../health/types.ts';
import { scrapeTrafficSource } from './scrape-traffic-source.ts';
import { sloLatencyThresholds } from './slo-burns.ts';
import { prometheusTrafficSource, type TrafficSource } from './traffic-source.ts';

export function createTrafficSource(
  health: HealthSource | null,
  settings: { readonly prometheusUrl?: string | undefined; readonly retentionMs: number },
  slos: readonly SloDefinition[] = sloCatalog,
): TrafficSource | null {
  if (settings.prometheusUrl) return prometheusTrafficSource(createPrometheusClient(settings.prometheusUrl));
  if (health?.kind === 'scrape') {
    return scrapeTrafficSource(health as ScrapeSource, {
      retentionSeconds: settings.retentionMs / 1000,
      latencyThresholds: sloLatencyThresholds(slos),
    });
  }
  return null;
}

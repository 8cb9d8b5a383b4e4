// The SLO counts from the collector's own scraper: windows up to HEALTH_RETENTION from its fine steps (as
// GET /api/health sees them), longer ones up to 3 days from the per-minute SLO ledger it feeds with every
// scrape round (slo-ledger.ts). Both hold only what was scraped since the collector started: a window
// longer than that is counted over what there is, and coverageSeconds says how much that is.
import type { ScrapeSource } from '../health/scrape-source.ts';
import { createSloLedger, ledgerSeconds } from './slo-ledger.ts';
import type { TrafficSource } from './traffic-source.ts';

export interface ScrapeTrafficSettings {
  /** HEALTH_RETENTION in seconds: how far back the scraper's fine steps go. */
  readonly retentionSeconds: number;
  /** The SLOs' latency thresholds: the ledger keeps the cumulative bucket of each. */
  readonly latencyThresholds: readonly number[];
  readonly now?: () => number;
}

export function scrapeTrafficSource(scraper: ScrapeSource, settings: ScrapeTrafficSettings): TrafficSource {
  const now = settings.now ?? Date.now;
  const { retentionSeconds } = settings;
  // With HEALTH_RETENTION of 3 days or more, the fine steps already answer every burn window.
  const ledger = retentionSeconds < ledgerSeconds ? createSloLedger(settings.latencyThresholds) : null;
  /** When the first counted step began (epoch ms): nothing before it is known. */
  let countingSince: number | null = null;
  scraper.onTotalStep((step) => {
    countingSince ??= step.t - step.seconds * 1000;
    ledger?.record(step.t, step.traffic);
  });
  return {
    kind: 'scrape',
    retentionSeconds: ledger ? ledgerSeconds : retentionSeconds,
    async traffic(windowSeconds) {
      if (windowSeconds <= retentionSeconds || !ledger) return scraper.traffic(windowSeconds);
      return ledger.traffic(windowSeconds, now());
    },
    coverageSeconds(windowSeconds) {
      if (countingSince === null) return 0;
      return Math.min(windowSeconds, Math.max(0, Math.floor((now() - countingSince) / 1000)));
    },
  };
}

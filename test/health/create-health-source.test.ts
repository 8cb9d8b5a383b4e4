// The factory the collector calls: Prometheus when PROMETHEUS_URL is set, the scraper over AGENT_METRICS_URLS
// otherwise, nothing when neither is configured.
import { describe, expect, it } from 'vitest';
import { createHealthSource } from '../../collector/health/create-health-source.ts';

const base = { scrapeIntervalMs: 5000, retentionMs: 6 * 3_600_000 };

describe('createHealthSource', () => {
  it('chooses Prometheus over the scraper when both are configured', () => {
    const source = createHealthSource({
      ...base,
      agentMetricsUrls: ['http://127.0.0.1:9464/metrics'],
      prometheusUrl: 'http://127.0.0.1:9090',
    });
    expect(source?.kind).toBe('prometheus');
  });

  it('scrapes the agents when only their metrics URLs are given, and gives nothing without either', async () => {
    const source = createHealthSource({ ...base, agentMetricsUrls: ['http://127.0.0.1:9464/metrics'] });
    expect(source?.kind).toBe('scrape');
    expect(await source?.latest()).toBeNull();
    expect(createHealthSource({ ...base, agentMetricsUrls: [] })).toBeNull();
  });
});

// Reads, for the scaling checklist, the few agent series that say how an agent is set up rather than how it
// is doing (so the live health source, which derives rates, does not carry them): each rate limiter's
// configured limit and window (pledgr_rate_limit_limit, pledgr_rate_limit_window_seconds, exported while
// the limiter is on) and whether the agent trusts a proxy (pledgr_http_trusted_proxies). Read from the
// agents' metrics URLs (AGENT_METRICS_URLS) or from Prometheus (PROMETHEUS_URL), by service_instance_id, on
// demand and kept for a short while (GET /api/scaling and, through it, the alert inputs).
import { label, metric } from '../../core/telemetry/agent-metric-names.ts';
import { parseExposition } from '../health/exposition.ts';
import { createPrometheusClient, type InstantSample } from '../health/prometheus-client.ts';

/** The three families read (their names in core/telemetry/agent-metric-names.ts). */
type SeriesName = 'rateLimitLimit' | 'rateLimitWindow' | 'trustedProxies';

export type LimiterName = 'api' | 'auth';

export interface LimiterSettings {
  readonly limit: number | null;
  readonly windowSeconds: number | null;
}

export interface AgentInstanceSeries {
  readonly instance: string;
  /** The limiters the instance exports settings for; a limiter that is off exports none. */
  readonly rateLimits: Readonly<Partial<Record<LimiterName, LimiterSettings>>>;
  /** Entries of TRUST_PROXY (0: trusts none); null when the series is absent (e.g. the drop-in agent). */
  readonly trustedProxies: number | null;
}

export interface AgentSeriesReading {
  /** Instances that answered this read (scraper) or have the series in Prometheus. */
  readonly instances: readonly AgentInstanceSeries[];
}

export interface AgentSeriesSettings {
  readonly agentMetricsUrls: readonly string[];
  readonly prometheusUrl?: string | undefined;
  readonly timeoutMs?: number;
  /** How long one read is reused (default 15 s). */
  readonly cacheMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/** A sample as both sources give it: labels and a value. */
interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number | null;
}

class InstanceBuilder {
  readonly rateLimits: Partial<Record<LimiterName, { limit: number | null; windowSeconds: number | null }>> =
    {};
  trustedProxies: number | null = null;
  constructor(readonly instance: string) {}
}

/** Groups samples of the three families by instance. Exported for tests. */
export function seriesFromSamples(
  samples: Readonly<Record<SeriesName, readonly Sample[]>>,
  fallbackInstance: string,
): AgentInstanceSeries[] {
  const builders = new Map<string, InstanceBuilder>();
  const builderFor = (labels: Sample['labels']) => {
    const instance = labels[label.instance] ?? fallbackInstance;
    let builder = builders.get(instance);
    if (!builder) {
      builder = new InstanceBuilder(instance);
      builders.set(instance, builder);
    }
    return builder;
  };
  const limiterOf = (labels: Sample['labels']): LimiterName | null => {
    const name = labels[label.limiter];
    return name === 'api' || name === 'auth' ? name : null;
  };
  for (const [field, samplesOf] of [
    ['limit', samples.rateLimitLimit],
    ['windowSeconds', samples.rateLimitWindow],
  ] as const) {
    for (const sample of samplesOf) {
      const limiter = limiterOf(sample.labels);
      if (!limiter) continue;
      const limits = builderFor(sample.labels).rateLimits;
      limits[limiter] ??= { limit: null, windowSeconds: null };
      limits[limiter][field] = sample.value;
    }
  }
  for (const sample of samples.trustedProxies) {
    const builder = builderFor(sample.labels);
    builder.trustedProxies = (builder.trustedProxies ?? 0) + (sample.value ?? 0);
  }
  return [...builders.values()].map((builder) => ({
    instance: builder.instance,
    rateLimits: builder.rateLimits,
    trustedProxies: builder.trustedProxies,
  }));
}

async function readExposition(
  url: string,
  fetchImpl: typeof fetch,
  timeoutMs: number,
): Promise<AgentInstanceSeries[]> {
  const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const families = await parseExposition(await response.text());
  const of = (name: string): Sample[] =>
    ((families[name]?.data ?? []) as { labels: Record<string, string>; value: number }[]).map((sample) => ({
      labels: sample.labels,
      value: sample.value,
    }));
  return seriesFromSamples(
    {
      rateLimitLimit: of(metric.rateLimitLimit),
      rateLimitWindow: of(metric.rateLimitWindow),
      trustedProxies: of(metric.trustedProxies),
    },
    url,
  );
}

/**
 * The reader GET /api/scaling uses; null when neither AGENT_METRICS_URLS nor PROMETHEUS_URL is set. A read
 * where no agent answered rejects (the items then say 'unknown'); agents that do answer are reported.
 */
export function createAgentSeriesReader(
  settings: AgentSeriesSettings,
): (() => Promise<AgentSeriesReading>) | null {
  const fetchImpl = settings.fetch ?? fetch;
  const timeoutMs = settings.timeoutMs ?? 3_000;
  const cacheMs = settings.cacheMs ?? 15_000;
  const now = settings.now ?? Date.now;
  let read: () => Promise<AgentSeriesReading>;
  if (settings.prometheusUrl) {
    const client = createPrometheusClient(settings.prometheusUrl, timeoutMs, fetchImpl);
    const query = async (name: string): Promise<Sample[]> =>
      (await client.query(name, now() / 1000)).map((sample: InstantSample) => ({
        labels: sample.metric,
        value: sample.value,
      }));
    read = async () => {
      const [rateLimitLimit, rateLimitWindow, trustedProxies] = await Promise.all([
        query(metric.rateLimitLimit),
        query(metric.rateLimitWindow),
        query(metric.trustedProxies),
      ]);
      return {
        instances: seriesFromSamples({ rateLimitLimit, rateLimitWindow, trustedProxies }, 'prometheus'),
      };
    };
  } else if (settings.agentMetricsUrls.length > 0) {
    read = async () => {
      const results = await Promise.allSettled(
        settings.agentMetricsUrls.map((url) => readExposition(url, fetchImpl, timeoutMs)),
      );
      const answered = results.filter((result) => result.status === 'fulfilled');
      if (answered.length === 0) throw new Error('no agent answered');
      return { instances: answered.flatMap((result) => result.value) };
    };
  } else {
    return null;
  }
  let cached: { at: number; reading: Promise<AgentSeriesReading> } | null = null;
  return () => {
    const at = now();
    if (!cached || at - cached.at >= cacheMs) {
      const reading = read();
      cached = { at, reading };
      // A failed read is not kept: the next report tries again.
      reading.catch(() => {
        if (cached?.reading === reading) cached = null;
      });
    }
    return cached.reading;
  };
}

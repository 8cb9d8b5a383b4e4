// The agent's metric and label names, each written once (docs/metrics.md "Agent metrics"). `instrument` and
// `attribute` are the OpenTelemetry names the agent creates its instruments and records its attributes under
// (agent/drop-in/, agent/cache/cache-metrics.ts, agent/rate-limit.ts, agent/metrics/meter.ts); `metric` and
// `label` are the same names as the OpenTelemetry 0.223 Prometheus exporter serves them on /metrics (read off
// a live /metrics): every character outside [a-zA-Z0-9_:] becomes `_`, and a counter gains `_total`. The
// collector's scraper, the PromQL (promql.ts, core/slo/slo-promql.ts), the Prometheus rules and the Grafana
// panels read the served names from here.

/** The instruments the agent creates. */
export const instrument = {
  httpDuration: 'http.server.request.duration',
  dbDuration: 'db.client.operation.duration',
  poolConnections: 'db.client.connection.count',
  poolMax: 'db.client.connection.max',
  poolPending: 'db.client.connection.pending_requests',
  rss: 'process.memory.usage',
  rateLimitRejections: 'pledgr.rate_limit.rejections',
  rateLimitLimit: 'pledgr.rate_limit.limit',
  rateLimitWindow: 'pledgr.rate_limit.window_seconds',
  trustedProxies: 'pledgr.http.trusted_proxies',
  /** The pledge API's Redis caches (agent/cache/cache-metrics.ts); absent when REDIS_URL is unset. */
  cacheLookups: 'pledgr.cache.lookups',
} as const;

/** Instruments of instrumentation-runtime-node, which the agent loads: named there, not here. */
const runtimeInstrument = {
  heapUsed: 'v8js.memory.heap.used',
  eventLoopP99: 'nodejs.eventloop.delay.p99',
} as const;

/** The attributes (resource attributes included) the live health, the rules and the panels split by. */
export const attribute = {
  instance: 'service.instance.id',
  version: 'service.version',
  color: 'deployment.color',
  canary: 'deployment.canary',
  status: 'http.response.status_code',
  method: 'http.request.method',
  route: 'http.route',
  querySummary: 'db.query.summary',
  connectionState: 'db.client.connection.state',
  limiter: 'pledgr.rate_limiter',
  cache: 'cache',
  cacheResult: 'result',
} as const;

/** The cache whose hit ratio live health shows: the signed-in user's profile. */
export const profileCache = 'user_profile';

/** An OpenTelemetry name as the Prometheus exporter writes it (the names above only have dots to replace). */
type Served<Name extends string> = Name extends `${infer Head}.${infer Tail}`
  ? `${Head}_${Served<Tail>}`
  : Name;
type ServedAll<Names extends Record<string, string>> = { readonly [Key in keyof Names]: Served<Names[Key]> };

function served<Name extends string>(name: Name): Served<Name> {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_') as Served<Name>;
}

function servedAll<Names extends Record<string, string>>(names: Names): ServedAll<Names> {
  return Object.fromEntries(
    Object.entries(names).map(([key, name]) => [key, served(name)]),
  ) as ServedAll<Names>;
}

const servedInstruments = servedAll({ ...instrument, ...runtimeInstrument });

/** The metric names as /metrics serves them (`http_server_request_duration`, `…_lookups_total`). */
export const metric = {
  ...servedInstruments,
  // The counters.
  rateLimitRejections: `${servedInstruments.rateLimitRejections}_total`,
  cacheLookups: `${servedInstruments.cacheLookups}_total`,
} as const;

/** The label names as /metrics serves them (`service_instance_id`, `http_route`). */
export const label = servedAll(attribute);

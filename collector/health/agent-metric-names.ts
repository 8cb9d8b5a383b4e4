// The agent's metric and label names as its OpenTelemetry Prometheus exporter serves them (read off a live
// /metrics; see README "Agent metrics"). The scraper and the PromQL expressions both read them from here.

export const metric = {
  httpDuration: 'http_server_request_duration',
  dbDuration: 'db_client_operation_duration',
  poolConnections: 'db_client_connection_count',
  poolMax: 'db_client_connection_max',
  poolPending: 'db_client_connection_pending_requests',
  heapUsed: 'v8js_memory_heap_used',
  rss: 'process_memory_usage',
  eventLoopP99: 'nodejs_eventloop_delay_p99',
  rateLimitRejections: 'pledgr_rate_limit_rejections_total',
  /** The pledge API's Redis caches (agent/cache/cache-metrics.ts); absent when REDIS_URL is unset. */
  cacheLookups: 'pledgr_cache_lookups_total',
} as const;

export const label = {
  instance: 'service_instance_id',
  version: 'service_version',
  color: 'deployment_color',
  canary: 'deployment_canary',
  status: 'http_response_status_code',
  method: 'http_request_method',
  route: 'http_route',
  querySummary: 'db_query_summary',
  connectionState: 'db_client_connection_state',
  cache: 'cache',
  cacheResult: 'result',
} as const;

/** The cache whose hit ratio live health shows: the signed-in user's profile. */
export const profileCache = 'user_profile';

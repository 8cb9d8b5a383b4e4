// Hand-written agent exposition text for the health tests, in the shape the OpenTelemetry exporter serves
// (resource labels on every series, `le` last, `_bucket`/`_count`/`_sum`), plus a tiny HTTP target whose
// answer the test sets before each scrape — or takes down.
import { createServer, type Server } from 'node:http';

export interface FixtureSeries {
  readonly status: string;
  /** Cumulative counts for each bound of `bounds` (the last bound is +Inf). */
  readonly counts: readonly number[];
}

export interface FixtureInstance {
  readonly instance: string;
  readonly version?: string;
  readonly color?: string;
  readonly canary?: boolean;
  readonly bounds: readonly string[];
  readonly http: readonly FixtureSeries[];
  readonly db?: {
    readonly query: string;
    readonly bounds: readonly string[];
    readonly counts: readonly number[];
  };
  readonly rejections?: number;
  /** Cumulative profile-cache look-ups by result (pledgr_cache_lookups_total); absent: no cache. */
  readonly cache?: { readonly hit: number; readonly miss: number; readonly error: number };
  readonly gauges?: {
    used: number;
    idle: number;
    pending: number;
    max: number;
    heap: readonly number[];
    rss: number;
    loopP99: number;
  };
}

export function exposition(fixture: FixtureInstance): string {
  const resource = [
    'service_name="pledgr-agent"',
    `service_version="${fixture.version ?? '1.0.0'}"`,
    `service_instance_id="${fixture.instance}"`,
    ...(fixture.color ? [`deployment_color="${fixture.color}"`] : []),
    `deployment_canary="${fixture.canary ? 'true' : 'false'}"`,
  ].join(',');
  const lines: string[] = [];
  lines.push('# HELP http_server_request_duration Duration of HTTP server requests.');
  lines.push('# UNIT http_server_request_duration seconds');
  lines.push('# TYPE http_server_request_duration histogram');
  for (const series of fixture.http) {
    const labels = `http_request_method="GET",http_route="/api/artists",http_response_status_code="${series.status}",${resource}`;
    const count = series.counts.at(-1) ?? 0;
    lines.push(`http_server_request_duration_count{${labels}} ${count}`);
    lines.push(`http_server_request_duration_sum{${labels}} ${count * 0.01}`);
    fixture.bounds.forEach((le, i) => {
      lines.push(`http_server_request_duration_bucket{${labels},le="${le}"} ${series.counts[i]}`);
    });
  }
  if (fixture.db) {
    const { db } = fixture;
    const labels = `db_system_name="postgresql",db_query_summary="${db.query}",db_operation_name="SELECT",${resource}`;
    lines.push('# TYPE db_client_operation_duration histogram');
    lines.push(`db_client_operation_duration_count{${labels}} ${db.counts.at(-1)}`);
    lines.push(`db_client_operation_duration_sum{${labels}} 0.5`);
    db.bounds.forEach((le, i) => {
      lines.push(`db_client_operation_duration_bucket{${labels},le="${le}"} ${db.counts[i]}`);
    });
  }
  if (fixture.rejections !== undefined) {
    lines.push('# TYPE pledgr_rate_limit_rejections_total counter');
    lines.push(
      `pledgr_rate_limit_rejections_total{pledgr_rate_limiter="api",${resource}} ${fixture.rejections}`,
    );
  }
  if (fixture.cache) {
    lines.push('# TYPE pledgr_cache_lookups_total counter');
    for (const [result, value] of Object.entries(fixture.cache)) {
      lines.push(`pledgr_cache_lookups_total{cache="user_profile",result="${result}",${resource}} ${value}`);
    }
  }
  if (fixture.gauges) {
    const g = fixture.gauges;
    lines.push('# TYPE db_client_connection_count gauge');
    lines.push(`db_client_connection_count{db_client_connection_state="used",${resource}} ${g.used}`);
    lines.push(`db_client_connection_count{db_client_connection_state="idle",${resource}} ${g.idle}`);
    lines.push('# TYPE db_client_connection_pending_requests gauge');
    lines.push(`db_client_connection_pending_requests{${resource}} ${g.pending}`);
    lines.push('# TYPE db_client_connection_max gauge');
    lines.push(`db_client_connection_max{${resource}} ${g.max}`);
    lines.push('# TYPE v8js_memory_heap_used gauge');
    g.heap.forEach((bytes, i) => {
      lines.push(`v8js_memory_heap_used{v8js_heap_space_name="space${i}",${resource}} ${bytes}`);
    });
    lines.push('# TYPE process_memory_usage gauge');
    lines.push(`process_memory_usage{${resource}} ${g.rss}`);
    lines.push('# TYPE nodejs_eventloop_delay_p99 gauge');
    lines.push(`nodejs_eventloop_delay_p99{${resource}} ${g.loopP99}`);
    // The exporter writes NaN for a statistic with no sample yet; the parser must not drop the whole scrape.
    lines.push('# TYPE nodejs_eventloop_delay_mean gauge');
    lines.push(`nodejs_eventloop_delay_mean{${resource}} NaN`);
  }
  return `${lines.join('\n')}\n`;
}

/** A local metrics target: `body` is served as exposition text; `down` answers 503. */
export interface StubTarget {
  readonly url: string;
  body: string;
  down: boolean;
  close(): Promise<void>;
}

export async function startStubTarget(): Promise<StubTarget> {
  const state = { body: '', down: false };
  const server: Server = createServer((_req, res) => {
    if (state.down) {
      res.writeHead(503).end('down');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(state.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, set: (ms: number) => (t = ms), advance: (ms: number) => (t += ms) };
}

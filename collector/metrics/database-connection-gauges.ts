// The database server's connection limit on the collector's /metrics (PostgreSQL only; no samples on the
// embedded database): client connections open on the whole server, its max_connections, and the slots
// reserved for superusers — read from the primary at scrape time with the alert's own query
// (collector/alerts/database-connections.ts), once per scrape for the three gauges. The generated Prometheus
// rule DatabaseConnectionsNearLimit divides the first by the second minus the third, as the collector
// does. A failed read leaves no samples rather than old ones. No labels. The names are in
// core/telemetry/collector-metric-names.ts.
import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../../core/db/types.ts';
import { databaseConnectionMetrics } from '../../core/telemetry/collector-metric-names.ts';
import { type DatabaseConnections, readDatabaseConnections } from '../alerts/database-connections.ts';

/** One read serves the three gauges of a scrape (prom-client collects them concurrently). */
const shareReadMs = 1_000;

export function registerDatabaseConnectionGauges(registry: Registry, db: Db): void {
  let reading: { at: number; result: Promise<DatabaseConnections | null> } | null = null;
  const read = () => {
    const now = Date.now();
    if (!reading || now - reading.at > shareReadMs) {
      reading = { at: now, result: readDatabaseConnections(db).catch(() => null) };
    }
    return reading.result;
  };
  const gauge = (name: string, help: string, value: (connections: DatabaseConnections) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const connections = await read();
        this.reset();
        if (connections) this.set(value(connections));
      },
    });
  gauge(
    databaseConnectionMetrics.used,
    "Client connections open on the whole database server (pg_stat_activity, backend_type = 'client backend'; every database and role), read on the primary",
    (connections) => connections.used,
  );
  gauge(
    databaseConnectionMetrics.max,
    "The database server's max_connections setting",
    (connections) => connections.maxConnections,
  );
  gauge(
    databaseConnectionMetrics.reserved,
    'Connection slots roles that are not superusers cannot take: superuser_reserved_connections + reserved_connections (PostgreSQL 16+)',
    (connections) => connections.reserved,
  );
}

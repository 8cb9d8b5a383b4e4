// What a data layer reports itself (core/telemetry/db-channels.ts: Pulse's own, on PostgreSQL or embedded
// PGlite) goes into the same instruments as the pg and sqlite3 patches: each query's duration, and the
// gauges of each pool it announces.
import type { AnnouncedPool, ReportedQuery } from '../../core/telemetry/db-channels.ts';
import { poolChannel, queryChannel } from '../../core/telemetry/db-channels.ts';
import { recordOperation, registerPoolGauges, trackPool, uniquePoolName } from './db-instruments.ts';
import { guarded } from './fault-guard.ts';

export function recordDataLayerReports(): void {
  queryChannel.subscribe((message) => {
    const query = message as ReportedQuery;
    recordOperation('data layer', {
      system: query.system,
      summary: query.summary,
      operation: query.operation,
      poolName: query.poolName,
      durationSeconds: query.durationSeconds,
      errorType: query.failed ? 'query_failed' : undefined,
    });
  });
  poolChannel.subscribe((message) => {
    guarded('data layer pool', () => {
      const pool = message as AnnouncedPool;
      trackPool({ ...pool, name: uniquePoolName(pool.name) });
      registerPoolGauges();
    });
  });
}

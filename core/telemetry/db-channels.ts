// How a data layer that is not `pg` or `sqlite3` (Pulse's own, which also runs on embedded PGlite) reports to
// the drop-in agent: two diagnostics channels, free when nothing subscribes. The agent (agent/drop-in/)
// subscribes; the data layer publishes each finished query, and announces each pool once with a function
// the pool gauges read at scrape time. A pg query the data layer already reports carries `reportedQuery`, so
// the agent's pg instrumentation does not count it twice.
import { channel } from 'node:diagnostics_channel';

export interface ReportedQuery {
  /** Bounded, never literal values: a query name (`artists.find`) or an operation and table. */
  readonly summary: string;
  /** SELECT, INSERT, UPDATE, DELETE, COPY, SCRIPT… */
  readonly operation: string;
  /** OpenTelemetry's db.system.name: postgresql, sqlite. */
  readonly system: string;
  readonly poolName: string;
  readonly durationSeconds: number;
  readonly failed: boolean;
}

export interface PoolStatsSnapshot {
  readonly max: number;
  readonly used: number;
  readonly idle: number;
  readonly pending: number;
}

export interface AnnouncedPool {
  readonly name: string;
  readonly stats: () => PoolStatsSnapshot;
  /** Whether the pool still exists; a closed pool's gauges are dropped. */
  readonly open: () => boolean;
}

export const queryChannel = channel('pledgr:db.query');
export const poolChannel = channel('pledgr:db.pool');

/** Marks a pg query config (or submittable) whose timing the data layer reports itself. */
export const reportedQuery: unique symbol = Symbol.for('pledgr.db.reported');

// The database server's own connection limit, read from PostgreSQL itself on the primary: how many client
// connections are open across the whole server (every database, every role: both agents' pools, the
// collector's, Grafana's, a person's psql) against how many ordinary roles may open. Each process's pool
// is bounded (the scaling guide's `max: 20`), but nothing bounds their sum: several agents can exceed what
// the server allows, and then the next connection is refused ("sorry, too many clients already" or
// "remaining connection slots are reserved…"). The alert input is used ÷ limit (DatabaseConnectionsNearLimit,
// DatabaseConnectionsExhausted); /metrics exports the three figures it comes from. PGlite has no such limit (one in-process
// connection): no reading there, and a missing input changes no alert.
//
// What counts, and why:
// - used: backends with backend_type = 'client backend' — exactly what max_connections bounds. Since
//   PostgreSQL 12 WAL senders have their own slots (max_wal_senders), and autovacuum and background workers
//   theirs; they are left out.
//   pg_stat_activity hides other roles' backend_type (NULL) from a role without pg_read_all_stats (or
//   pg_monitor, which includes it): those rows are counted when they belong to a role (usesysid set), so
//   without the privilege the figure is an upper bound (one or two background workers of a role, such as the
//   logical replication launcher, are counted too), never an underestimate. `hidden` says how many.
// - limit: max_connections − superuser_reserved_connections − reserved_connections (PostgreSQL 16+; 0
//   before): the slots a role that is not a superuser (Pulse's, a managed provider's "postgres") may take.
//   Once used reaches it, ordinary roles are refused while the reserved slots stay free for an
//   administrator — so at a share of 1 the pledge API can open no more connections.
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';

export interface DatabaseConnections {
  /** Client backends open on the whole server (all databases and roles). */
  readonly used: number;
  /** Of `used`, rows whose type this role may not see (counted as client backends: an upper bound). */
  readonly hidden: number;
  /** The server's max_connections. */
  readonly maxConnections: number;
  /** superuser_reserved_connections + reserved_connections: slots ordinary roles cannot take. */
  readonly reserved: number;
  /** maxConnections − reserved: what ordinary roles may open in all. */
  readonly limit: number;
}

interface ConnectionsRow {
  readonly visible: number;
  readonly hidden: number;
  readonly maxConnections: number;
  readonly superuserReserved: number;
  readonly reserved: number;
}

// One constant statement, no parameters. current_setting(…, true) is NULL where the setting does not exist
// (reserved_connections before PostgreSQL 16).
const readConnections = defineQuery<Record<string, never>, ConnectionsRow>(
  'alerts.databaseConnections',
  `SELECT CAST(count(*) FILTER (WHERE backend_type = 'client backend') AS integer) AS visible,
          CAST(count(*) FILTER (WHERE backend_type IS NULL AND usesysid IS NOT NULL) AS integer) AS hidden,
          CAST(current_setting('max_connections') AS integer) AS "maxConnections",
          CAST(current_setting('superuser_reserved_connections') AS integer) AS "superuserReserved",
          COALESCE(CAST(current_setting('reserved_connections', true) AS integer), 0) AS reserved
     FROM pg_stat_activity`,
);

/** The server's connections now; null on the embedded database (no server, no limit). Throws when unreadable. */
export async function readDatabaseConnections(db: Db): Promise<DatabaseConnections | null> {
  if (db.kind === 'embedded') return null;
  const [row] = await db.query(readConnections, {});
  if (!row) throw new Error('pg_stat_activity returned no row');
  const reserved = row.superuserReserved + row.reserved;
  return {
    used: row.visible + row.hidden,
    hidden: row.hidden,
    maxConnections: row.maxConnections,
    reserved,
    limit: row.maxConnections - reserved,
  };
}

/** used ÷ limit: 1 or more means ordinary roles are refused. null when unknown or the limit is not positive. */
export function connectionsUsedShare(connections: DatabaseConnections | null): number | null {
  if (!connections || connections.limit <= 0) return null;
  return connections.used / connections.limit;
}

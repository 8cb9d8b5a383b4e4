// The production implementation: PostgreSQL through a pg.Pool sized by the scaling guide's defaults.
// Results are normalised with the same type parsers as PGlite; bulk loads use COPY FROM STDIN. A lost or
// refused connection is rethrown as DatabaseUnavailableError (HTTP 503), any other failure as it came. Every
// statement is reported on the data-layer channel under its query name and marked so that the drop-in
// agent's pg patch does not count it again; the agent names the pool's gauges from its options.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { reportedQuery } from '../telemetry/db-channels.ts';
import { copyStatement, csvChunks } from './csv.ts';
import { classifyDatabaseError } from './database-unavailable.ts';
import { bindParams, defineQuery, type Query, type QueryParams, type SqlValue } from './query.ts';
import { QueryEvents } from './query-events.ts';
import { sharedParsers } from './type-parsers.ts';
import type { CopyTarget, Db, PoolStats, Queryable, QueryListener } from './types.ts';

export interface PoolSettings {
  readonly max: number;
  readonly idleTimeoutMillis: number;
  readonly connectionTimeoutMillis: number;
}

export interface PostgresOptions {
  readonly url: string;
  readonly pool: PoolSettings;
  /** Reported to PostgreSQL as application_name (visible in pg_stat_activity). */
  readonly applicationName?: string;
}

const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    return sharedParsers[oid] ?? pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function openPostgresDb(options: PostgresOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.pool.max,
    idleTimeoutMillis: options.pool.idleTimeoutMillis,
    connectionTimeoutMillis: options.pool.connectionTimeoutMillis,
    application_name: options.applicationName ?? 'pledgr-pulse',
    // All KPI arithmetic is UTC, whatever the server's or the database's default time zone.
    options: '-c TimeZone=UTC',
    types: typeParsers,
  });
  // An idle client losing its connection must not crash the process; the next checkout reconnects.
  pool.on('error', () => undefined);
  const location = describeServer(options.url);
  return new PostgresDb(
    pool,
    location,
    options.pool.max,
    `${options.applicationName ?? 'pledgr-pulse'} ${location}`,
  );
}

/** A statement whose timing this data layer reports itself, so the drop-in's pg patch leaves it alone. */
function reported<T extends object>(query: T): T & { [reportedQuery]: true } {
  return Object.assign(query, { [reportedQuery]: true as const });
}

/** host:port/database, never the user name or password. */
export function describeServer(url: string): string {
  const parsed = new URL(url);
  return `postgres://${parsed.host}${parsed.pathname}`;
}

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  readonly #events: QueryEvents;
  readonly #direct: Queryable;

  constructor(
    readonly pool: pg.Pool,
    readonly location: string,
    private readonly maxConnections: number,
    poolName: string,
  ) {
    this.#events = new QueryEvents('postgres', poolName);
    this.#direct = new PostgresQueryable(pool, this.#events);
  }

  poolStats(): PoolStats {
    const { totalCount, idleCount, waitingCount } = this.pool;
    return { max: this.maxConnections, used: totalCount - idleCount, idle: idleCount, pending: waitingCount };
  }

  query<P extends QueryParams, R>(query: Query<P, R>, params: P): Promise<R[]> {
    return this.#direct.query(query, params);
  }

  copyRows(target: CopyTarget, rows: Iterable<readonly SqlValue[]>): Promise<number> {
    return this.transaction((tx) => tx.copyRows(target, rows));
  }

  runScript(name: string, sql: string): Promise<void> {
    return this.#direct.runScript(name, sql);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    try {
      return await this.#transaction(work);
    } catch (error) {
      throw classifyDatabaseError(error);
    }
  }

  /** `setup`: statements right after BEGIN (an isolation level, an imported snapshot). */
  async #transaction<T>(work: (tx: Queryable) => Promise<T>, setup: readonly string[] = []): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // The pool listens for errors on idle clients only: a checked-out client whose server goes away
    // (57P01 on `pg_ctl stop -m fast`) would emit an unhandled 'error' and crash the process. The statement
    // in flight, or the next one, fails on its own and the transaction rolls back as usual.
    const markBroken = () => {
      broken = true;
    };
    client.on('error', markBroken);
    try {
      await client.query(reported({ text: 'BEGIN' }));
      for (const text of setup) await client.query(reported({ text }));
      const result = await work(new PostgresQueryable(client, this.#events, this.#snapshotSharing));
      await client.query(reported({ text: 'COMMIT' }));
      return result;
    } catch (error) {
      try {
        await client.query(reported({ text: 'ROLLBACK' }));
      } catch {
        broken = true; // the connection is gone: do not hand it back to the pool
      }
      throw error;
    } finally {
      client.off('error', markBroken);
      client.release(broken);
    }
  }

  /** How a transaction's statements run others in its snapshot: see Queryable.inSharedSnapshot. */
  readonly #snapshotSharing: SnapshotSharing = {
    spareConnections: () => this.maxConnections - this.pool.totalCount + this.pool.idleCount,
    joinSnapshot: (snapshotId, work) =>
      this.#transaction(work, [
        'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY',
        `SET TRANSACTION SNAPSHOT '${snapshotId}'`,
      ]),
  };

  onQuery(listener: QueryListener): () => void {
    return this.#events.subscribe(listener);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

interface SnapshotSharing {
  spareConnections(): number;
  joinSnapshot<T>(snapshotId: string, work: (tx: Queryable) => Promise<T>): Promise<T>;
}

const exportSnapshot = defineQuery<Record<string, never>, { snapshotId: string }>(
  'db.exportSnapshot',
  'SELECT pg_export_snapshot() AS "snapshotId"',
);

/** Runs statements on a pool (each on any free connection) or on one checked-out client (a transaction). */
class PostgresQueryable implements Queryable {
  constructor(
    private readonly target: pg.Pool | pg.PoolClient,
    private readonly events: QueryEvents,
    /** Set inside a transaction: lets its statements run others in its snapshot. */
    private readonly sharing?: SnapshotSharing,
  ) {}

  async inSharedSnapshot<T>(works: ReadonlyArray<(tx: Queryable) => Promise<T>>): Promise<T[] | undefined> {
    const sharing = this.sharing;
    // One connection is left for everything else the process does (request handlers, the pool gauges).
    if (!sharing || sharing.spareConnections() < works.length + 1) return undefined;
    const [exported] = await this.query(exportSnapshot, {});
    const snapshotId = exported?.snapshotId ?? '';
    if (!/^[0-9A-F-]+$/i.test(snapshotId)) throw new Error(`unexpected snapshot id "${snapshotId}"`);
    // Every one ends before this settles: a read that failed on one connection must not still run on the
    // others (holding their connections, or joining a snapshot whose transaction is gone) after its caller
    // has moved on.
    const settled = await Promise.allSettled(works.map((work) => sharing.joinSnapshot(snapshotId, work)));
    return settled.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
  }

  query<P extends QueryParams, R>(query: Query<P, R>, params: P): Promise<R[]> {
    const values = bindParams(query, params);
    return this.events
      .observe(
        query.name,
        query.operation,
        async () => (await this.target.query(reported({ text: query.text, values }))).rows as R[],
        (rows) => rows.length,
      )
      .catch((error: unknown) => {
        throw classifyDatabaseError(error);
      });
  }

  async copyRows(target: CopyTarget, rows: Iterable<readonly SqlValue[]>): Promise<number> {
    if (this.target instanceof pg.Pool) throw new Error('copyRows on a pool runs inside a transaction');
    const client = this.target;
    const statement = copyStatement(target.table, target.columns, 'STDIN');
    let written = 0;
    await this.events.observe(
      `copy.${target.table}`,
      'COPY',
      () =>
        pipeline(
          Readable.from(
            (function* () {
              for (const chunk of csvChunks(rows)) {
                written += chunk.rowCount;
                yield chunk.text;
              }
            })(),
          ),
          client.query(reported(copyFrom(statement))),
        ),
      () => written,
    );
    return written;
  }

  async runScript(name: string, sql: string): Promise<void> {
    await this.events
      .observe(
        name,
        'SCRIPT',
        () => this.target.query(reported({ text: sql })),
        () => 0,
      )
      .catch((error: unknown) => {
        throw classifyDatabaseError(error);
      });
  }
}

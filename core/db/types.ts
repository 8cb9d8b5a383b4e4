// The data layer's one interface: named-parameter queries returning typed rows, bulk copy, scripts and
// transactions. Two implementations (PGlite in-process, PostgreSQL through pg.Pool) behave the same.
import type { Query, QueryOperation, QueryParams, SqlValue } from './query.ts';

export type DatabaseKind = 'embedded' | 'postgres';

/** A table and the columns that `copyRows` fills, in the order the row arrays give them. */
export interface CopyTarget {
  readonly table: string;
  readonly columns: readonly string[];
}

export interface Queryable {
  query<P extends QueryParams, R>(query: Query<P, R>, params: P): Promise<R[]>;
  /** Bulk-loads rows (COPY … FROM in CSV); returns the number of rows written. */
  copyRows(target: CopyTarget, rows: Iterable<readonly SqlValue[]>): Promise<number>;
  /**
   * Runs a trusted multi-statement script with no parameters (migrations only). The SQL comes from files
   * under `queries/`, never from input.
   */
  runScript(name: string, sql: string): Promise<void>;
  /**
   * PostgreSQL, inside a transaction only: runs each of `works` at once, each on a connection of its own in a
   * read-only transaction that imports this transaction's snapshot (pg_export_snapshot), so every one reads
   * exactly what this transaction reads. Resolves undefined, running nothing, when the pool has no spare
   * connections for them (the caller does the work itself). When one fails, it rejects with that error once
   * all of them have ended, so nothing of the read still runs after it. Absent on PGlite (one connection).
   */
  inSharedSnapshot?<T>(works: ReadonlyArray<(tx: Queryable) => Promise<T>>): Promise<T[] | undefined>;
}

/** Connection-pool occupancy, for the pool gauges (PGlite is a pool of one connection with a queue). */
export interface PoolStats {
  readonly max: number;
  readonly used: number;
  readonly idle: number;
  /** Callers waiting for a connection (PGlite: for the single connection). */
  readonly pending: number;
}

export interface Db extends Queryable {
  readonly kind: DatabaseKind;
  /** Where the data lives, safe to print: a directory, or the server address without credentials. */
  readonly location: string;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Subscribes to every finished query (the one place query durations are observed); returns unsubscribe. */
  onQuery(listener: QueryListener): () => void;
  poolStats(): PoolStats;
  /**
   * Embedded only: the same database, whose calls yield to waiting calls of this one (one statement runs at
   * a time there). `pulse start` hands it to the collector so the pledge API's queries go first.
   */
  background?(): Db;
  close(): Promise<void>;
}

export interface QueryEvent {
  readonly queryName: string;
  readonly operation: QueryOperation | 'COPY' | 'SCRIPT' | 'TRANSACTION';
  readonly database: DatabaseKind;
  readonly durationSeconds: number;
  /** Rows returned (or written, for COPY); 0 for a failed query. */
  readonly rowCount: number;
  readonly failed: boolean;
}

export type QueryListener = (event: QueryEvent) => void;

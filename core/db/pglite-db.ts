// The embedded implementation: PostgreSQL in WASM (PGlite), in-process, file-backed under PULSE_DATA_DIR.
// Calls are serialised through one queue; a transaction holds the queue until it commits or rolls back.
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { poolChannel } from '../telemetry/db-channels.ts';
import { copyStatement, csvChunks } from './csv.ts';
import { bindParams, type Query, type QueryParams, type SqlValue } from './query.ts';
import { QueryEvents } from './query-events.ts';
import { SerialQueue } from './serial-queue.ts';
import { sharedParsers } from './type-parsers.ts';
import type { CopyTarget, Db, PoolStats, Queryable, QueryListener } from './types.ts';

/** Rows per COPY blob: large enough to amortise the call, small enough to keep the WASM heap modest. */
const copyChunkRows = 20_000;

export interface PgliteOptions {
  /** A directory for the data files, or `memory://` for a throw-away database (tests). */
  readonly dataDir: string;
  /** Names the pool in the metrics, as application_name does on PostgreSQL. */
  readonly applicationName?: string;
}

export async function openPgliteDb(options: PgliteOptions): Promise<Db> {
  const inMemory = options.dataDir.startsWith('memory://');
  if (!inMemory) await mkdir(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(inMemory ? undefined : options.dataDir, { parsers: sharedParsers });
  // All KPI arithmetic is UTC, as on the PostgreSQL pool.
  await pglite.exec("SET TIME ZONE 'UTC'");
  const db = new PgliteDb(pglite, inMemory ? 'in-memory' : options.dataDir, options.applicationName);
  // The drop-in agent, when loaded, reads this one-connection pool's gauges at each scrape.
  if (poolChannel.hasSubscribers) {
    poolChannel.publish({ name: db.poolName, stats: () => db.poolStats(), open: () => !db.closed });
  }
  return db;
}

class PgliteDb implements Db {
  readonly kind = 'embedded' as const;
  readonly #queue = new SerialQueue();
  readonly #events: QueryEvents;
  readonly #direct: Queryable;
  readonly poolName: string;
  closed = false;
  /** Set while a transaction holds the queue: a top-level call from inside it would wait forever. */
  readonly #insideTransaction = new AsyncLocalStorage<true>();

  constructor(
    private readonly pglite: PGlite,
    readonly location: string,
    applicationName = 'pledgr-pulse',
  ) {
    this.poolName = `${applicationName} ${location}`;
    this.#events = new QueryEvents('embedded', this.poolName);
    this.#direct = new PgliteQueryable(pglite, this.#events);
  }

  query<P extends QueryParams, R>(query: Query<P, R>, params: P): Promise<R[]> {
    return this.#exclusive(() => this.#direct.query(query, params));
  }

  copyRows(target: CopyTarget, rows: Iterable<readonly SqlValue[]>): Promise<number> {
    return this.transaction((tx) => tx.copyRows(target, rows));
  }

  runScript(name: string, sql: string): Promise<void> {
    return this.#exclusive(() => this.#direct.runScript(name, sql));
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#exclusive(async () => {
      await this.pglite.exec('BEGIN');
      try {
        const result = await this.#insideTransaction.run(true, () => work(this.#direct));
        await this.pglite.exec('COMMIT');
        return result;
      } catch (error) {
        await this.pglite.exec('ROLLBACK');
        throw error;
      }
    });
  }

  onQuery(listener: QueryListener): () => void {
    return this.#events.subscribe(listener);
  }

  poolStats(): PoolStats {
    const busy = Math.min(this.#queue.size, 1);
    return { max: 1, used: busy, idle: 1 - busy, pending: Math.max(this.#queue.size - 1, 0) };
  }

  close(): Promise<void> {
    this.closed = true;
    return this.#queue.run(() => this.pglite.close());
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.#insideTransaction.getStore()) {
      return Promise.reject(
        new Error('the database was called directly inside a transaction: use its tx handle'),
      );
    }
    return this.#queue.run(task);
  }
}

/** Issues statements directly; only reachable through the queue (top level) or inside a held transaction. */
class PgliteQueryable implements Queryable {
  constructor(
    private readonly pglite: PGlite,
    private readonly events: QueryEvents,
  ) {}

  query<P extends QueryParams, R>(query: Query<P, R>, params: P): Promise<R[]> {
    const values = bindParams(query, params);
    return this.events.observe(
      query.name,
      query.operation,
      async () => (await this.pglite.query<R>(query.text, values)).rows,
      (rows) => rows.length,
    );
  }

  async copyRows(target: CopyTarget, rows: Iterable<readonly SqlValue[]>): Promise<number> {
    const statement = copyStatement(target.table, target.columns, "'/dev/blob'");
    let written = 0;
    for (const chunk of csvChunks(rows, copyChunkRows)) {
      await this.events.observe(
        `copy.${target.table}`,
        'COPY',
        () => this.pglite.query(statement, [], { blob: new Blob([chunk.text]) }),
        () => chunk.rowCount,
      );
      written += chunk.rowCount;
    }
    return written;
  }

  async runScript(name: string, sql: string): Promise<void> {
    await this.events.observe(
      name,
      'SCRIPT',
      () => this.pglite.exec(sql),
      () => 0,
    );
  }
}

// The embedded implementation: PostgreSQL in WASM (PGlite), file-backed under PULSE_DATA_DIR, on this thread
// or (thread: 'worker', as `pulse start` runs it) on a worker thread of its own (pglite-thread.ts).
// Calls are serialised through one queue; a transaction holds the queue until it commits or rolls back.
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { poolChannel } from '../telemetry/db-channels.ts';
import { copyStatement, csvChunks } from './csv.ts';
import { inProcessEngine, needsInitdb, openPglite, type PgliteEngine } from './pglite-engine.ts';
import { copyTemplate } from './pglite-template.ts';
import { bindParams, type Query, type QueryParams, type SqlValue } from './query.ts';
import { QueryEvents } from './query-events.ts';
import { type QueueLane, SerialQueue } from './serial-queue.ts';
import type { CopyTarget, Db, PoolStats, Queryable, QueryListener } from './types.ts';

/** Rows per COPY blob: large enough to amortise the call, small enough to keep the WASM heap modest. */
const copyChunkRows = 20_000;

export interface PgliteOptions {
  /** A directory for the data files, or `memory://` for a throw-away database (tests). */
  readonly dataDir: string;
  /** Names the pool in the metrics, as application_name does on PostgreSQL. */
  readonly applicationName?: string;
  /**
   * Where the WASM PostgreSQL executes: 'main' (this thread; CLI commands and tests) or 'worker' (a thread
   * of its own, so a long query does not stall this thread's event loop). Default 'main'.
   */
  readonly thread?: 'main' | 'worker';
  /**
   * A new data directory is a copy of the template cluster made at install (pglite-template.ts); without
   * one, its cluster is created by initdb — with this set on a throw-away thread, so the memory initdb takes
   * is given back (long-running services: `pulse start`). Default false (one-shot commands and tests).
   */
  readonly initdbInThread?: boolean;
  /** False: create a new cluster with initdb even when there is a template (tests of that path). */
  readonly template?: boolean;
}

export async function openPgliteDb(options: PgliteOptions): Promise<Db> {
  const inMemory = options.dataDir.startsWith('memory://');
  if (!inMemory) await mkdir(options.dataDir, { recursive: true });
  const dataDir = inMemory ? undefined : options.dataDir;
  if (dataDir && needsInitdb(dataDir)) {
    const copied = options.template !== false && (await copyTemplate(dataDir));
    if (!copied && options.initdbInThread) await (await import('./pglite-thread.ts')).initdbInThread(dataDir);
  }
  const pglite =
    options.thread === 'worker'
      ? await (await import('./pglite-thread.ts')).startPgliteThread(dataDir)
      : inProcessEngine(await openPglite(dataDir));
  const db = new PgliteDb(pglite, inMemory ? 'in-memory' : options.dataDir, options.applicationName);
  // The drop-in agent, when loaded, reads this one-connection pool's gauges at each scrape.
  if (poolChannel.hasSubscribers) {
    poolChannel.publish({ name: db.poolName, stats: () => db.poolStats(), open: () => !db.closed });
  }
  return db;
}

/** What a database and its background view share: one engine, one queue, one set of query events. */
interface Shared {
  readonly pglite: PgliteEngine;
  readonly queue: SerialQueue;
  readonly events: QueryEvents;
  readonly direct: Queryable;
  /** Set while a transaction holds the queue: a top-level call from inside it would wait forever. */
  readonly insideTransaction: AsyncLocalStorage<true>;
}

class PgliteDb implements Db {
  readonly kind = 'embedded' as const;
  readonly poolName: string;
  closed = false;
  readonly #shared: Shared;
  readonly #lane: QueueLane;

  constructor(
    pglite: PgliteEngine,
    readonly location: string,
    applicationName = 'pledgr-pulse',
    shared?: Shared,
    lane: QueueLane = 'foreground',
  ) {
    this.poolName = `${applicationName} ${location}`;
    const events = shared?.events ?? new QueryEvents('embedded', this.poolName);
    this.#shared = shared ?? {
      pglite,
      queue: new SerialQueue(),
      events,
      direct: new PgliteQueryable(pglite, events),
      insideTransaction: new AsyncLocalStorage<true>(),
    };
    this.#lane = lane;
  }

  /**
   * The same database, whose calls wait behind every waiting foreground call (serial-queue.ts): what
   * `pulse start` hands the collector, so the pledge API's queries go first.
   */
  background(): Db {
    return new PgliteDb(this.#shared.pglite, this.location, undefined, this.#shared, 'background');
  }

  query<P extends QueryParams, R>(query: Query<P, R>, params: P): Promise<R[]> {
    return this.#exclusive(() => this.#shared.direct.query(query, params));
  }

  copyRows(target: CopyTarget, rows: Iterable<readonly SqlValue[]>): Promise<number> {
    return this.transaction((tx) => tx.copyRows(target, rows));
  }

  runScript(name: string, sql: string): Promise<void> {
    return this.#exclusive(() => this.#shared.direct.runScript(name, sql));
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#exclusive(async () => {
      await this.#shared.pglite.exec('BEGIN');
      try {
        const result = await this.#shared.insideTransaction.run(true, () => work(this.#shared.direct));
        await this.#shared.pglite.exec('COMMIT');
        return result;
      } catch (error) {
        await this.#shared.pglite.exec('ROLLBACK');
        throw error;
      }
    });
  }

  onQuery(listener: QueryListener): () => void {
    return this.#shared.events.subscribe(listener);
  }

  poolStats(): PoolStats {
    const size = this.#shared.queue.size;
    const busy = Math.min(size, 1);
    return { max: 1, used: busy, idle: 1 - busy, pending: Math.max(size - 1, 0) };
  }

  close(): Promise<void> {
    this.closed = true;
    return this.#shared.queue.run(() => this.#shared.pglite.close(), this.#lane);
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.#shared.insideTransaction.getStore()) {
      return Promise.reject(
        new Error('the database was called directly inside a transaction: use its tx handle'),
      );
    }
    return this.#shared.queue.run(task, this.#lane);
  }
}

/** Issues statements directly; only reachable through the queue (top level) or inside a held transaction. */
class PgliteQueryable implements Queryable {
  constructor(
    private readonly pglite: PgliteEngine,
    private readonly events: QueryEvents,
  ) {}

  query<P extends QueryParams, R>(query: Query<P, R>, params: P): Promise<R[]> {
    const values = bindParams(query, params);
    return this.events.observe(
      query.name,
      query.operation,
      () => this.pglite.query<R>(query.text, values),
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
        () => this.pglite.query(statement, [], chunk.text),
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

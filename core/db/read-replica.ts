// Reads on a replica (DATABASE_READ_URL): a Db that sends each read to a hot-standby streaming replica of
// the primary while that replica is fresh enough, and to the primary otherwise. Writes never go there.
//
// Freshness (replica-monitor.ts, replica-lag.ts): the primary's WAL position (pg_current_wal_lsn) is sampled
// with a timestamp at every check and a few seconds of samples are kept; the replica's lag is the time since
// the newest sample its replay position (pg_last_wal_replay_lsn) has reached — 0 when it is at or past the
// latest. A read goes to the replica only when that lag plus the age of the check is at most
// DATABASE_READ_MAX_LAG_MS. Checks are cached (at most one per 250 ms, shared by concurrent readers), run
// in the background while the replica is fresh, and a reader waits for one only when the last check is
// older than that and the replica was streaming. An unreachable replica, one that is not in recovery
// (pg_is_in_recovery() false: a primary, or promoted — misconfigured, said once in the log) or a standby of
// another cluster is never read from. A query that finds it gone, or is cancelled by a conflict with
// recovery, is retried on the primary; a transaction only if its work had not begun (it may not be safe to
// run twice — the KPI engine then serves its last report, marked stale).
//
// Why the KPI change-log sync tolerates a replica (core/kpi/period-cache.ts): a physical streaming replica
// replays the primary's WAL in commit order, so every snapshot taken on it is a snapshot the primary had
// earlier. The pledge tables and the kpi_changes rows their triggers wrote in the same transactions are
// therefore consistent with each other there; xid8 transaction ids are the same on every server of the
// cluster; so the cache's cursor (pg_snapshot_xmin of the snapshot last read) means the same on either
// server: every transaction that snapshot did not see has an xid at or above it, and the next sync, on
// whichever server, reads its log rows once they are visible there. Moving between the two only ever
// re-reads log entries (harmless: they only invalidate). A report read on the replica may
// be up to DATABASE_READ_MAX_LAG_MS behind the primary; beyond that reads go to the primary, so a lagging
// replica is never served as fresh.
//
// What goes where: `query` sends statements that only read (SELECT, or WITH with no data-changing verb —
// isReadOnlyQuery) by freshness, anything else to the primary; `transaction` is for reading only (the KPI
// engine reads inside one after `SET TRANSACTION …`), the whole transaction on one server; `copyRows` and
// `runScript` always run on the primary. Query events of both pools reach `onQuery` listeners — subscribe
// here or to the primary, not both, or the primary's are counted twice. `poolStats` and `close` are the
// replica pool's: the primary belongs to the caller, who closes it.
import type { DatabaseConfig } from '../config/database-config.ts';
import { DatabaseUnavailableError } from './database-unavailable.ts';
import { openPostgresDb } from './postgres-db.ts';
import type { Query, QueryParams, SqlValue } from './query.ts';
import { ReplicaMonitor, type ReplicaState } from './replica-monitor.ts';
import type { CopyTarget, Db, PoolStats, Queryable, QueryListener } from './types.ts';

export type ReadTarget = 'replica' | 'primary';

export interface ReplicaStatus {
  readonly state: ReplicaState;
  /** How far behind the primary the replica was at the last check; null unless it is streaming. */
  readonly lagSeconds: number | null;
  /** Whether the replica's lag is within the tolerance now, i.e. where the next read goes. */
  readonly fresh: boolean;
  /** The server that served the latest read; null before the first. */
  readonly readsFrom: ReadTarget | null;
  /** Reads (queries and transactions) served by each server since the start. */
  readonly reads: Readonly<Record<ReadTarget, number>>;
  readonly maxLagSeconds: number;
}

export interface OpenReadDbOptions {
  /** Where changes of the replica's state are reported (once each); default: stderr. */
  readonly log?: (message: string) => void;
}

/**
 * The database a service reads from: the primary itself when no DATABASE_READ_URL is configured, else a
 * ReplicaRoutingDb over a pool on the replica (checked once before this resolves).
 */
export async function openReadDb(
  config: DatabaseConfig,
  primary: Db,
  applicationName: string,
  options: OpenReadDbOptions = {},
): Promise<Db> {
  if (config.kind !== 'postgres' || !config.read) return primary;
  const replica = openPostgresDb({ url: config.read.url, pool: config.pool, applicationName });
  const db = new ReplicaRoutingDb(primary, replica, {
    maxLagMs: config.read.maxLagMs,
    log: options.log ?? ((message) => console.error(message)),
  });
  await db.refresh();
  return db;
}

const writingWords =
  /\b(insert|update|delete|merge|into|nextval|setval|pg_notify)\b|\bfor\s+(key\s+)?share\b/i;

/** A statement a hot standby can run: SELECT, or WITH, with no verb or function that writes. */
export function isReadOnlyQuery(query: Query<QueryParams, unknown>): boolean {
  if (query.operation !== 'SELECT' && query.operation !== 'WITH') return false;
  return !writingWords.test(query.text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' '));
}

/** SQLSTATEs a standby raises when replay cancels a query (conflict with recovery): the primary answers. */
const recoveryConflicts = new Set(['40001', '40P01']);

export class ReplicaRoutingDb implements Db {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly #monitor: ReplicaMonitor;
  readonly #reads: Record<ReadTarget, number> = { replica: 0, primary: 0 };
  readonly #maxLagMs: number;
  #last: ReadTarget | null = null;

  constructor(
    readonly primary: Db,
    readonly replica: Db,
    options: {
      readonly maxLagMs: number;
      readonly log: (message: string) => void;
      readonly now?: () => number;
    },
  ) {
    this.location = `${replica.location} (replica of ${primary.location})`;
    this.#maxLagMs = options.maxLagMs;
    this.#monitor = new ReplicaMonitor({
      primary,
      replica,
      replicaLocation: replica.location,
      maxLagMs: options.maxLagMs,
      log: options.log,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Checks the replica now when a check is due (for a scrape: the gauges show a current lag). */
  refresh(): Promise<void> {
    return this.#monitor.refreshIfDue();
  }

  status(): ReplicaStatus {
    const { state, lag } = this.#monitor.reading;
    return {
      state,
      lagSeconds: state === 'streaming' && lag ? lag.lagMs / 1000 : null,
      fresh: this.#monitor.isFresh(),
      readsFrom: this.#last,
      reads: { ...this.#reads },
      maxLagSeconds: this.#maxLagMs / 1000,
    };
  }

  lagSeconds(): number | null {
    return this.status().lagSeconds;
  }

  readsFrom(): ReadTarget | null {
    return this.#last;
  }

  async query<P extends QueryParams, R>(query: Query<P, R>, params: P): Promise<R[]> {
    if (!isReadOnlyQuery(query)) return this.primary.query(query, params);
    if ((await this.#target()) === 'replica') {
      try {
        const rows = await this.replica.query(query, params);
        this.#served('replica');
        return rows;
      } catch (error) {
        if (!this.#isReplicaTrouble(error)) throw error;
      }
    }
    const rows = await this.primary.query(query, params);
    this.#served('primary');
    return rows;
  }

  /** For reading only: on the replica, any write inside fails (the server refuses it). */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    if ((await this.#target()) === 'replica') {
      let began = false;
      try {
        const result = await this.replica.transaction((tx) => {
          began = true;
          return work(tx);
        });
        this.#served('replica');
        return result;
      } catch (error) {
        // Retried on the primary only when `work` never ran: it may not be safe to run twice.
        const trouble = this.#isReplicaTrouble(error);
        if (began || !trouble) throw error;
      }
    }
    const result = await this.primary.transaction(work);
    this.#served('primary');
    return result;
  }

  copyRows(target: CopyTarget, rows: Iterable<readonly SqlValue[]>): Promise<number> {
    return this.primary.copyRows(target, rows);
  }

  runScript(name: string, sql: string): Promise<void> {
    return this.primary.runScript(name, sql);
  }

  onQuery(listener: QueryListener): () => void {
    const fromPrimary = this.primary.onQuery(listener);
    const fromReplica = this.replica.onQuery(listener);
    return () => {
      fromPrimary();
      fromReplica();
    };
  }

  poolStats(): PoolStats {
    return this.replica.poolStats();
  }

  close(): Promise<void> {
    this.#monitor.close();
    return this.replica.close();
  }

  async #target(): Promise<ReadTarget> {
    if (this.#monitor.isFresh()) {
      void this.#monitor.refreshIfDue();
      return 'replica';
    }
    if (this.#monitor.worthWaitingFor()) {
      await this.#monitor.refreshIfDue();
      return this.#monitor.isFresh() ? 'replica' : 'primary';
    }
    void this.#monitor.refreshIfDue();
    return 'primary';
  }

  /** A lost replica, or a read cancelled by replay: worth answering from the primary instead. */
  #isReplicaTrouble(error: unknown): boolean {
    if (error instanceof DatabaseUnavailableError) {
      this.#monitor.noteUnreachable(error.cause ?? error);
      return true;
    }
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' && recoveryConflicts.has(code);
  }

  #served(target: ReadTarget): void {
    this.#reads[target]++;
    this.#last = target;
  }
}

// Watches a read replica for the routing read database (read-replica.ts): is it a hot standby of this
// primary, reachable, and how far behind (replica-lag.ts)? One check asks the primary for its WAL position,
// then the replica for its replay position — in that order, so writes landing in between can only make the
// replica look further behind, never closer. Checks are cached: at most one every `checkIntervalMs` while
// the replica streams (a few per second at most, each two one-row queries), less often while it is down or
// misconfigured; concurrent readers share the check in flight. Each change of state is logged once.
import { defineQuery } from './query.ts';
import { type LagEstimate, PrimaryLsnHistory, parseLsn } from './replica-lag.ts';
import type { Queryable } from './types.ts';

/**
 * unchecked: not looked at yet; streaming: a hot standby of the primary, answering; unreachable: no answer;
 * not-standby: answers but is not in recovery (a primary, or a promoted replica); other-cluster: a standby of
 * another primary; primary-unreadable: the primary's own position could not be read.
 */
export type ReplicaState =
  | 'unchecked'
  | 'streaming'
  | 'unreachable'
  | 'not-standby'
  | 'other-cluster'
  | 'primary-unreadable';

export interface ReplicaReading {
  readonly state: ReplicaState;
  /** When the check began (the primary's sample time), on the monotonic clock; -Infinity before the first. */
  readonly checkedAtMs: number;
  /** The lag at that moment; null unless streaming. */
  readonly lag: LagEstimate | null;
}

export interface ReplicaMonitorOptions {
  readonly primary: Queryable;
  readonly replica: Queryable;
  /** The replica's address without credentials, for the log. */
  readonly replicaLocation: string;
  readonly maxLagMs: number;
  readonly log: (message: string) => void;
  /** A monotonic clock in ms (default performance.now): wall-clock steps must not fake or hide lag. */
  readonly now?: () => number;
}

const primaryPosition = defineQuery<Record<string, never>, { lsn: string; systemId: string }>(
  'replica.primaryPosition',
  `SELECT pg_current_wal_lsn()::text AS lsn,
          (SELECT system_identifier::text FROM pg_control_system()) AS "systemId"`,
);
const replayPosition = defineQuery<
  Record<string, never>,
  { inRecovery: boolean; replayLsn: string | null; systemId: string }
>(
  'replica.replayPosition',
  `SELECT pg_is_in_recovery() AS "inRecovery",
          pg_last_wal_replay_lsn()::text AS "replayLsn",
          (SELECT system_identifier::text FROM pg_control_system()) AS "systemId"`,
);

/** A check that has not answered by then counts as a failure (connection attempts have their own timeout). */
const checkTimeoutMs = 2_000;
const retryUnreachableMs = 1_000;
const retryMisconfiguredMs = 5_000;

export class ReplicaMonitor {
  readonly #options: ReplicaMonitorOptions;
  readonly #now: () => number;
  readonly #history: PrimaryLsnHistory;
  /** While streaming: often enough that the age of a reading adds little to the lag it showed. */
  readonly checkIntervalMs: number;
  #reading: ReplicaReading = { state: 'unchecked', checkedAtMs: Number.NEGATIVE_INFINITY, lag: null };
  #inFlight: Promise<void> | null = null;
  #closed = false;

  constructor(options: ReplicaMonitorOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.checkIntervalMs = Math.min(250, Math.max(25, Math.floor(options.maxLagMs / 4)));
    // Twice the tolerance: enough to tell "just behind" from "too far behind" with samples on both sides.
    this.#history = new PrimaryLsnHistory(2 * options.maxLagMs + 1_000);
  }

  get reading(): ReplicaReading {
    return this.#reading;
  }

  /**
   * Whether the replica may serve a read now: streaming, and its lag at the last check plus the time since
   * is within the tolerance. The replica never goes backwards, so that sum bounds its lag now.
   */
  isFresh(): boolean {
    const { state, lag, checkedAtMs } = this.#reading;
    if (state !== 'streaming' || !lag?.known) return false;
    return lag.lagMs + (this.#now() - checkedAtMs) <= this.#options.maxLagMs;
  }

  /** Whether the last check is old enough to be repeated. */
  isDue(): boolean {
    return this.#now() - this.#reading.checkedAtMs >= this.#retryAfterMs();
  }

  /**
   * Whether a reader should wait for a due check rather than go to the primary at once: only while the
   * replica was streaming (or not yet checked), when a fresh look may well send it there. A replica that is
   * down is retried in the background, never on a reader's time.
   */
  worthWaitingFor(): boolean {
    const { state } = this.#reading;
    return (state === 'streaming' || state === 'unchecked') && this.isDue();
  }

  /** Starts a check when one is due (or joins the one in flight); resolves when it is done. Never rejects. */
  refreshIfDue(): Promise<void> {
    if (this.#inFlight) return this.#inFlight;
    if (this.#closed || !this.isDue()) return Promise.resolve();
    const check = withTimeout(this.#check(), checkTimeoutMs).catch((error: unknown) => {
      this.#settle({ state: 'unreachable', checkedAtMs: this.#now(), lag: null }, describeError(error));
    });
    this.#inFlight = check.finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  /** A read on the replica failed for want of a connection: stop sending reads there until a check says so. */
  noteUnreachable(error: unknown): void {
    this.#settle({ state: 'unreachable', checkedAtMs: this.#now(), lag: null }, describeError(error));
  }

  async #check(): Promise<void> {
    const startedAt = this.#now();
    let primary: { lsn: string; systemId: string } | undefined;
    try {
      [primary] = await this.#options.primary.query(primaryPosition, {});
    } catch (error) {
      this.#settle({ state: 'primary-unreadable', checkedAtMs: startedAt, lag: null }, describeError(error));
      return;
    }
    if (!primary) throw new Error('the primary returned no WAL position');
    this.#history.record(startedAt, parseLsn(primary.lsn));
    let replica: { inRecovery: boolean; replayLsn: string | null; systemId: string } | undefined;
    try {
      [replica] = await this.#options.replica.query(replayPosition, {});
    } catch (error) {
      this.#settle({ state: 'unreachable', checkedAtMs: startedAt, lag: null }, describeError(error));
      return;
    }
    if (!replica?.inRecovery || replica.replayLsn === null) {
      this.#settle({ state: 'not-standby', checkedAtMs: startedAt, lag: null });
    } else if (replica.systemId !== primary.systemId) {
      this.#settle({ state: 'other-cluster', checkedAtMs: startedAt, lag: null });
    } else {
      const lag = this.#history.lagAt(parseLsn(replica.replayLsn), this.#now());
      this.#settle({ state: 'streaming', checkedAtMs: startedAt, lag });
    }
  }

  #retryAfterMs(): number {
    switch (this.#reading.state) {
      case 'unchecked':
      case 'streaming':
        return this.checkIntervalMs;
      case 'unreachable':
      case 'primary-unreadable':
        return retryUnreachableMs;
      default:
        return retryMisconfiguredMs;
    }
  }

  /** No more checks, and no log lines from one still in flight (its pools are closing). */
  close(): void {
    this.#closed = true;
  }

  #settle(reading: ReplicaReading, detail?: string): void {
    if (this.#closed) return;
    const previous = this.#reading.state;
    this.#reading = reading;
    if (reading.state !== previous) this.#options.log(this.#describe(reading.state, detail));
  }

  #describe(state: ReplicaState, detail?: string): string {
    const replica = `read replica ${this.#options.replicaLocation}`;
    switch (state) {
      case 'streaming':
        return `${replica}: a streaming hot standby of the primary; reads go to it while it is at most ${this.#options.maxLagMs} ms behind (DATABASE_READ_MAX_LAG_MS)`;
      case 'unreachable':
        return `${replica}: unreachable (${detail}); reads go to the primary until it answers`;
      case 'not-standby':
        return `${replica}: not in recovery (pg_is_in_recovery() is false), so not a replica; reads stay on the primary — point DATABASE_READ_URL at a hot standby of DATABASE_URL`;
      case 'other-cluster':
        return `${replica}: a standby of another primary (its system identifier differs from DATABASE_URL's); reads stay on the primary`;
      case 'primary-unreadable':
        return `${replica}: the primary's WAL position could not be read (${detail}); reads go to the primary`;
      default:
        return `${replica}: ${state}`;
    }
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

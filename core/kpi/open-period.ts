// The most recent period of an interval kept per user, so that a write recomputes the users it touched and
// not every active user's history. Each user with a pledge created or cancelled in the period is read with
// their MRR at its start (s) and end (e), whether they pledged before it, and how many of its cancels were
// estimated (queries/kpi/user-movements.sql), and kept as their share of the period's movements — the rules
// of mrr-movements.sql applied per user, packed into one number (user-contribution.ts); the period's
// movements are the sum of the shares.
//
// The change log names the users of each pledge write (migration 0009). A sync's named users are marked
// pending and re-read, in the reading transaction's snapshot, before the period is next served: their old
// shares come out of the sum, the new ones go in. A change reaching before the period's start, or one whose
// users are unknown (a bulk write of over 1,000 users, a first sync), drops the state: the period is then
// computed whole again.
//
// Its registrations and conversion are kept per user too (open-cohort.ts), so a pledge by a user who did
// not register in the period re-reads nothing but that user's movement.
//
// Bounded: a period with more than `maxUsers` moving users, or registered users, is not kept; it is
// recomputed whole after each write instead. A share is about 45 bytes of heap, so the default 1,000,000
// users ≈ 45 MB at most (as objects of the four inputs it was about 100 bytes, and the bound 250,000). The
// build reads the moving users through a cursor, `buildBatchRows` at a time, packing each batch before the
// next and stopping as soon as the count passes `maxUsers`: it holds the state and one batch, never every
// row of the period (1,000,000 moving users build in a 100 MB heap; one query returning them all needed 250).
import { defineQuery } from '../db/query.ts';
import type { Queryable } from '../db/types.ts';
import type { MovementRow } from './kpi-queries.ts';
import { readQueryFile } from './kpi-queries.ts';
import { OpenCohort } from './open-cohort.ts';
import type { ChangeSummary } from './period-cache.ts';
import type { Period } from './periods.ts';
import { addContribution, contributionOf, emptyMovements, type UserMovement } from './user-contribution.ts';

export const defaultMaxOpenUsers = 1_000_000;

/** Rows of the build's cursor fetched at once (about 2 MB of rows in flight). */
export const buildBatchRows = 20_000;

type UserMovementRow = UserMovement & { userId: number };
type UserMovementParams = { periodStart: Date; periodEnd: Date; userIds: readonly number[] | null };

const userMovementsSql = readQueryFile('user-movements.sql');
const userMovements = defineQuery<UserMovementParams, UserMovementRow>('kpi.userMovements', userMovementsSql);
const openMovingUsers = defineQuery<UserMovementParams, never>(
  'kpi.openMovingUsers',
  `DECLARE kpi_moving_users NO SCROLL CURSOR FOR ${userMovementsSql}`,
);
const fetchMovingUsers = (rows: number) =>
  defineQuery<Record<string, never>, UserMovementRow>(
    'kpi.fetchMovingUsers',
    `FETCH FORWARD ${rows} FROM kpi_moving_users`,
  );
const closeMovingUsers = defineQuery<Record<string, never>, never>(
  'kpi.closeMovingUsers',
  'CLOSE kpi_moving_users',
);

export class OpenPeriodState {
  readonly #pending = new Set<number>();
  /** The users' classifications summed, kept up to date user by user: a write costs its users, not all. */
  readonly #totals: MovementRow;

  private constructor(
    readonly period: Period,
    /** Each moving user's packed share of the totals (user-contribution.ts); 0 for one who does not move. */
    private readonly users: Map<number, number>,
    private readonly cohort: OpenCohort,
  ) {
    this.#totals = emptyMovements(period.start);
    for (const contribution of users.values()) addContribution(this.#totals, contribution, 1);
  }

  /** Reads every moving user and the cohort of `period`; null when either has more than `maxUsers`. */
  static async build(
    tx: Queryable,
    period: Period,
    maxUsers: number,
    batchRows = buildBatchRows,
  ): Promise<OpenPeriodState | null> {
    const users = await readShares(tx, period, maxUsers, batchRows);
    if (!users) return null;
    const cohort = await OpenCohort.build(tx, period, maxUsers);
    if (!cohort) return null;
    return new OpenPeriodState(period, users, cohort);
  }

  /** Users who registered in the period: its registrations and its conversion cohort. */
  get registrations(): number {
    return this.cohort.size;
  }

  /** Members of the cohort with a pledge created within 720 hours of registering. */
  get converted(): number {
    return this.cohort.convertedCount;
  }

  get userCount(): number {
    return this.users.size;
  }

  /** Takes a sync's changes into account; false when the state can no longer be patched (drop it). */
  note(change: ChangeSummary): boolean {
    if (change.changedFrom === null) return true;
    if (change.changedFrom < this.period.start || change.users === null) return false;
    for (const user of change.users) this.#pending.add(user);
    this.cohort.note(change);
    return true;
  }

  /** Re-reads the pending users (and what the cohort needs) in the snapshot `tx` reads. */
  async refresh(tx: Queryable): Promise<void> {
    await this.cohort.refresh(tx);
    if (this.#pending.size === 0) return;
    const userIds = [...this.#pending];
    const rows = await tx.query(userMovements, {
      periodStart: this.period.start,
      periodEnd: this.period.end,
      userIds,
    });
    for (const user of userIds) {
      addContribution(this.#totals, this.users.get(user) ?? 0, -1);
      this.users.delete(user);
    }
    for (const row of rows) {
      const contribution = contributionOf(row);
      this.users.set(row.userId, contribution);
      addContribution(this.#totals, contribution, 1);
    }
    this.#pending.clear();
  }

  /** The period's movements: each user classified as mrr-movements.sql does, summed. */
  movements(): MovementRow {
    return { ...this.#totals };
  }
}

/** Every moving user's packed share, read through a cursor a batch at a time; null past `maxUsers`. */
async function readShares(
  tx: Queryable,
  period: Period,
  maxUsers: number,
  batchRows: number,
): Promise<Map<number, number> | null> {
  // Planned for reading every row, as the query alone would be, not for the first tenth (the default).
  await tx.runScript('kpi.cursorSettings', 'SET LOCAL cursor_tuple_fraction = 1');
  await tx.query(openMovingUsers, { periodStart: period.start, periodEnd: period.end, userIds: null });
  const batch = Math.max(1, Math.trunc(batchRows));
  const fetchBatch = fetchMovingUsers(batch);
  const users = new Map<number, number>();
  for (;;) {
    const rows = await tx.query(fetchBatch, {});
    for (const row of rows) users.set(row.userId, contributionOf(row));
    if (users.size > maxUsers || rows.length < batch) break;
  }
  // Closed on success only: after an error the transaction is aborted and takes the cursor with it.
  await tx.query(closeMovingUsers, {});
  return users.size > maxUsers ? null : users;
}

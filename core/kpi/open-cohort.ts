// The registrations and 30-day conversion of an interval's most recent period kept per user, beside its
// movements (open-period.ts): the cohort (users registered in the period) with whether each converted
// (queries/kpi/user-conversion.sql). A pledge write names its users in the change log; only those are
// re-read, and only members of the cohort come back — a pledge by anyone else changes neither figure. A
// write to the users table (a registration, a deletion) names no user: the cohort is read again whole.
// About 60 bytes of heap a member; the cohort is bounded with the period (open-period.ts, maxUsers).
import { defineQuery } from '../db/query.ts';
import type { Queryable } from '../db/types.ts';
import { readQueryFile } from './kpi-queries.ts';
import type { ChangeSummary } from './period-cache.ts';
import type { Period } from './periods.ts';

const userConversion = defineQuery<
  { periodStart: Date; periodEnd: Date; userIds: readonly number[] | null },
  { userId: number; converted: boolean }
>('kpi.userConversion', readQueryFile('user-conversion.sql'));

export class OpenCohort {
  readonly #pending = new Set<number>();
  #stale = false;
  #convertedCount: number;

  private constructor(
    readonly period: Period,
    private converted: Map<number, boolean>,
  ) {
    this.#convertedCount = countConverted(converted);
  }

  /** Reads the whole cohort of `period`; null when it has more than `maxUsers` members. */
  static async build(tx: Queryable, period: Period, maxUsers: number): Promise<OpenCohort | null> {
    const members = await readMembers(tx, period, null);
    return members.size > maxUsers ? null : new OpenCohort(period, members);
  }

  /** Takes a sync's changes in the period into account (the caller drops the state for earlier ones). */
  note(change: ChangeSummary): void {
    if (change.usersWritten) this.#stale = true;
    for (const user of change.users ?? []) this.#pending.add(user);
  }

  /** Re-reads, in the snapshot `tx` reads, the whole cohort after a users write, else the pending users. */
  async refresh(tx: Queryable): Promise<void> {
    if (this.#stale) {
      this.converted = await readMembers(tx, this.period, null);
      this.#convertedCount = countConverted(this.converted);
    } else if (this.#pending.size > 0) {
      for (const [user, converted] of await readMembers(tx, this.period, [...this.#pending])) {
        const was = this.converted.get(user);
        this.#convertedCount += Number(converted) - Number(was === true);
        this.converted.set(user, converted);
      }
    }
    this.#stale = false;
    this.#pending.clear();
  }

  get size(): number {
    return this.converted.size;
  }

  get convertedCount(): number {
    return this.#convertedCount;
  }
}

function countConverted(members: ReadonlyMap<number, boolean>): number {
  let count = 0;
  for (const converted of members.values()) if (converted) count += 1;
  return count;
}

async function readMembers(
  tx: Queryable,
  period: Period,
  userIds: readonly number[] | null,
): Promise<Map<number, boolean>> {
  const rows = await tx.query(userConversion, { periodStart: period.start, periodEnd: period.end, userIds });
  return new Map(rows.map((row) => [row.userId, row.converted]));
}

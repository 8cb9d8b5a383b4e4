// Writes generated demo data through the bulk path (COPY) in one transaction: ids continue after what the
// database holds, sequences are moved past them, and a database that already has users is refused unless
// appending was asked for. On any error nothing is written.

import { defineQuery, type SqlValue } from '../db/query.ts';
import type { Db, Queryable } from '../db/types.ts';
import { RefusedError } from '../errors.ts';
import type { DemoData } from './generate.ts';

export interface WriteOptions {
  readonly append: boolean;
  /** The stored password hash every demo user gets (see the README for the demo password). */
  readonly passwordHash: string;
  /** Called as rows are written, with the running total and the grand total. */
  readonly onProgress?: (written: number, total: number) => void;
}

export interface WriteSummary {
  readonly users: number;
  readonly artists: number;
  readonly pledges: number;
  readonly firstUserId: number;
}

/** Stops concurrent writers (the agent) while ids are assigned; readers are not blocked. */
const lockTables = 'LOCK TABLE users, artists, pledges IN SHARE ROW EXCLUSIVE MODE';

const readIdState = defineQuery<
  Record<string, never>,
  { userCount: number; maxUserId: number; maxArtistId: number; maxPledgeId: number }
>(
  'seed.readIdState',
  `SELECT (SELECT count(*) FROM users) AS "userCount",
          (SELECT coalesce(max(id), 0) FROM users) AS "maxUserId",
          (SELECT coalesce(max(id), 0) FROM artists) AS "maxArtistId",
          (SELECT coalesce(max(id), 0) FROM pledges) AS "maxPledgeId"`,
);

const advanceSequence = defineQuery<{ table: string; lastId: number }, { value: number }>(
  'seed.advanceSequence',
  "SELECT setval(pg_get_serial_sequence(:table, 'id'), :lastId) AS value",
);

export async function writeDemoData(db: Db, data: DemoData, options: WriteOptions): Promise<WriteSummary> {
  const total = data.users.length + data.artists.length + data.pledges.length;
  return db.transaction(async (tx) => {
    await tx.runScript('seed.lockTables', lockTables);
    const [state] = await tx.query(readIdState, {});
    if (!state) throw new Error('seed.readIdState returned no row');
    if (state.userCount > 0 && !options.append) {
      throw new RefusedError(
        `the database already has ${state.userCount} users; pass --append to add demo data to it anyway`,
      );
    }
    const progress = new ProgressCounter(total, options.onProgress);
    const userId = (index: number) => state.maxUserId + index;
    const artistId = (index: number) => state.maxArtistId + index;

    await tx.copyRows(
      { table: 'users', columns: ['id', 'email', 'password_hash', 'name', 'created_at'] },
      progress.count(
        data.users.map((user, i): SqlValue[] => [
          userId(i + 1),
          `fan${userId(i + 1)}@demo.pledgr.test`,
          options.passwordHash,
          user.name,
          new Date(user.createdAt),
        ]),
      ),
    );
    await tx.copyRows(
      { table: 'artists', columns: ['id', 'user_id', 'name', 'created_at'] },
      progress.count(
        data.artists.map((artist, i): SqlValue[] => [
          artistId(i + 1),
          artist.owner === null ? null : userId(artist.owner),
          artist.name,
          new Date(artist.createdAt),
        ]),
      ),
    );
    await tx.copyRows(
      {
        table: 'pledges',
        columns: ['id', 'user_id', 'artist_id', 'amount_cents', 'created_at', 'cancelled_at'],
      },
      progress.count(
        data.pledges.map((pledge, i): SqlValue[] => [
          state.maxPledgeId + i + 1,
          userId(pledge.user),
          artistId(pledge.artist),
          pledge.amountCents,
          new Date(pledge.createdAt),
          pledge.cancelledAt === null ? null : new Date(pledge.cancelledAt),
        ]),
      ),
    );
    await advanceSequences(tx, {
      users: state.maxUserId + data.users.length,
      artists: state.maxArtistId + data.artists.length,
      pledges: state.maxPledgeId + data.pledges.length,
    });
    return {
      users: data.users.length,
      artists: data.artists.length,
      pledges: data.pledges.length,
      firstUserId: userId(1),
    };
  });
}

/** After explicit ids, the bigserial sequences must hand out ids past them (never backwards). */
async function advanceSequences(tx: Queryable, lastIds: Record<'users' | 'artists' | 'pledges', number>) {
  for (const [table, lastId] of Object.entries(lastIds)) {
    if (lastId > 0) await tx.query(advanceSequence, { table, lastId });
  }
}

class ProgressCounter {
  #written = 0;

  constructor(
    private readonly total: number,
    private readonly report: ((written: number, total: number) => void) | undefined,
  ) {}

  *count(rows: Iterable<SqlValue[]>): Generator<SqlValue[]> {
    for (const row of rows) {
      yield row;
      this.#written++;
      if (this.report && this.#written % 2000 === 0) this.report(this.#written, this.total);
    }
    this.report?.(this.#written, this.total);
  }
}

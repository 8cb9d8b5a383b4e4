// The follower's queries: its state row (legacy_follow, migration 0007), the ids earlier syncs took, the
// cancels it observes (with their windows) and the user facts it keeps current. All parameterized.
import { defineQuery } from '../db/query.ts';
import type { Queryable } from '../db/types.ts';
import type { PledgrCounts } from './import-pledgr.ts';

export interface FollowState {
  readonly lastReadAt: Date;
  readonly after: PledgrCounts;
}

const lockState = defineQuery<
  { source: string },
  { lastReadAt: Date; users: number; artists: number; levels: number; pledges: number }
>(
  'follow.lockState',
  `SELECT last_read_at AS "lastReadAt", last_user_id AS users, last_artist_id AS artists,
          last_level_id AS levels, last_pledge_id AS pledges
     FROM legacy_follow WHERE source = :source FOR UPDATE`,
);

export async function lockFollowState(tx: Queryable, source: string): Promise<FollowState | null> {
  const [row] = await tx.query(lockState, { source });
  if (!row) return null;
  const after = { users: row.users, artists: row.artists, pledge_levels: row.levels, pledges: row.pledges };
  return { lastReadAt: row.lastReadAt, after };
}

export interface SyncRecord {
  readonly source: string;
  readonly intervalSeconds: number;
  readonly readAt: Date;
  readonly fileModifiedAt: Date;
  readonly largestIds: PledgrCounts;
  readonly imported: number;
  readonly skipped: number;
  readonly cancelsObserved: number;
}

const saveSync = defineQuery<
  {
    source: string;
    intervalSeconds: number;
    readAt: Date;
    fileModifiedAt: Date;
    users: number;
    artists: number;
    levels: number;
    pledges: number;
    imported: number;
    skipped: number;
    cancels: number;
  },
  { syncs: number }
>(
  'follow.saveSync',
  `INSERT INTO legacy_follow AS f (source, interval_seconds, last_read_at, last_sync_at, file_modified_at,
                                   last_user_id, last_artist_id, last_level_id, last_pledge_id,
                                   syncs, rows_imported, rows_skipped, cancels_observed)
   VALUES (:source, :intervalSeconds, :readAt, now(), :fileModifiedAt, :users, :artists, :levels, :pledges,
           1, :imported, :skipped, :cancels)
   ON CONFLICT (source) DO UPDATE SET
     interval_seconds = excluded.interval_seconds, last_read_at = excluded.last_read_at,
     last_sync_at = excluded.last_sync_at, file_modified_at = excluded.file_modified_at,
     last_user_id = greatest(f.last_user_id, excluded.last_user_id),
     last_artist_id = greatest(f.last_artist_id, excluded.last_artist_id),
     last_level_id = greatest(f.last_level_id, excluded.last_level_id),
     last_pledge_id = greatest(f.last_pledge_id, excluded.last_pledge_id),
     syncs = f.syncs + 1, rows_imported = f.rows_imported + excluded.rows_imported,
     rows_skipped = f.rows_skipped + excluded.rows_skipped,
     cancels_observed = f.cancels_observed + excluded.cancels_observed,
     last_error = NULL, last_error_at = NULL
   RETURNING syncs`,
);

/** Commits with the sync's rows: the next sync starts from here. Returns the number of syncs so far. */
export async function saveFollowSync(tx: Queryable, record: SyncRecord): Promise<number> {
  const [row] = await tx.query(saveSync, {
    source: record.source,
    intervalSeconds: record.intervalSeconds,
    readAt: record.readAt,
    fileModifiedAt: record.fileModifiedAt,
    users: record.largestIds.users,
    artists: record.largestIds.artists,
    levels: record.largestIds.pledge_levels,
    pledges: record.largestIds.pledges,
    imported: record.imported,
    skipped: record.skipped,
    cancels: record.cancelsObserved,
  });
  return row?.syncs ?? 0;
}

const touch = defineQuery<{ source: string; readAt: Date }, { source: string }>(
  'follow.touch',
  `UPDATE legacy_follow SET last_read_at = greatest(last_read_at, :readAt), last_sync_at = now()
    WHERE source = :source AND last_error IS NULL
   RETURNING source`,
);

/** A check that found the file unchanged: the data is as fresh as `readAt`, which later cancels come after. */
export async function touchFollowState(db: Queryable, source: string, readAt: Date): Promise<void> {
  await db.query(touch, { source, readAt });
}

const saveError = defineQuery<{ source: string; message: string }, { source: string }>(
  'follow.saveError',
  `UPDATE legacy_follow SET last_error = :message, last_error_at = now() WHERE source = :source
   RETURNING source`,
);

/** A failed sync leaves the data as it was and says why (a first sync that failed has no row to say it in). */
export async function saveFollowError(db: Queryable, source: string, message: string): Promise<void> {
  await db.query(saveError, { source, message: message.slice(0, 500) });
}

const idsUpTo = {
  users: defineQuery<{ upTo: number }, { id: number }>(
    'follow.userIds',
    'SELECT id FROM users WHERE id <= :upTo',
  ),
  artists: defineQuery<{ upTo: number }, { id: number }>(
    'follow.artistIds',
    'SELECT id FROM artists WHERE id <= :upTo',
  ),
  pledge_levels: defineQuery<{ upTo: number }, { id: number }>(
    'follow.levelIds',
    'SELECT id FROM pledge_levels WHERE id <= :upTo',
  ),
};

/** Ids of earlier syncs' rows, which the new rows may refer to. */
export async function knownIds(
  tx: Queryable,
  after: PledgrCounts,
): Promise<Record<keyof typeof idsUpTo, number[]>> {
  const read = async (table: keyof typeof idsUpTo) =>
    (await tx.query(idsUpTo[table], { upTo: after[table] })).map((row) => Number(row.id));
  return {
    users: await read('users'),
    artists: await read('artists'),
    pledge_levels: await read('pledge_levels'),
  };
}

const endedPledgeIds = defineQuery<{ upTo: number }, { id: number }>(
  'follow.endedPledgeIds',
  'SELECT id FROM pledges WHERE id <= :upTo AND cancelled_at IS NOT NULL ORDER BY id',
);

export async function endedPledgesInDb(tx: Queryable, upTo: number): Promise<number[]> {
  return (await tx.query(endedPledgeIds, { upTo })).map((row) => Number(row.id));
}

const observeCancels = defineQuery<{ ids: number[]; notBefore: Date; notAfter: Date }, { id: number }>(
  'follow.observeCancels',
  `WITH ended AS (
     UPDATE pledges SET cancelled_at = greatest(created_at, :notAfter::timestamptz),
                        cancelled_at_source = 'observed_follow'
      WHERE id = ANY(:ids::bigint[]) AND cancelled_at IS NULL
      RETURNING id, created_at, cancelled_at
   )
   INSERT INTO legacy_observed_cancels (pledge_id, not_before, not_after)
   SELECT id, least(greatest(created_at, :notBefore::timestamptz), cancelled_at), cancelled_at FROM ended
   RETURNING pledge_id AS id`,
);

/** Ends the given active pledges at `notAfter` as observed cancels, recording their window; returns how many. */
export async function observeCancelsOf(
  tx: Queryable,
  ids: readonly number[],
  window: { notBefore: Date; notAfter: Date },
): Promise<number> {
  let ended = 0;
  for (let i = 0; i < ids.length; i += 10_000) {
    const batch = ids.slice(i, i + 10_000);
    ended += (await tx.query(observeCancels, { ids: batch, ...window })).length;
  }
  return ended;
}

const recordWindows = defineQuery<{ ids: number[]; notBefore: Date }, { id: number }>(
  'follow.recordObservedWindows',
  `INSERT INTO legacy_observed_cancels (pledge_id, not_before, not_after)
   SELECT id, least(greatest(created_at, :notBefore::timestamptz), cancelled_at), cancelled_at
     FROM pledges WHERE id = ANY(:ids::bigint[]) AND cancelled_at_source = 'observed_follow'
   ON CONFLICT (pledge_id) DO NOTHING
   RETURNING pledge_id AS id`,
);

/** Windows of the new pledges a sync found already ended (created and cancelled since the last read). */
export async function recordObservedWindows(
  tx: Queryable,
  ids: readonly number[],
  notBefore: Date,
): Promise<void> {
  for (let i = 0; i < ids.length; i += 10_000) {
    await tx.query(recordWindows, { ids: ids.slice(i, i + 10_000), notBefore });
  }
}

const userFactsInDb = defineQuery<{ upTo: number }, { id: number; name: string | null; isCreator: boolean }>(
  'follow.userFacts',
  'SELECT id, name, is_creator AS "isCreator" FROM users WHERE id <= :upTo ORDER BY id',
);

export async function userFactsUpTo(
  tx: Queryable,
  upTo: number,
): Promise<Map<number, { name: string | null; isCreator: boolean }>> {
  const rows = await tx.query(userFactsInDb, { upTo });
  return new Map(rows.map((row) => [Number(row.id), { name: row.name, isCreator: row.isCreator }]));
}

const updateUserFacts = defineQuery<{ id: number; name: string; isCreator: boolean }, { id: number }>(
  'follow.updateUserFacts',
  `UPDATE users SET name = :name, is_creator = :isCreator
    WHERE id = :id AND (name IS DISTINCT FROM :name OR is_creator <> :isCreator)
   RETURNING id`,
);

/** Applies the changes (one statement each: a sync sees few); returns the ids of the users that changed. */
export async function updateUserFactsOf(
  tx: Queryable,
  changes: readonly { id: number; name: string; isCreator: boolean }[],
): Promise<number[]> {
  const updated: number[] = [];
  for (const change of changes) {
    if ((await tx.query(updateUserFacts, change)).length > 0) updated.push(change.id);
  }
  return updated;
}

const deleteFollow = defineQuery<{ source: string }, { syncs: number }>(
  'follow.end',
  'DELETE FROM legacy_follow WHERE source = :source RETURNING syncs',
);

/**
 * The migration is over: the file is no longer followed (its rows, and the windows of observed cancels, stay).
 * Returns the number of syncs the follow made, or null when the file was not followed.
 */
export async function endFollow(db: Queryable, source: string): Promise<number | null> {
  const [row] = await db.query(deleteFollow, { source });
  return row ? row.syncs : null;
}

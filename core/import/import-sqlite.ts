// `pulse import-sqlite`: copies a legacy Pledgr SQLite file into the pledge tables in ONE transaction —
// users, artists, pledges in dependency order, ids kept, bulk COPY, every row checked on the way
// (convert-row.ts). Then row counts are verified and the id sequences moved past the largest ids.
// Any error rolls everything back: nothing is half-imported, and the sequences are left as they were.
import { defineQuery } from '../db/query.ts';
import type { Db, Queryable } from '../db/types.ts';
import { RefusedError } from '../errors.ts';
import { convertRow, ImportedIds, ImportRowError, targetColumns } from './convert-row.ts';
import { type LegacyFile, type LegacyTable, legacyTableOrder } from './read-sqlite.ts';

export interface ImportProgress {
  readonly table: LegacyTable;
  readonly done: number;
  readonly total: number;
}

export interface ImportOptions {
  /** Import into a database that already has users (ids from the file must not collide). */
  readonly append: boolean;
  /** Called every `progressEvery` rows and once at the end of each table. */
  readonly onProgress?: (progress: ImportProgress) => void;
}

export type TableCounts = Record<LegacyTable, number>;

export interface ImportSummary {
  readonly imported: TableCounts;
  readonly seconds: number;
}

export const progressEvery = 10_000;
/** Ids and emails per collision query (an array parameter; well below any message-size limit). */
const collisionBatch = 10_000;

/** Keeps the agent from writing while ids are checked and rows copied; readers are not blocked. */
const lockTables = 'LOCK TABLE users, artists, pledges IN SHARE ROW EXCLUSIVE MODE';

const readTargetCounts = defineQuery<Record<string, never>, TableCounts>(
  'import.readTargetCounts',
  `SELECT (SELECT count(*) FROM users) AS users,
          (SELECT count(*) FROM artists) AS artists,
          (SELECT count(*) FROM pledges) AS pledges`,
);

const collidingIds = {
  users: defineQuery<{ ids: number[] }, { id: number }>(
    'import.collidingUserIds',
    'SELECT id FROM users WHERE id = ANY(:ids::bigint[]) ORDER BY id LIMIT 1',
  ),
  artists: defineQuery<{ ids: number[] }, { id: number }>(
    'import.collidingArtistIds',
    'SELECT id FROM artists WHERE id = ANY(:ids::bigint[]) ORDER BY id LIMIT 1',
  ),
  pledges: defineQuery<{ ids: number[] }, { id: number }>(
    'import.collidingPledgeIds',
    'SELECT id FROM pledges WHERE id = ANY(:ids::bigint[]) ORDER BY id LIMIT 1',
  ),
} satisfies Record<LegacyTable, unknown>;

const collidingEmail = defineQuery<{ emails: string[] }, { email: string }>(
  'import.collidingEmail',
  'SELECT email FROM users WHERE email = ANY(:emails::text[]) LIMIT 1',
);

/** Never moves a sequence backwards (ids of deleted rows are not handed out again). */
const advanceSequence = defineQuery<{ table: string; lastId: number }, { value: number }>(
  'import.advanceSequence',
  `SELECT setval(pg_get_serial_sequence(:table, 'id'),
                 greatest(:lastId::bigint,
                          coalesce(pg_sequence_last_value(pg_get_serial_sequence(:table, 'id')::regclass), 0)))
          AS value`,
);

export async function importSqlite(db: Db, file: LegacyFile, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const source = Object.fromEntries(legacyTableOrder.map((t) => [t, file.count(t)])) as TableCounts;
  const imported = await db.transaction(async (tx) => {
    await tx.runScript('import.lockTables', lockTables);
    const before = await targetCounts(tx);
    if (before.users > 0 && !options.append) {
      throw new RefusedError(
        `the database already has ${before.users} users; pass --append to import into it anyway`,
      );
    }
    await refuseCollisions(tx, file, before);
    const ids = new ImportedIds();
    const written = { users: 0, artists: 0, pledges: 0 };
    for (const table of legacyTableOrder) {
      written[table] = await tx.copyRows(
        { table, columns: targetColumns[table] },
        convertedRows(file, table, source[table], ids, options.onProgress),
      );
    }
    await verifyCounts(tx, before, source, written);
    // Last on purpose: ROLLBACK does not undo setval, so sequences move only once every check has passed.
    for (const table of legacyTableOrder) {
      if (ids[table].size > 0) await tx.query(advanceSequence, { table, lastId: largest(ids[table]) });
    }
    return written;
  });
  return { imported, seconds: (performance.now() - started) / 1000 };
}

function* convertedRows(
  file: LegacyFile,
  table: LegacyTable,
  total: number,
  ids: ImportedIds,
  onProgress: ImportOptions['onProgress'],
) {
  let done = 0;
  for (const row of file.rows(table)) {
    yield convertRow(table, row, done + 1, ids);
    done++;
    if (done % progressEvery === 0) onProgress?.({ table, done, total });
  }
  onProgress?.({ table, done, total });
}

async function targetCounts(tx: Queryable): Promise<TableCounts> {
  const [counts] = await tx.query(readTargetCounts, {});
  if (!counts) throw new Error('import.readTargetCounts returned no row');
  return counts;
}

/** Ids are kept, so an id (or email) the database already holds is refused before anything is written. */
async function refuseCollisions(tx: Queryable, file: LegacyFile, before: TableCounts): Promise<void> {
  for (const table of legacyTableOrder) {
    if (before[table] === 0) continue;
    // Unusable ids are not looked up here: the row check names them when the copy reaches them.
    const ids = file.ids(table).map(Number).filter(Number.isSafeInteger);
    for (const batch of batches(ids, collisionBatch)) {
      const [hit] = await tx.query(collidingIds[table], { ids: batch });
      if (hit) {
        throw new ImportRowError(
          table,
          String(hit.id),
          'id',
          'already exists in the database (ids are kept)',
        );
      }
    }
  }
  if (before.users === 0) return;
  const idByEmail = new Map<string, string>();
  for (const row of file.rows('users')) {
    if (typeof row.email === 'string') idByEmail.set(row.email, String(row.id));
  }
  for (const batch of batches([...idByEmail.keys()], collisionBatch)) {
    const [hit] = await tx.query(collidingEmail, { emails: batch });
    if (hit) {
      const rowId = idByEmail.get(hit.email) ?? '?';
      throw new ImportRowError('users', rowId, 'email', 'already belongs to a user in the database');
    }
  }
}

async function verifyCounts(
  tx: Queryable,
  before: TableCounts,
  source: TableCounts,
  written: TableCounts,
): Promise<void> {
  const after = await targetCounts(tx);
  for (const table of legacyTableOrder) {
    const added = after[table] - before[table];
    if (added !== source[table] || written[table] !== source[table]) {
      throw new Error(
        `row count check failed for ${table}: the file has ${source[table]} rows, ${written[table]} were ` +
          `copied and the table grew by ${added}; nothing was imported`,
      );
    }
  }
}

/** A loop, not Math.max(...ids): spreading a million ids overflows the call stack. */
function largest(ids: ReadonlySet<number>): number {
  let max = 0;
  for (const id of ids) if (id > max) max = id;
  return max;
}

function* batches<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

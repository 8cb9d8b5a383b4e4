// `pulse import-sqlite FILE --follow`: keeps Pulse's database in step with the SQLite file the old Pledgr app is
// still writing, one sync per interval. A sync reads a consistent snapshot of the file without locking it
// (file-snapshot.ts) and, in ONE transaction with the follower's state row (follow-state.ts), imports:
// - the first time, the whole file (as `import-sqlite` does; cancels estimated at the file's modification time);
// - afterwards, the rows above the largest ids taken so far (users, artists, pledge levels, pledges), name and
//   creator-flag changes of earlier users, and pledges the file now shows ended: each gets cancelled_at = the
//   modification time of the file that shows it (the latest it can have happened) with provenance
//   'observed_follow', and its window [previous read, that time] in legacy_observed_cancels: the error is at
//   most one interval plus the read.
// Killed at any point, a sync's transaction rolls back whole: the restart resumes from the last committed
// state, so no row is imported twice and none is missed. Two followers of one file queue on the state row.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Db, Queryable } from '../db/types.ts';
import { UsageError } from '../errors.ts';
import {
  endedPledgesInDb,
  knownIds,
  lockFollowState,
  observeCancelsOf,
  recordObservedWindows,
  saveFollowError,
  saveFollowSync,
  touchFollowState,
  updateUserFactsOf,
  userFactsUpTo,
} from './follow-state.ts';
import {
  type BadRow,
  importPledgrIn,
  type PledgrCounts,
  type PledgrProgress,
  type PledgrSummary,
} from './import-pledgr.ts';
import { openSqliteImportFile } from './open-sqlite-file.ts';
import type { PledgrFile } from './read-pledgr.ts';

export interface SyncOptions {
  readonly intervalSeconds: number;
  readonly skipInvalid: boolean;
  readonly onBadRow?: (bad: BadRow) => void;
  readonly onProgress?: (progress: PledgrProgress) => void;
  /** The clock read before each read of the file (tests set it to match hand-set modification times). */
  readonly now?: () => Date;
  /** What the previous sync of this process saw in the file (followPledgr keeps one across its syncs). */
  readonly memory?: FollowMemory;
}

/**
 * What a follower remembers of the file from its last committed sync: the ended pledges and the users' facts.
 * With it a sync finds what changed by comparing the file with itself; without it (a first sync after a start)
 * it compares the file with the database, which reads a few hundred thousand rows more on a big file.
 */
export class FollowMemory {
  endedInFile: readonly number[] | null = null;
  userFacts: ReadonlyMap<number, string> | null = null;
}

export interface SyncResult {
  /** True for the sync that imported the whole file. */
  readonly first: boolean;
  readonly syncs: number;
  readonly imported: PledgrCounts;
  readonly skipped: PledgrCounts;
  /** Pledges seen ended in this sync (earlier rows now ended, and new rows already ended). */
  readonly cancelsObserved: number;
  /** Earlier users whose name or creator flag changed. */
  readonly usersUpdated: number;
  /**
   * Earlier users whose row this sync changed (name, creator flag, email spelling): cached copies of their
   * profile (the pledge API's, in Redis) are to be dropped once the sync has committed.
   */
  readonly changedUserIds: readonly number[];
  /** Pledges ended in the database that the file shows active again (the old app never does this): left as is. */
  readonly reactivatedInFile: number;
  readonly readAt: Date;
  readonly fileModifiedAt: Date;
  readonly summary: PledgrSummary;
}

/** One sync of `path` into `db`; throws (after recording the error on the state row) when it fails. */
export async function syncPledgrOnce(db: Db, path: string, options: SyncOptions): Promise<SyncResult> {
  const source = resolve(path);
  // Before the read: whatever the snapshot shows active was still active at this instant or later.
  const readAt = options.now?.() ?? new Date();
  const opened = await openSqliteImportFile(source);
  if (opened.shape !== 'pledgr') {
    opened.file.close();
    throw new UsageError(
      "--follow applies to the current Pledgr app's files (users.password, pledges.status)",
    );
  }
  const file = opened.file;
  try {
    const { result, seen } = await db.transaction((tx) => syncIn(tx, file, source, readAt, options));
    // Only once committed: a rolled-back sync must be compared again next time.
    if (options.memory) {
      options.memory.endedInFile = seen.ended;
      options.memory.userFacts = seen.userFacts;
    }
    return result;
  } catch (error) {
    await saveFollowError(db, source, (error as Error).message).catch(() => undefined);
    throw error;
  } finally {
    file.close();
  }
}

async function syncIn(
  tx: Queryable,
  file: PledgrFile,
  source: string,
  readAt: Date,
  options: SyncOptions,
): Promise<{ result: SyncResult; seen: { ended: number[]; userFacts: Map<number, string> } }> {
  const state = await lockFollowState(tx, source);
  const fileModifiedAt = file.modifiedAt;
  const common = {
    skipInvalid: options.skipInvalid,
    onBadRow: options.onBadRow,
    onProgress: options.onProgress,
  };
  const summary = await importPledgrIn(tx, file, {
    append: state !== null,
    ...(state ? { increment: { after: state.after, known: await knownIds(tx, state.after) } } : {}),
    ...common,
  });
  // The file as of this sync, up to the rows it now holds: the next sync's memory.
  const ended = file.endedPledgeIds(summary.largestIds.pledges);
  const userFacts = readUserFacts(file, summary.largestIds.users);
  let cancelsObserved = summary.observedCancellations.length;
  let updatedUsers: number[] = [];
  let reactivatedInFile = 0;
  if (state) {
    const window = { notBefore: state.lastReadAt, notAfter: fileModifiedAt };
    await recordObservedWindows(tx, summary.observedCancellations, window.notBefore);
    const endedBefore = ended.filter((id) => id <= state.after.pledges);
    const memory = options.memory?.endedInFile;
    const { newlyEnded, reactivated } = diffSorted(
      endedBefore,
      memory
        ? memory.filter((id) => id <= state.after.pledges)
        : await endedPledgesInDb(tx, state.after.pledges),
    );
    cancelsObserved += await observeCancelsOf(tx, newlyEnded, window);
    reactivatedInFile = reactivated;
    updatedUsers = await syncUserFacts(tx, userFacts, state.after.users, options.memory?.userFacts ?? null);
  }
  const total = (counts: PledgrCounts) => Object.values(counts).reduce((a, b) => a + b, 0);
  const syncs = await saveFollowSync(tx, {
    source,
    intervalSeconds: options.intervalSeconds,
    readAt,
    fileModifiedAt,
    largestIds: summary.largestIds,
    imported: total(summary.imported),
    skipped: total(summary.skipped),
    cancelsObserved,
  });
  const result: SyncResult = {
    first: !state,
    syncs,
    imported: summary.imported,
    skipped: summary.skipped,
    cancelsObserved,
    usersUpdated: updatedUsers.length,
    changedUserIds: [...new Set([...summary.respelledUsers, ...updatedUsers])].sort((a, b) => a - b),
    reactivatedInFile,
    readAt,
    fileModifiedAt,
    summary,
  };
  return { result, seen: { ended, userFacts } };
}

/** Ids in `file` but not in `db` (both ascending), and how many are in `db` but not in `file`. */
export function diffSorted(file: readonly number[], db: readonly number[]) {
  const newlyEnded: number[] = [];
  let reactivated = 0;
  let j = 0;
  for (const id of file) {
    while (j < db.length && (db[j] as number) < id) {
      reactivated++;
      j++;
    }
    if (db[j] === id) j++;
    else newlyEnded.push(id);
  }
  reactivated += db.length - j;
  return { newlyEnded, reactivated };
}

/** Name and creator flag per user id, as one comparable string (`name NUL flag`). */
function readUserFacts(file: PledgrFile, upTo: number): Map<number, string> {
  const facts = new Map<number, string>();
  for (const [id, name, isCreator] of file.userFacts(upTo)) {
    const text = typeof name === 'string' ? name : typeof name === 'number' ? String(name) : null;
    if (typeof id !== 'number' || text === null) continue; // a bad row: never imported
    facts.set(id, `${text}\u0000${isCreator === 1 || isCreator === '1' || isCreator === 'true' ? 1 : 0}`);
  }
  return facts;
}

/**
 * Names and creator flags of earlier users as the file has them now (the app sets isCreator when a user creates
 * an artist), compared with the previous sync's view of the file, or with the database after a start.
 */
async function syncUserFacts(
  tx: Queryable,
  facts: ReadonlyMap<number, string>,
  upTo: number,
  previous: ReadonlyMap<number, string> | null,
): Promise<number[]> {
  const inDb = previous ? null : await userFactsUpTo(tx, upTo);
  const changes: { id: number; name: string; isCreator: boolean }[] = [];
  for (const [id, key] of facts) {
    if (id > upTo) break; // ascending ids: the rest were imported by this sync
    const db = inDb?.get(id);
    const before = previous ? previous.get(id) : db ? `${db.name}\u0000${db.isCreator ? 1 : 0}` : undefined;
    if (before === undefined || before === key) continue; // skipped as a bad row earlier, or unchanged
    const [name = '', flag] = key.split('\u0000');
    changes.push({ id, name, isCreator: flag === '1' });
  }
  return updateUserFactsOf(tx, changes);
}

export interface FollowOptions extends SyncOptions {
  readonly signal: AbortSignal;
  /** After each committed sync (awaited before the next one). */
  readonly onSync?: (result: SyncResult) => void | Promise<void>;
  /** A sync after the first failed: the data stays as the last good sync left it; the next interval retries. */
  readonly onSyncError?: (error: Error) => void;
}

/**
 * Syncs until `signal` aborts (the current sync finishes first). The first sync's failure is thrown (a file
 * that cannot be imported, a database that is not empty); later failures are reported and retried. A sync is
 * skipped while the file and its WAL keep the modification time of the last good sync.
 */
export async function followPledgr(db: Db, path: string, options: FollowOptions): Promise<void> {
  const memory = options.memory ?? new FollowMemory();
  let synced = false;
  let lastModified = -1;
  const source = resolve(path);
  while (!options.signal.aborted) {
    const readAt = options.now?.() ?? new Date();
    const modified = await modificationTime(source);
    if (synced && modified === lastModified) {
      await touchFollowState(db, source, readAt).catch((error: Error) => options.onSyncError?.(error));
    } else {
      try {
        const result = await syncPledgrOnce(db, path, { ...options, memory });
        synced = true;
        lastModified = modified;
        await options.onSync?.(result);
      } catch (error) {
        if (!synced) throw error;
        options.onSyncError?.(error as Error);
      }
    }
    await sleep(options.intervalSeconds * 1000, options.signal);
  }
}

async function modificationTime(path: string): Promise<number> {
  const [main, wal] = await Promise.all([
    stat(path).catch(() => null),
    stat(`${path}-wal`).catch(() => null),
  ]);
  return Math.max(main?.mtimeMs ?? 0, wal?.mtimeMs ?? 0);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) return done();
    const timer = setTimeout(finish, ms);
    signal.addEventListener('abort', finish, { once: true });
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
  });
}

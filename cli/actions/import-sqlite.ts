// What `pulse import-sqlite` does (declared in ../commands/import-sqlite.ts): checks the file before opening
// the database, then imports it once (core/import/import-pledgr.ts or import-sqlite.ts by its shape), follows
// it (--follow) or forgets its follow (--end-follow). Progress bars and bad rows go to stderr, the summary to
// stdout.
import { createWriteStream, type WriteStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Db } from '../../core/db/types.ts';
import { RefusedError, UsageError } from '../../core/errors.ts';
import { ImportRowError } from '../../core/import/convert-row.ts';
import { followPledgr, type SyncResult } from '../../core/import/follow-pledgr.ts';
import { endFollow } from '../../core/import/follow-state.ts';
import {
  type BadRow,
  describeBadRow,
  importPledgr,
  type PledgrSummary,
} from '../../core/import/import-pledgr.ts';
import { importSqlite } from '../../core/import/import-sqlite.ts';
import { openSqliteImportFile } from '../../core/import/open-sqlite-file.ts';
import { LegacyFileError } from '../../core/import/read-sqlite.ts';
import { migrate } from '../../core/migrate.ts';
import type { CliFlags } from '../config.ts';
import { type ProfileInvalidation, profileInvalidation } from './profile-invalidation.ts';
import { progressBar } from './progress-bar.ts';
import { describeDb, withDb } from './with-db.ts';

export interface ImportFlags {
  readonly append?: boolean;
  readonly skipInvalid?: boolean;
  readonly report?: string;
  readonly follow?: boolean;
  readonly interval?: number;
  readonly endFollow?: boolean;
}

/** Bad rows printed to stderr without --skip-invalid; the rest are counted (the report has them all). */
const maxListed = 1000;

export async function runImportSqlite(globals: CliFlags, path: string, flags: ImportFlags): Promise<void> {
  if (flags.endFollow) {
    if (Object.keys(flags).length > 1) throw new UsageError('--end-follow takes no other option');
    await withDb(globals, async (db) => {
      await migrate(db);
      const syncs = await endFollow(db, resolve(path));
      if (syncs === null) throw new RefusedError(`${resolve(path)} is not followed`);
      console.log(`${resolve(path)} is no longer followed (after ${syncs} syncs); its data stays.`);
    });
    return;
  }
  if (flags.interval !== undefined && !flags.follow)
    throw new UsageError('--interval applies to --follow only');
  if (flags.follow && flags.append) {
    throw new UsageError('--follow starts from an empty database (or resumes its own follow): drop --append');
  }
  // The file is checked before the database is opened: a wrong path costs nothing.
  const opened = await openSqliteImportFile(path);
  if (opened.shape === 'design' && (flags.skipInvalid || flags.report || flags.follow)) {
    opened.file.close();
    throw new UsageError(
      '--skip-invalid, --report and --follow apply to files of the current Pledgr app only',
    );
  }
  if (flags.follow) {
    opened.file.close();
    await withDb(globals, async (db, config) => {
      await migrate(db);
      await followFile(db, path, flags, profileInvalidation(config.redisUrl));
    });
    return;
  }
  try {
    await withDb(globals, async (db) => {
      await migrate(db);
      if (opened.shape === 'pledgr') {
        await importPledgrFile(db, opened.file, path, flags);
        return;
      }
      const bars = tableBars();
      const summary = await importSqlite(db, opened.file, {
        append: flags.append === true,
        onProgress: bars.update,
      })
        .catch((error: unknown) => {
          if (error instanceof ImportRowError || error instanceof LegacyFileError) {
            throw new Error(`${error.message} — nothing was imported`);
          }
          throw error;
        })
        .finally(bars.stop);
      const { users, artists, pledges } = summary.imported;
      const rows = users + artists + pledges;
      const rate = summary.seconds > 0 ? Math.round(rows / summary.seconds) : rows;
      console.log(
        `Imported ${users} users, ${artists} artists and ${pledges} pledges into ${describeDb(db)} ` +
          `in ${summary.seconds.toFixed(1)} s (${rate} rows/s); ids kept, sequences moved past them.`,
      );
    });
  } finally {
    opened.file.close();
  }
}

/** One progress bar per table, on stderr (none for small tables, plain lines without a terminal). */
function tableBars() {
  let current: { table: string; bar: ReturnType<typeof progressBar> } | undefined;
  return {
    update({ table, done, total }: { table: string; done: number; total: number }) {
      if (current?.table !== table) {
        current?.bar.stop();
        current = { table, bar: progressBar(`import-sqlite ${table.padEnd(13)}`) };
      }
      current.bar.update(done, total);
    },
    stop() {
      current?.bar.stop();
    },
  };
}

/** Where bad rows go: the --skip-invalid report (JSON lines), else stderr (the first thousand). */
function badRowSink(path: string, flags: ImportFlags) {
  const skipInvalid = flags.skipInvalid === true;
  const reportPath = resolve(flags.report ?? `${basename(path)}.skipped.jsonl`);
  let report: WriteStream | undefined;
  let listed = 0;
  return {
    skipInvalid,
    reportPath,
    onBadRow(bad: BadRow) {
      if (skipInvalid) {
        report ??= createWriteStream(reportPath, { flags: flags.follow ? 'a' : 'w' });
        report.write(`${JSON.stringify(bad)}\n`);
      } else if (listed++ < maxListed) {
        console.error(`import-sqlite: bad row: ${describeBadRow(bad)}`);
      }
    },
    /** After a failed import: how many more bad rows there were than were listed. */
    reportUnlisted() {
      if (listed > maxListed) console.error(`import-sqlite: … and ${listed - maxListed} more bad rows`);
      listed = 0;
    },
    async close() {
      const stream = report;
      if (stream) await new Promise<void>((done) => stream.end(done));
    },
  };
}

async function importPledgrFile(
  db: Db,
  file: Parameters<typeof importPledgr>[1],
  path: string,
  flags: ImportFlags,
): Promise<void> {
  const sink = badRowSink(path, flags);
  const bars = tableBars();
  let summary: PledgrSummary;
  try {
    summary = await importPledgr(db, file, {
      append: flags.append === true,
      skipInvalid: sink.skipInvalid,
      onBadRow: sink.onBadRow,
      onProgress: bars.update,
    });
  } catch (error) {
    bars.stop();
    sink.reportUnlisted();
    if (error instanceof LegacyFileError) throw new Error(`${error.message} — nothing was imported`);
    throw error;
  } finally {
    bars.stop();
    await sink.close();
  }
  printPledgrSummary(db, summary, sink.reportPath);
}

function printPledgrSummary(db: Db, summary: PledgrSummary, reportPath: string): void {
  const { users, artists, pledge_levels: levels, pledges } = summary.imported;
  const rows = users + artists + levels + pledges;
  const rate = summary.seconds > 0 ? Math.round(rows / summary.seconds) : rows;
  console.log(
    `Imported ${users} users, ${artists} artists, ${levels} pledge levels and ${pledges} pledges from the ` +
      `Pledgr app's file into ${describeDb(db)} in ${summary.seconds.toFixed(1)} s (${rate} rows/s); ids kept, ` +
      'sequences moved past them.',
  );
  console.log(
    `Cancellations: ${summary.estimatedCancellations} pledges have an ESTIMATED cancel instant ` +
      `(${summary.cancelEstimate}, the file's last modification; cancelled_at_source = 'estimated_import').`,
  );
  const skippedTotal = Object.values(summary.skipped).reduce((a, b) => a + b, 0);
  if (skippedTotal > 0) {
    const parts = Object.entries(summary.skipped).filter(([, n]) => n > 0);
    console.log(
      `SKIPPED ${skippedTotal} bad rows (${parts.map(([t, n]) => `${t} ${n}`).join(', ')}); ` +
        `every one, with its reason, is in ${reportPath}`,
    );
  }
  const w = summary.warnings;
  const warnings = [
    [w.levelIdWithoutLevel, 'pledges name a level_id that is no level (stored NULL)'],
    [
      w.caseVariantEmails,
      `users have emails equal but for case (all imported, each signs in with its own password; ` +
        `${w.caseVariantsKeepingSpelling} keep their original spelling in users.email, the exact lower-case ` +
        'one, else the lowest id, gets the lower-cased email)',
    ],
    [w.artistsWithoutOwner, 'artists name an owner that is no imported user (user_id stored NULL)'],
    [w.passwordsNotBcrypt, 'users have a password that is not a bcrypt hash (no password will match)'],
    [w.completedStatuses, "pledges have status 'completed' (imported as ended, like cancelled)"],
    [
      w.counterMismatches,
      'artists have pledged/supporters counters that disagree with their active pledges (not imported)',
    ],
  ] as const;
  for (const [count, text] of warnings) if (count > 0) console.log(`WARNING: ${count} ${text}`);
}

/** `--follow`: the first sync imports the whole file, then one sync per interval until Ctrl-C (or SIGTERM). */
async function followFile(
  db: Db,
  path: string,
  flags: ImportFlags,
  profiles: ProfileInvalidation,
): Promise<void> {
  const intervalSeconds = flags.interval ?? 60;
  const sink = badRowSink(path, flags);
  const bars = tableBars();
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) return;
    console.error(
      'import-sqlite: stopping after the current sync (the data stays as the last sync left it)…',
    );
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  console.error(
    `import-sqlite: following ${resolve(path)} into ${describeDb(db)}, every ${intervalSeconds} s`,
  );
  try {
    await followPledgr(db, path, {
      intervalSeconds,
      skipInvalid: sink.skipInvalid,
      signal: stop.signal,
      onBadRow: sink.onBadRow,
      onProgress: bars.update,
      onSync: async (result) => {
        await profiles.invalidate(result.changedUserIds);
        bars.stop();
        if (result.first) printPledgrSummary(db, result.summary, sink.reportPath);
        else console.log(describeSync(result));
      },
      onSyncError: (error) => {
        bars.stop();
        sink.reportUnlisted();
        console.error(
          `import-sqlite: sync failed, nothing of it was imported; retrying in ${intervalSeconds} s: ${error.message}`,
        );
      },
    });
  } catch (error) {
    sink.reportUnlisted();
    if (error instanceof LegacyFileError) throw new Error(`${error.message} — nothing was imported`);
    throw error;
  } finally {
    bars.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await sink.close();
    await profiles.close();
  }
  console.error('import-sqlite: stopped; `import-sqlite FILE --follow` again resumes where this left off.');
}

function describeSync(result: SyncResult): string {
  const { users, artists, pledge_levels: levels, pledges } = result.imported;
  const skipped = Object.values(result.skipped).reduce((a, b) => a + b, 0);
  const parts = [
    `+${users} users, +${artists} artists, +${levels} levels, +${pledges} pledges`,
    `${result.cancelsObserved} cancels observed`,
    `${result.usersUpdated} users updated`,
  ];
  if (skipped > 0) parts.push(`${skipped} bad rows skipped`);
  if (result.reactivatedInFile > 0)
    parts.push(`${result.reactivatedInFile} pledges active again in the file (left ended)`);
  return `sync ${result.syncs} at ${result.readAt.toISOString()}: ${parts.join(', ')}`;
}

// `pulse import-sqlite FILE [--append] [--skip-invalid] [--report PATH]`: imports a legacy Pledgr SQLite file
// into the configured database (applies migrations first), in one transaction. Two shapes are recognised: the
// current Pledgr app's file (users.password, amounts in dollars, pledges.status: core/import/import-pledgr.ts)
// and DESIGN.md's (core/import/import-sqlite.ts). Progress and bad rows go to stderr, the summary to stdout.
// Exit codes: 0 done; 1 refused (the database has users and --append is missing), bad rows (nothing imported
// unless --skip-invalid), or an unusable file; 2 bad usage (including a FILE that does not exist).
import { createWriteStream, type WriteStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { ImportRowError } from '../../core/import/convert-row.ts';
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
import { describeDb, withDb } from './with-db.ts';

interface ImportFlags {
  readonly append?: boolean;
  readonly skipInvalid?: boolean;
  readonly report?: string;
}

/** Bad rows printed to stderr without --skip-invalid; the rest are counted (the report has them all). */
const maxListed = 1000;

export function registerImportSqlite(program: Command): void {
  program
    .command('import-sqlite')
    .description(
      "import a Pledgr SQLite file (the current app's, or DESIGN.md-shaped) in one transaction; ids kept",
    )
    .argument('<file>', 'the SQLite database file')
    .option('--append', 'import into a database that already has users (ids must not collide)')
    .option('--skip-invalid', 'import the good rows, skip the bad ones and write them to a report file')
    .option('--report <path>', 'where --skip-invalid writes the skipped rows (JSON lines)')
    .action(async (path: string, flags: ImportFlags) => {
      // The file is checked before the database is opened: a wrong path costs nothing.
      const opened = await openSqliteImportFile(path);
      if (opened.shape === 'design' && (flags.skipInvalid || flags.report)) {
        opened.file.close();
        throw new UsageError('--skip-invalid and --report apply to files of the current Pledgr app only');
      }
      try {
        await withDb(program.opts(), async (db) => {
          await migrate(db);
          if (opened.shape === 'pledgr') {
            await importPledgrFile(db, opened.file, path, flags);
            return;
          }
          const summary = await importSqlite(db, opened.file, {
            append: flags.append === true,
            onProgress: ({ table, done, total }) =>
              console.error(`import-sqlite: ${table} ${done}/${total} rows`),
          }).catch((error: unknown) => {
            if (error instanceof ImportRowError || error instanceof LegacyFileError) {
              throw new Error(`${error.message} — nothing was imported`);
            }
            throw error;
          });
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
    });
}

async function importPledgrFile(
  db: Parameters<typeof importPledgr>[0],
  file: Parameters<typeof importPledgr>[1],
  path: string,
  flags: ImportFlags,
): Promise<void> {
  const skipInvalid = flags.skipInvalid === true;
  const reportPath = resolve(flags.report ?? `${basename(path)}.skipped.jsonl`);
  let report: WriteStream | undefined;
  let listed = 0;
  const onBadRow = (bad: BadRow) => {
    if (skipInvalid) {
      report ??= createWriteStream(reportPath);
      report.write(`${JSON.stringify(bad)}\n`);
    } else if (listed++ < maxListed) {
      console.error(`import-sqlite: bad row: ${describeBadRow(bad)}`);
    }
  };
  let summary: PledgrSummary;
  try {
    summary = await importPledgr(db, file, {
      append: flags.append === true,
      skipInvalid,
      onBadRow,
      onProgress: ({ table, done, total }) => console.error(`import-sqlite: ${table} ${done}/${total} rows`),
    });
  } catch (error) {
    if (listed > maxListed) console.error(`import-sqlite: … and ${listed - maxListed} more bad rows`);
    if (error instanceof LegacyFileError) throw new Error(`${error.message} — nothing was imported`);
    throw error;
  } finally {
    const stream = report;
    if (stream) await new Promise<void>((done) => stream.end(done));
  }
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
      `users have emails equal but for case (all imported; ${w.caseVariantsNotSigningIn} keep their original ` +
        'spelling and cannot sign in until renamed: the exact lower-case one, else the lowest id, signs in)',
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

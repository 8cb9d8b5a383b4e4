// `pulse import-sqlite FILE [--append]`: imports a legacy Pledgr SQLite file into the configured database
// (applies migrations first). Progress goes to stderr, the one-line summary to stdout. Exit codes: 0 done;
// 1 refused (the database has users and --append is missing), a bad row, or an unusable file; 2 bad usage
// (including a FILE that does not exist).
import type { Command } from 'commander';
import { ImportRowError } from '../../core/import/convert-row.ts';
import { importSqlite } from '../../core/import/import-sqlite.ts';
import { LegacyFileError, openLegacyFile } from '../../core/import/read-sqlite.ts';
import { migrate } from '../../core/migrate.ts';
import { describeDb, withDb } from './with-db.ts';

interface ImportFlags {
  readonly append?: boolean;
}

export function registerImportSqlite(program: Command): void {
  program
    .command('import-sqlite')
    .description('import a legacy Pledgr SQLite file (users, artists, pledges; ids kept) in one transaction')
    .argument('<file>', 'the SQLite database file')
    .option('--append', 'import into a database that already has users (ids must not collide)')
    .action(async (path: string, flags: ImportFlags) => {
      // The file is checked before the database is opened: a wrong path costs nothing.
      const file = await openLegacyFile(path);
      try {
        await withDb(program.opts(), async (db) => {
          await migrate(db);
          const summary = await importSqlite(db, file, {
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
        file.close();
      }
    });
}

// `pulse migrate`: applies the schema in queries/migrations/ to the configured database; safe to run twice.
import type { Command } from 'commander';
import { migrate } from '../../core/migrate.ts';
import { describeDb, withDb } from './with-db.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'apply the pledge-table schema to DATABASE_URL (or the embedded database); safe to run twice',
    )
    .action(async () => {
      await withDb(program.opts(), async (db) => {
        const result = await migrate(db);
        const target = describeDb(db);
        if (result.applied.length === 0) {
          console.log(
            `${target} is up to date (${result.alreadyApplied.length} migration(s) already applied).`,
          );
        } else {
          console.log(
            `Applied ${result.applied.length} migration(s) to ${target}: ${result.applied.join(', ')}.`,
          );
        }
      });
    });
}

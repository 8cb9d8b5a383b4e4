// What `pulse migrate` does (declared in ../commands/migrate.ts): applies queries/migrations/ and says what
// it applied, or that the database is up to date.
import { migrate } from '../../core/migrate.ts';
import type { CliFlags } from '../config.ts';
import { describeDb, withDb } from './with-db.ts';

export async function runMigrate(globals: CliFlags): Promise<void> {
  await withDb(globals, async (db) => {
    const result = await migrate(db);
    const target = describeDb(db);
    if (result.applied.length === 0) {
      console.log(`${target} is up to date (${result.alreadyApplied.length} migration(s) already applied).`);
    } else {
      console.log(
        `Applied ${result.applied.length} migration(s) to ${target}: ${result.applied.join(', ')}.`,
      );
    }
  });
}

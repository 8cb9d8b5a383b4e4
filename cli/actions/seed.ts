// What `pulse seed` does (declared in ../commands/seed.ts): migrates, then writes the demo data with a
// progress bar on stderr and a one-line summary on stdout.
import { migrate } from '../../core/migrate.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import type { CliFlags } from '../config.ts';
import { progressBar } from './progress-bar.ts';
import { describeDb, withDb } from './with-db.ts';

export interface SeedFlags {
  readonly users: number;
  readonly months: number;
  readonly seed: number;
  readonly until?: Date;
  readonly append?: boolean;
}

export async function runSeed(globals: CliFlags, flags: SeedFlags): Promise<void> {
  await withDb(globals, async (db) => {
    await migrate(db);
    const bar = progressBar('seed');
    try {
      const summary = await seedDemoData(db, {
        users: flags.users,
        months: flags.months,
        seed: flags.seed,
        until: flags.until ?? new Date(),
        append: flags.append === true,
        onProgress: bar.update,
      });
      bar.stop();
      console.log(
        `Seeded ${summary.users} users, ${summary.artists} artists and ${summary.pledges} pledges ` +
          `into ${describeDb(db)} in ${summary.seconds.toFixed(1)} s.`,
      );
    } finally {
      bar.stop();
    }
  });
}

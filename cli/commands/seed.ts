// `pulse seed`: writes deterministic, realistic demo data (see core/seed/demo-model.ts) in one transaction.
import type { Command } from 'commander';
import { migrate } from '../../core/migrate.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { instantFlag, wholeNumberFlag } from '../arguments.ts';
import { progressBar } from './progress-bar.ts';
import { describeDb, withDb } from './with-db.ts';

interface SeedFlags {
  readonly users: number;
  readonly months: number;
  readonly seed: number;
  readonly until?: Date;
  readonly append?: boolean;
}

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('write deterministic demo users, artists and pledges (applies migrations first)')
    .requiredOption('--users <n>', 'how many users to create', wholeNumberFlag(1, 5_000_000))
    .option('--months <m>', 'months of history to simulate', wholeNumberFlag(1, 120), 12)
    .option(
      '--seed <s>',
      'random seed: the same seed (and --until) writes the same rows',
      wholeNumberFlag(0, 2 ** 32 - 1),
      1,
    )
    .option('--until <date>', 'end of the simulated history (default: now)', instantFlag)
    .option('--append', 'add to a database that already has users (refused otherwise)')
    .action(async (flags: SeedFlags) => {
      await withDb(program.opts(), async (db) => {
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
    });
}

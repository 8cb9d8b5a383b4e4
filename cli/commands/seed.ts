// `pulse seed`: writes deterministic, realistic demo data (see core/seed/demo-model.ts) in one transaction.
// Declares the command only; the work is in ../actions/seed.ts, imported when the command runs.
import type { Command } from 'commander';
import type { SeedFlags } from '../actions/seed.ts';
import { instantFlag, wholeNumberFlag } from '../arguments.ts';

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
      const { runSeed } = await import('../actions/seed.ts');
      await runSeed(program.opts(), flags);
    });
}

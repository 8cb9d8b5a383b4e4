// `pulse migrate`: applies the schema in queries/migrations/ to the configured database; safe to run twice.
// Declares the command only; the work is in ../actions/migrate.ts, imported when the command runs.
import type { Command } from 'commander';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'apply the pledge-table schema to DATABASE_URL (or the embedded database); safe to run twice',
    )
    .action(async () => {
      const { runMigrate } = await import('../actions/migrate.ts');
      await runMigrate(program.opts());
    });
}

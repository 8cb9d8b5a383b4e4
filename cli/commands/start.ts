// `pulse start`: the whole system in one process (cli/system/): the pledge API, the collector scraping it,
// live health, alerts and the dashboard over one database; --demo adds demo data when the database is
// empty and steady synthetic traffic. Runs as a child process under the OpenTelemetry preload.
// Declares the command only; the work is in ../actions/start.ts, imported when the command runs.
import type { Command } from 'commander';
import { wholeNumberFlag } from '../arguments.ts';
import { demoSize } from '../system/demo-size.ts';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the whole system in one process: pledge API, collector, live health, alerts, dashboard')
    .option(
      '--demo',
      `add demo data (${demoSize.users} users, ${demoSize.months} months) when the database is empty, and synthetic traffic`,
    )
    .option(
      '--port <port>',
      'collector and dashboard port (overrides COLLECTOR_PORT)',
      wholeNumberFlag(0, 65_535),
    )
    .action(async (flags: { demo?: boolean; port?: number }) => {
      const { runStart } = await import('../actions/start.ts');
      await runStart(program.opts(), flags);
    });
}

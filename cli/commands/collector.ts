// `pulse collector`: runs the KPI service (JSON API) until SIGTERM/SIGINT, printing its address and any
// token it generated (once). Declares the command only; the work is in ../actions/collector.ts.
import type { Command } from 'commander';
import { wholeNumberFlag } from '../arguments.ts';

export function registerCollector(program: Command): void {
  program
    .command('collector')
    .description('run the KPI collector (GET /api/kpis, /api/kpis/artists|cohorts|ltv) on COLLECTOR_PORT')
    .option(
      '--port <port>',
      'listen port (overrides COLLECTOR_PORT; 0 picks a free one)',
      wholeNumberFlag(0, 65_535),
    )
    .action(async (flags: { port?: number }) => {
      const { runCollector } = await import('../actions/collector.ts');
      await runCollector(program.opts(), flags);
    });
}

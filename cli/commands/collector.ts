// `pulse collector`: runs the KPI service (JSON API) until SIGTERM/SIGINT, printing its address and any
// token it generated (once).
import type { Command } from 'commander';
import { loadCollectorConfig } from '../../collector/config.ts';
import { startCollector } from '../../collector/server.ts';
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
      const config = loadCollectorConfig(process.env, { ...program.opts(), port: flags.port });
      const collector = await startCollector(config);
      console.log(
        `Collector listening on ${collector.url} (${collector.db.kind} database ${collector.db.location})`,
      );
      for (const role of collector.tokens.generated) {
        console.log(
          `Generated ${role} token (stored in ${collector.tokens.file}): ${collector.tokens.tokens[role]}`,
        );
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      await collector.stop();
    });
}

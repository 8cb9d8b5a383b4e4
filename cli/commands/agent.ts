// `pulse agent`: runs the pledge API in its own Node process with the OpenTelemetry preload loaded first.
// Declares the command only; the work is in ../actions/agent.ts, imported when the command runs.
import type { Command } from 'commander';
import { wholeNumberFlag } from '../arguments.ts';

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      'run the pledge API (PORT) with OpenTelemetry metrics on METRICS_PORT (Prometheus) and OTLP push',
    )
    .option('--port <port>', 'API port (overrides PORT)', wholeNumberFlag(0, 65_535))
    .action(async (flags: { port?: number }) => {
      const { runAgent } = await import('../actions/agent.ts');
      await runAgent(program.opts(), flags);
    });
}

// `pulse agent`: runs the pledge API in its own Node process with the OpenTelemetry preload loaded first.
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadAgentConfig } from '../../agent/config.ts';
import { wholeNumberFlag } from '../arguments.ts';
import { instrumentedCommand, runInstrumented } from '../spawn-instrumented.ts';

const main = fileURLToPath(new URL('../../agent/main.ts', import.meta.url));

/** The node arguments that run the agent as `pulse agent` does (the benchmarks start it the same way). */
export function agentCommand(): string[] {
  return instrumentedCommand(main);
}

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      'run the pledge API (PORT) with OpenTelemetry metrics on METRICS_PORT (Prometheus) and OTLP push',
    )
    .option('--port <port>', 'API port (overrides PORT)', wholeNumberFlag(0, 65_535))
    .action(async (flags: { port?: number }) => {
      const dataDir = program.opts().dataDir as string | undefined;
      loadAgentConfig(process.env, { dataDir, port: flags.port }); // validate here: one clear message, exit 2
      const env = {
        ...process.env,
        ...(dataDir ? { PULSE_DATA_DIR: dataDir } : {}),
        // The flag wins over the environment: the child reads it as PORT.
        ...(flags.port !== undefined ? { PORT: String(flags.port) } : {}),
      };
      const code = await runInstrumented(main, env);
      if (code !== 0) throw new Error(`the agent exited with code ${code}`);
    });
}

// `pulse agent`: runs the pledge API in its own Node process with the OpenTelemetry preload loaded first
// (it must patch express, http and pg before they are imported, which this CLI process already did).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadAgentConfig } from '../../agent/config.ts';
import { wholeNumberFlag } from '../arguments.ts';

const instrument = fileURLToPath(new URL('../../agent/instrument.ts', import.meta.url));
const main = fileURLToPath(new URL('../../agent/main.ts', import.meta.url));

export function agentCommand(): string[] {
  return ['--import', import.meta.resolve('tsx'), '--import', instrument, main];
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
      const child = spawn(process.execPath, agentCommand(), { stdio: 'inherit', env });
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      process.on('SIGTERM', forward);
      process.on('SIGINT', forward);
      const code = await new Promise<number>((resolve) => child.on('exit', (exit) => resolve(exit ?? 1)));
      if (code !== 0) throw new Error(`the agent exited with code ${code}`);
    });
}

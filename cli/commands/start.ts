// `pulse start`: the whole system in one process (cli/system/): the pledge API, the collector scraping it,
// live health, alerts and the dashboard over one database; --demo adds demo data when the database is
// empty and steady synthetic traffic. Runs as a child process under the OpenTelemetry preload.
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { wholeNumberFlag } from '../arguments.ts';
import { runInstrumented } from '../spawn-instrumented.ts';
import { demoSize } from '../system/run-system.ts';
import { loadSystemSettings, systemEnv } from '../system/system-config.ts';

const main = fileURLToPath(new URL('../system/main.ts', import.meta.url));

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
      const env = systemEnv(process.env, { ...flags, dataDir: program.opts().dataDir as string | undefined });
      loadSystemSettings(env); // validate here: one clear message naming the variable, exit 2
      const code = await runInstrumented(main, env);
      if (code !== 0) throw new Error(`pulse start exited with code ${code}`);
    });
}

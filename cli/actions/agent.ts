// What `pulse agent` does (declared in ../commands/agent.ts): validates the agent's configuration here (one
// clear message, exit 2), then runs agent/main.ts in a child process under tsx and the drop-in agent.
import { loadAgentConfig } from '../../agent/config.ts';
import { fromPackageRoot } from '../../core/package-root.ts';
import type { CliFlags } from '../config.ts';
import { instrumentedCommand, runInstrumented } from '../spawn-instrumented.ts';

const main = fromPackageRoot('agent', 'main.ts');

/** The node arguments that run the agent as `pulse agent` does (the benchmarks start it the same way). */
export function agentCommand(): string[] {
  return instrumentedCommand(main);
}

export async function runAgent(globals: CliFlags, flags: { port?: number }): Promise<void> {
  const dataDir = globals.dataDir;
  loadAgentConfig(process.env, { dataDir, port: flags.port }); // validate here: one clear message, exit 2
  const env = {
    ...process.env,
    ...(dataDir ? { PULSE_DATA_DIR: dataDir } : {}),
    // The flag wins over the environment: the child reads it as PORT.
    ...(flags.port !== undefined ? { PORT: String(flags.port) } : {}),
  };
  const code = await runInstrumented(main, env);
  if (code !== 0) throw new Error(`the agent exited with code ${code}`);
}

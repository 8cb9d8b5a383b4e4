// What `pulse start` does (declared in ../commands/start.ts): folds the flags into the environment,
// validates the settings here (one clear message naming the variable, exit 2), then runs cli/system/main.ts
// in a child process under tsx and the drop-in agent.
import { fromPackageRoot } from '../../core/package-root.ts';
import type { CliFlags } from '../config.ts';
import { runInstrumented } from '../spawn-instrumented.ts';
import { loadSystemSettings, systemEnv } from '../system/system-config.ts';

const main = fromPackageRoot('cli', 'system', 'main.ts');

export async function runStart(globals: CliFlags, flags: { demo?: boolean; port?: number }): Promise<void> {
  const env = systemEnv(process.env, { ...flags, dataDir: globals.dataDir });
  loadSystemSettings(env);
  const code = await runInstrumented(main, env);
  if (code !== 0) throw new Error(`pulse start exited with code ${code}`);
}

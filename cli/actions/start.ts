// What `pulse start` does (declared in ../commands/start.ts): folds the flags into the environment,
// validates the settings here (one clear message naming the variable, exit 2), then runs cli/system/main.ts
// in a child process under the drop-in agent: compiled (cli/dist/system/main.js) when this CLI runs
// compiled, else the TypeScript through tsx.
import { fromPackageRoot } from '../../core/package-root.ts';
import type { CliFlags } from '../config.ts';
import { runInstrumented, systemEntry } from '../spawn-instrumented.ts';
import { loadSystemSettings, systemEnv } from '../system/system-config.ts';

const main = systemEntry(fromPackageRoot('cli', 'system', 'main.ts'), 'main.js');

export async function runStart(globals: CliFlags, flags: { demo?: boolean; port?: number }): Promise<void> {
  const env = systemEnv(process.env, { ...flags, dataDir: globals.dataDir });
  loadSystemSettings(env);
  const code = await runInstrumented(main, env);
  if (code !== 0) throw new Error(`pulse start exited with code ${code}`);
}

// Runs an entry module in a child Node process with the drop-in agent loaded first (agent/register.js: it
// must patch modules before they are imported, which this CLI process already did), forwards SIGTERM and
// SIGINT to it, and resolves with its exit code. `pulse agent` and `pulse start` run this way.
import { spawn } from 'node:child_process';
import { compiledSystemFile, fromPackageRoot } from '../core/package-root.ts';

/** The drop-in agent's entry: plain JavaScript, the agent itself built ahead of time (npm run build:agent). */
export const dropInEntry = fromPackageRoot('agent', 'register.js');

/** The node arguments that run `entry` under the drop-in agent (a TypeScript entry through tsx). */
export function instrumentedCommand(entry: string): string[] {
  const typeScript = entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
  return [...typeScript, '--import', dropInEntry, entry];
}

/**
 * `source` (a TypeScript entry) or, when this CLI runs compiled (cli/bin.js chose cli/dist/, fresh, whose
 * build compiled the entries of cli/dist/system/ from the same sources), its compiled twin there.
 */
export function systemEntry(source: string, compiledName: string): string {
  const runningCompiled = !import.meta.url.endsWith('.ts');
  return runningCompiled ? compiledSystemFile(compiledName) : source;
}

export async function runInstrumented(entry: string, env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, instrumentedCommand(entry), { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGTERM', forward);
  process.on('SIGINT', forward);
  try {
    return await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  } finally {
    process.off('SIGTERM', forward);
    process.off('SIGINT', forward);
  }
}

// Runs an entry module in a child Node process with the drop-in agent loaded first (agent/register.js: it
// must patch modules before they are imported, which this CLI process already did), forwards SIGTERM and
// SIGINT to it, and resolves with its exit code. `pulse agent` and `pulse start` run this way.
import { spawn } from 'node:child_process';
import { fromPackageRoot } from '../core/package-root.ts';

/** The drop-in agent's entry: plain JavaScript, the agent itself built ahead of time (npm run build:agent). */
export const dropInEntry = fromPackageRoot('agent', 'register.js');

/** The node arguments that run `entry` (a TypeScript path) under tsx and the drop-in agent. */
export function instrumentedCommand(entry: string): string[] {
  return ['--import', import.meta.resolve('tsx'), '--import', dropInEntry, entry];
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

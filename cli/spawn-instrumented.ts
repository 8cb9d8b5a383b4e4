// Runs an entry module in a child Node process with the OpenTelemetry preload loaded first (it must patch
// modules before they are imported, which this CLI process already did), forwards SIGTERM and SIGINT to it,
// and resolves with its exit code. `pulse agent` and `pulse start` run this way.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const instrument = fileURLToPath(new URL('../agent/instrument.ts', import.meta.url));

/** The node arguments that run `entry` (a path) under tsx and the preload. */
export function instrumentedCommand(entry: string): string[] {
  return ['--import', import.meta.resolve('tsx'), '--import', instrument, entry];
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

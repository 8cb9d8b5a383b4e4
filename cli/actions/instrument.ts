// What `pulse instrument -- <command…>` does (declared in ../commands/instrument.ts): runs the command
// with NODE_OPTIONS gaining `--import <pulse>/agent/register.js`, so every Node process it starts loads the
// drop-in agent; only the process that listens opens the metrics endpoint (npm's own process does not).
// Signals are passed on; the exit code is the command's.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { UsageError } from '../../core/errors.ts';
import { dropInEntry } from '../spawn-instrumented.ts';

/** NODE_OPTIONS with the drop-in's --import added (quoted: the checkout's path may contain spaces). */
export function withDropIn(nodeOptions: string | undefined): string {
  const entry = `--import=${JSON.stringify(dropInEntry)}`;
  return nodeOptions ? `${nodeOptions} ${entry}` : entry;
}

export function runWithDropIn(command: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [file, ...args] = command;
  if (!file)
    return Promise.reject(
      new UsageError('name the command to run after --, e.g. pulse instrument -- node server.js'),
    );
  const child = spawn(file, args, {
    stdio: 'inherit',
    env: { ...env, NODE_OPTIONS: withDropIn(env.NODE_OPTIONS) },
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  return new Promise<number>((resolve, reject) => {
    child.on('error', (error) => reject(new UsageError(`cannot run ${file}: ${error.message}`)));
    child.on('exit', (code, signal) => {
      for (const name of signals) process.off(name, forward);
      // A command killed by a signal exits as a shell would report it: 128 + the signal's number.
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}

export async function runInstrument(command: readonly string[]): Promise<void> {
  const code = await runWithDropIn(command, process.env);
  // The command's own exit code, whatever it is, is this command's.
  process.exit(code);
}

// Runs the real collector as `pulse collector` does — its own Node process (cli/bin.js, sources loaded as they
// are on disk) — on a free loopback port with the test tokens, waits for /healthz, and can SIGKILL it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './agent-process.ts';
import { testTokens } from './collector.ts';
import { cliBin } from './run-cli.ts';

export interface CollectorProcess {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  /** Sends `signal` (default SIGTERM) and resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startCollectorProcess(env: Record<string, string>): Promise<CollectorProcess> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'pulse-collector-'));
  const child = spawn(process.execPath, [cliBin, 'collector'], {
    env: {
      ...process.env,
      PULSE_CLI: 'source',
      PULSE_DATA_DIR: dataDir,
      COLLECTOR_PORT: String(port),
      PULSE_FOUNDER_TOKEN: testTokens.founder,
      PULSE_OPERATOR_TOKEN: testTokens.operator,
      ...env,
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`collector exited early:\n${output}`);
    }
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(`collector not ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, child, output: () => output, stop };
}

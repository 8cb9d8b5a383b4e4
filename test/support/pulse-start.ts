// Runs `pulse start --demo` as a person would, on a fresh data directory and free ports, in its own process
// group, and reads the addresses and tokens from its banner. Used by the whole-system and dashboard tests.
// `prepare` may write into the data directory first (e.g. the embedded database with chosen data, which
// --demo then leaves as it is, since it only seeds an empty database).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './agent-process.ts';
import { cliBin } from './run-cli.ts';

export interface RunningPulse {
  readonly child: ChildProcess;
  readonly collectorUrl: string;
  readonly apiUrl: string;
  readonly tokens: { readonly founder: string; readonly operator: string };
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Ctrl-C to the whole process group; resolves with the exit code. */
  interrupt(): Promise<number | null>;
  /** Kills what is left and removes the data directory. */
  cleanup(): Promise<void>;
}

export async function startPulse(
  env: Record<string, string> = {},
  prepare?: (dataDir: string) => Promise<void>,
): Promise<RunningPulse> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pulse-start-'));
  if (prepare) {
    try {
      await prepare(dataDir);
    } catch (error) {
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
  }
  const [apiPort, metricsPort, collectorPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [cliBin, 'start', '--demo'], {
    env: {
      ...process.env,
      DATABASE_URL: '',
      DATABASE_TYPE: '',
      PULSE_DATA_DIR: dataDir,
      PORT: String(apiPort),
      METRICS_PORT: String(metricsPort),
      COLLECTOR_PORT: String(collectorPort),
      HEALTH_SCRAPE_INTERVAL: '1s',
      ALERT_EVALUATION_INTERVAL: '1s',
      ...env,
    },
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const cleanup = async () => {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  while (!/Stop with Ctrl-C/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await cleanup();
      throw new Error(`pulse start did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const match = (pattern: RegExp) => pattern.exec(output)?.[1] ?? '';
  return {
    child,
    collectorUrl: match(/dashboard and collector API\s+(http:\/\/\S+?)\/?\n/),
    apiUrl: match(/pledge API\s+(http:\/\/\S+?)\/api\/artists/),
    tokens: {
      founder: match(/founder token \(generated, stored in .*\): (\S+)/),
      operator: match(/operator token \(generated, stored in .*\): (\S+)/),
    },
    output: () => output,
    async interrupt() {
      process.kill(-(child.pid as number), 'SIGINT');
      return exited;
    },
    cleanup,
  };
}

// A real Alertmanager (Debian's prometheus-alertmanager) for tests: one instance, no cluster, on a free
// loopback port, with a configuration the test writes and a throw-away storage directory. Missing
// Alertmanager skips the suites with the reason, and fails them in CI.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { freePort } from './agent-process.ts';
import { inCi } from './postgres.ts';

export const alertmanagerBin = process.env.PULSE_TEST_ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

const unavailable = existsSync(alertmanagerBin)
  ? null
  : `${alertmanagerBin} not found (apt-get install -y prometheus-alertmanager)`;

export function describeWithAlertmanager(name: string, suite: () => void): void {
  if (unavailable && !inCi) {
    console.warn(`[skipped] ${name}: ${unavailable}`);
    describe.skip(name, suite);
    return;
  }
  describe(name, suite);
}

export interface RunningAlertmanager {
  readonly url: string;
  /** GET /api/v2/alerts: the alerts it holds, with their labels. */
  alerts(): Promise<{ labels: Record<string, string> }[]>;
  stop(): Promise<void>;
}

export async function startAlertmanager(configYaml: string): Promise<RunningAlertmanager> {
  if (unavailable) throw new Error(unavailable);
  const dir = await mkdtemp(join(tmpdir(), 'pulse-alertmanager-'));
  await writeFile(join(dir, 'alertmanager.yml'), configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(alertmanagerBin, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ]);
  let log = '';
  child.stderr?.on('data', (chunk) => {
    log += chunk;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  while (
    !(await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager did not start:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    alerts: async () =>
      (await (await fetch(`${url}/api/v2/alerts`)).json()) as { labels: Record<string, string> }[],
    stop,
  };
}

// A real Prometheus (Debian's /usr/bin/prometheus) for tests: started on a free loopback port with a given
// configuration file (rule files beside it), a throw-away TSDB, and helpers to wait for targets and to ask
// PromQL. Missing Prometheus skips the suites with the reason, and fails them in CI (.ci/run installs it).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { freePort } from './agent-process.ts';
import { inCi } from './postgres.ts';

export const prometheusBin = process.env.PULSE_TEST_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const promtoolBin = process.env.PULSE_TEST_PROMTOOL_BIN ?? '/usr/bin/promtool';
export const amtoolBin = process.env.PULSE_TEST_AMTOOL_BIN ?? '/usr/bin/amtool';

export const prometheusUnavailable = existsSync(prometheusBin)
  ? null
  : `${prometheusBin} not found (apt-get install -y prometheus)`;

/** A describe that needs Prometheus: skipped with the reason, failed in CI. */
export function describeWithPrometheus(name: string, suite: () => void): void {
  if (prometheusUnavailable && !inCi) {
    console.warn(`[skipped] ${name}: ${prometheusUnavailable}`);
    describe.skip(name, suite);
    return;
  }
  describe(name, suite);
}

export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export interface RunningPrometheus {
  readonly url: string;
  /** Instant query; each sample's value as a number (NaN stays NaN). */
  query(expr: string, at?: number): Promise<PromSample[]>;
  /** GET /api/v1/alerts: the alerts with their state (pending, firing). */
  alerts(): Promise<{ labels: Record<string, string>; state: string }[]>;
  /** Waits until `expr` returns at least one sample (or `check` holds), up to `timeoutMs`. */
  waitFor(
    expr: string,
    timeoutMs?: number,
    check?: (samples: PromSample[]) => boolean,
  ): Promise<PromSample[]>;
  log(): string;
  stop(): Promise<void>;
}

export async function startPrometheus(configFile: string): Promise<RunningPrometheus> {
  if (prometheusUnavailable) throw new Error(prometheusUnavailable);
  const tsdb = await mkdtemp(join(tmpdir(), 'pulse-prometheus-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(prometheusBin, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${tsdb}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  let log = '';
  child.stderr?.on('data', (chunk) => {
    log += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  }

  const running: RunningPrometheus = {
    url,
    async query(expr, at) {
      const params = new URLSearchParams({ query: expr, ...(at ? { time: String(at) } : {}) });
      const data = await api<{
        resultType: string;
        result: { metric: Record<string, string>; value: [number, string] }[];
      }>(`/api/v1/query?${params}`);
      return data.result.map((sample) => ({ metric: sample.metric, value: Number(sample.value[1]) }));
    },
    async alerts() {
      return (await api<{ alerts: { labels: Record<string, string>; state: string }[] }>('/api/v1/alerts'))
        .alerts;
    },
    async waitFor(expr, timeoutMs = 30_000, check = (samples) => samples.length > 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const samples = await running.query(expr).catch(() => []);
        if (check(samples)) return samples;
        if (Date.now() > deadline)
          throw new Error(`Prometheus: no data for ${expr} within ${timeoutMs} ms\n${log.slice(-1500)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(tsdb, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 30_000;
  while (
    !(await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`Prometheus did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return running;
}

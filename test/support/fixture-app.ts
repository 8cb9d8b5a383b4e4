// Runs a fixture Express app (test/fixtures/<name>/server.js) as its own process, plain or under the drop-in
// agent (`node --import agent/register.js server.js`, from the app's directory), and reads its metrics:
// request counts by method, route template and status, and series counts.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getMetricsFromIterator, type PromMetrics } from 'prom2javascript';
import { freePort, samples } from './agent-process.ts';

const registerPath = fileURLToPath(new URL('../../agent/register.js', import.meta.url));

export interface FixtureRun {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly metricsUrl: string;
  output(): string;
  /** SIGTERM, then the exit code (null when a signal ended it). */
  stop(): Promise<number | null>;
}

export interface FixtureOptions {
  /** The folder under test/fixtures/. */
  readonly name: string;
  readonly withAgent: boolean;
  readonly env: Record<string, string>;
  /** The app's own line saying it listens: a probe request would be counted by the agent. */
  readonly ready: RegExp;
}

/** The test process's environment without anything that would preload code into the child. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key === 'NODE_OPTIONS' || key.startsWith('OTEL_')) delete env[key];
  return env;
}

export async function startFixtureApp(options: FixtureOptions): Promise<FixtureRun> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const args = options.withAgent ? ['--import', registerPath, 'server.js'] : ['server.js'];
  const child = spawn(process.execPath, args, {
    cwd: fileURLToPath(new URL(`../fixtures/${options.name}/`, import.meta.url)),
    env: { ...cleanEnv(), ...options.env, PORT: String(port), METRICS_PORT: String(metricsPort) },
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name} not ready:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (options.ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited early (${code}):\n${output}`));
    });
  });
  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export async function scrapeText(url: string): Promise<{ text: string; families: PromMetrics }> {
  const text = await (await fetch(url)).text();
  return { text, families: await getMetricsFromIterator(text.split('\n')[Symbol.iterator]()) };
}

/** How a request that matched no route shows in `requestCounts`. */
export const NO_ROUTE = '(none)';

/** `METHOD route status` → request count, summed over the series' other labels. */
export function requestCounts(families: PromMetrics): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sample of samples(families, 'http_server_request_duration')) {
    const { labels } = sample;
    const key = `${labels.http_request_method} ${labels.http_route ?? NO_ROUTE} ${labels.http_response_status_code}`;
    counts[key] = (counts[key] ?? 0) + Number(sample.count);
  }
  return counts;
}

export function seriesCount(text: string, family: string): number {
  return text.split('\n').filter((line) => line.startsWith(`${family}_count{`)).length;
}

/** A scanner's burst: 50 POSTs to unknown paths, each different; resolves when all are answered. */
export async function scannerBurst(baseUrl: string, target: string): Promise<void> {
  await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      fetch(`${baseUrl}/scan-${i}-${Math.random().toString(36).slice(2)}/${target}`, { method: 'POST' }).then(
        (response) => response.arrayBuffer(),
      ),
    ),
  );
}

// Runs the real agent as `pulse agent` does — its own Node process with the OpenTelemetry preload — on free
// loopback ports, waits until it is ready, and reads its Prometheus endpoint through a text-format parser.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { getMetricsFromIterator, type PromMetrics } from 'prom2javascript';
import { agentCommand } from '../../cli/actions/agent.ts';

export interface AgentProcess {
  readonly url: string;
  readonly metricsUrl: string;
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startAgentProcess(env: Record<string, string>): Promise<AgentProcess> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, agentCommand(), {
    env: { ...process.env, PORT: String(port), METRICS_PORT: String(metricsPort), ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`agent exited early: ${output}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`agent not ready: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export async function scrape(agent: AgentProcess): Promise<{ text: string; families: PromMetrics }> {
  const text = await (await fetch(agent.metricsUrl)).text();
  return { text, families: await getMetricsFromIterator(text.split('\n')[Symbol.iterator]()) };
}

/** A sample of any kind as the parser gives it: a value, or a histogram's count, sum and buckets. */
export interface Sample {
  readonly labels: Record<string, string>;
  readonly value?: number;
  readonly count?: number;
  readonly sum?: number;
}

/** Samples of a family whose labels include `match`. */
export function samples(families: PromMetrics, name: string, match: Record<string, string> = {}): Sample[] {
  const data = (families[name]?.data ?? []) as Sample[];
  return data.filter((sample) =>
    Object.entries(match).every(([key, value]) => sample.labels?.[key] === value),
  );
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json().catch(() => null)) as unknown,
  };
}

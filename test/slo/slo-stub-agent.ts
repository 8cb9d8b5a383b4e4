// A stand-in agent for the SLO tests: serves the agent's http_server_request_duration histogram with all
// series at zero until `release()`, then at known counts — so every scraper (the collector's, Prometheus)
// sees the same zero baseline and the same jump, and the expected SLIs can be worked out by hand.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StubSeries {
  readonly method: string;
  readonly route: string;
  readonly status: string;
  readonly count: number;
  /** Requests at or under 0.5 s (the latency SLO's bucket); the rest took longer. */
  readonly fast: number;
}

/**
 * 1000 requests: 12 answered 5xx, 20 slower than 0.5 s; pledge writes: 80 × 201, 2 × 500, 8 × 400 (excluded).
 * Availability 988/1000, latency 980/1000, pledge writes 80/82.
 */
export const stubSeries: readonly StubSeries[] = [
  { method: 'GET', route: '/api/artists', status: '200', count: 900, fast: 880 },
  { method: 'GET', route: '/api/artists', status: '500', count: 10, fast: 10 },
  { method: 'POST', route: '/api/pledges', status: '201', count: 80, fast: 80 },
  { method: 'POST', route: '/api/pledges', status: '500', count: 2, fast: 2 },
  { method: 'POST', route: '/api/pledges', status: '400', count: 8, fast: 8 },
];

function exposition(released: boolean): string {
  const lines = ['# TYPE http_server_request_duration histogram'];
  for (const s of stubSeries) {
    const labels = `service_instance_id="stub-slo",service_version="1.0.0",http_request_method="${s.method}",http_route="${s.route}",http_response_status_code="${s.status}"`;
    const [count, fast] = released ? [s.count, s.fast] : [0, 0];
    lines.push(
      `http_server_request_duration_bucket{${labels},le="0.25"} ${fast}`,
      `http_server_request_duration_bucket{${labels},le="0.5"} ${fast}`,
      `http_server_request_duration_bucket{${labels},le="+Inf"} ${count}`,
      `http_server_request_duration_sum{${labels}} ${count * 0.1}`,
      `http_server_request_duration_count{${labels}} ${count}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface StubAgent {
  readonly metricsUrl: string;
  /** Scrapes answered so far. */
  scrapes(): number;
  release(): void;
  close(): Promise<void>;
}

export async function startStubAgent(): Promise<StubAgent> {
  let released = false;
  let scrapes = 0;
  const server: Server = createServer((_req, res) => {
    scrapes += 1;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition(released));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    scrapes: () => scrapes,
    release: () => {
      released = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// A simulated agent for the burn-rate and ledger tests: the agent's http_server_request_duration histogram
// (resource labels, `le` buckets, `_count`) whose cumulative counts the test grows, served to the real
// scraper through the `fetch` it is given — so days of traffic are scraped in seconds, through the same
// parser, step deltas and SLO ledger as in production.
import type { ScrapeSource } from '../../collector/health/scrape-source.ts';

/** What is added before one scrape; slow requests are among `ok` (answered 2xx in 0.5-1 s). */
export interface Traffic {
  readonly ok: number;
  readonly errors?: number;
  readonly slow?: number;
  /** POST /api/pledges answered 201, and answered 500. */
  readonly pledgeWrites?: number;
  readonly failedPledgeWrites?: number;
}

interface Series {
  readonly method: string;
  readonly route: string;
  readonly status: string;
  count: number;
  /** Requests in 0.5-1 s; the rest took under 0.25 s. */
  slow: number;
}

export interface SimulatedAgent {
  add(traffic: Traffic): void;
  readonly fetch: typeof fetch;
}

export function simulatedAgent(): SimulatedAgent {
  const series: Series[] = [
    { method: 'GET', route: '/api/artists', status: '200', count: 0, slow: 0 },
    { method: 'GET', route: '/api/artists', status: '500', count: 0, slow: 0 },
    { method: 'POST', route: '/api/pledges', status: '201', count: 0, slow: 0 },
    { method: 'POST', route: '/api/pledges', status: '500', count: 0, slow: 0 },
  ];
  const [ok, errors, writes, failedWrites] = series as [Series, Series, Series, Series];
  const exposition = () => {
    const lines = ['# TYPE http_server_request_duration histogram'];
    for (const s of series) {
      const labels = `service_instance_id="simulated",service_version="1.0.0",http_request_method="${s.method}",http_route="${s.route}",http_response_status_code="${s.status}"`;
      const fast = s.count - s.slow;
      lines.push(
        `http_server_request_duration_bucket{${labels},le="0.25"} ${fast}`,
        `http_server_request_duration_bucket{${labels},le="0.5"} ${fast}`,
        `http_server_request_duration_bucket{${labels},le="1"} ${s.count}`,
        `http_server_request_duration_bucket{${labels},le="+Inf"} ${s.count}`,
        `http_server_request_duration_sum{${labels}} ${fast * 0.1 + s.slow * 0.8}`,
        `http_server_request_duration_count{${labels}} ${s.count}`,
      );
    }
    return `${lines.join('\n')}\n`;
  };
  return {
    add(traffic) {
      ok.count += traffic.ok;
      ok.slow += traffic.slow ?? 0;
      errors.count += traffic.errors ?? 0;
      writes.count += traffic.pledgeWrites ?? 0;
      failedWrites.count += traffic.failedPledgeWrites ?? 0;
    },
    fetch: (async () => new Response(exposition())) as unknown as typeof fetch,
  };
}

/** A clock shared by the scraper, the traffic source and the evaluator; the test moves it. */
export interface SteppedClock {
  now(): number;
  advanceSeconds(seconds: number): void;
}

/**
 * `steps` scrape rounds `intervalSeconds` apart, `traffic(i)` added before the i-th (0-based); `after` runs
 * after each round (an evaluation, a check).
 */
export async function scrapeSteps(
  scraper: ScrapeSource,
  agent: SimulatedAgent,
  clock: SteppedClock,
  options: {
    readonly steps: number;
    readonly intervalSeconds: number;
    readonly traffic: (step: number) => Traffic;
    readonly after?: (step: number) => Promise<void>;
  },
): Promise<void> {
  for (let step = 0; step < options.steps; step++) {
    agent.add(options.traffic(step));
    clock.advanceSeconds(options.intervalSeconds);
    await scraper.scrapeOnce();
    await options.after?.(step);
  }
}

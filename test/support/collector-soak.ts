// Collector soak: the built-in health scraper (collector/health/scrape-source.ts) scraping four agents for a
// simulated day at the default 5 s interval with the default 6 h retention — 17,280 rounds, no network and no
// waiting: the injected clock moves one interval per round and the injected fetch answers with a real agent
// /metrics capture (test/health/fixtures/agent-metrics.txt) whose counters grow every round. Agent "b"
// restarts every 4 h (new instance id, counters from zero, the old instance must age out); agent "d" vanishes
// for an hour and comes back. Heap used after a full GC and RSS are taken at 25, 50, 75 and 100 % of the day.
// No test-runner imports: test/reliability/collector-soak.test.ts asserts on it, bench/collector-soak.ts
// prints it (`node --import tsx bench/collector-soak.ts [--read-families]`).
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  createScrapeSource,
  defaultRetentionMs,
  defaultScrapeIntervalMs,
} from '../../collector/health/scrape-source.ts';
import type { HealthReport } from '../../collector/health/types.ts';
import { metric } from '../../core/telemetry/agent-metric-names.ts';

export const soakCapturePath = new URL('../health/fixtures/agent-metrics.txt', import.meta.url);

const dayMs = 24 * 3_600_000;
const restartEveryMs = 4 * 3_600_000;
/** Agent "d" is unreachable from 13:00 to 14:00 of the simulated day. */
const vanishedFromMs = 13 * 3_600_000;
const vanishedUntilMs = 14 * 3_600_000;

export interface SoakCheckpoint {
  readonly percent: number;
  readonly round: number;
  readonly heapUsedBytes: number;
  readonly rssBytes: number;
  /** Points kept across the total and every instance series at that moment. */
  readonly pointsStored: number;
  readonly instancesKept: number;
}

export interface SoakResult {
  readonly rounds: number;
  readonly capacity: number;
  readonly captureLines: number;
  readonly heapBeforeBytes: number;
  readonly checkpoints: readonly SoakCheckpoint[];
  /** The full-retention report at the end of the day. */
  readonly finalReport: HealthReport;
  /** Agent d's instance as reported just before it came back (it must be down then). */
  readonly vanishedAgentUpDuringOutage: boolean | null;
  readonly elapsedMs: number;
}

/** A metrics line whose value is a counter (grows every round); everything else is served as captured. */
type Line = { readonly text: string } | { readonly head: string; readonly base: number };

function captureLines(capture: string): { lines: Line[]; instance: string } {
  const instance = /service_instance_id="([^"]+)"/.exec(capture)?.[1] ?? 'instance';
  const lines = capture.split('\n').map((line): Line => {
    const counter = /^[a-z_]+(_bucket|_count|_sum|_total)\{/.test(line);
    const match = /^(.*\}) (\S+)$/.exec(line);
    return match && counter ? { head: match[1] as string, base: Number(match[2]) } : { text: line };
  });
  return { lines, instance };
}

/** Exposition text for one agent: its instance id, counters at `scrapes` × their captured value. */
function agentText(lines: readonly Line[], captured: string, instance: string, scrapes: number): string {
  return lines
    .map((line) => ('text' in line ? line.text : `${line.head} ${line.base * scrapes}`))
    .join('\n')
    .replaceAll(captured, instance);
}

export interface SoakOptions {
  /**
   * `full` serves the whole capture; `read-families` only the families the scraper reads (the rest is parsed
   * and dropped each round, so it costs time but holds no memory) — what the test uses to stay under a minute.
   */
  readonly capture?: 'full' | 'read-families';
  readonly onCheckpoint?: (checkpoint: SoakCheckpoint) => void;
  /** Rounds to run (default: a day, 17,280); for profiling only — the figures are for the whole day. */
  readonly rounds?: number;
}

/** Keeps comment lines and samples of the families the scraper reads (core/telemetry/agent-metric-names). */
export function readFamiliesOnly(capture: string): string {
  const read = Object.values(metric);
  return capture
    .split('\n')
    .filter((line) => {
      const name = /^(?:# \w+ )?([a-z_]+)/.exec(line)?.[1] ?? '';
      return read.some((family) => name === family || name.startsWith(`${family}_`));
    })
    .join('\n');
}

export async function runCollectorSoak(options: SoakOptions = {}): Promise<SoakResult> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const fullGc = () => {
    gc();
    gc();
  };

  const captured = readFileSync(soakCapturePath, 'utf8');
  const capture = options.capture === 'read-families' ? readFamiliesOnly(captured) : captured;
  const { lines, instance: capturedInstance } = captureLines(capture);
  const start = Date.UTC(2026, 0, 1);
  let now = start;
  const elapsed = () => now - start;

  const agents = ['a', 'b', 'c', 'd'].map((name) => ({
    name,
    url: `http://agent-${name}.test:9464/metrics`,
    scrapes: 0,
  }));
  const byUrl = new Map(agents.map((agent) => [agent.url, agent]));
  const instanceOf = (name: string) =>
    name === 'b' ? `agent-b-gen${Math.floor(elapsed() / restartEveryMs)}` : `agent-${name}`;
  const vanished = (name: string) =>
    name === 'd' && elapsed() >= vanishedFromMs && elapsed() < vanishedUntilMs;

  const fakeFetch = (async (input: string | URL | Request) => {
    const agent = byUrl.get(String(input));
    if (!agent) throw new TypeError(`unknown target ${String(input)}`);
    if (vanished(agent.name)) throw new TypeError('fetch failed: connect ECONNREFUSED');
    // A restart (b, every 4 h) starts the counters from zero again.
    if (agent.name === 'b' && elapsed() % restartEveryMs === 0) agent.scrapes = 0;
    agent.scrapes += 1;
    return new Response(agentText(lines, capturedInstance, instanceOf(agent.name), agent.scrapes), {
      headers: { 'content-type': 'text/plain; version=0.0.4' },
    });
  }) as typeof fetch;

  const intervalMs = defaultScrapeIntervalMs;
  const retentionMs = defaultRetentionMs;
  const source = createScrapeSource(
    { targets: agents.map((agent) => agent.url), intervalMs, retentionMs },
    { now: () => now, fetch: fakeFetch },
  );
  const rounds = options.rounds ?? dayMs / intervalMs;
  const quarters = new Map([0.25, 0.5, 0.75, 1].map((share) => [Math.round(rounds * share), share * 100]));

  const began = Date.now();
  fullGc();
  const heapBeforeBytes = process.memoryUsage().heapUsed;
  const checkpoints: SoakCheckpoint[] = [];
  let vanishedAgentUpDuringOutage: boolean | null = null;
  let finalReport: HealthReport | null = null;
  for (let round = 1; round <= rounds; round++) {
    await source.scrapeOnce();
    // Let the event loop turn as it does between real scrapes: the scraper's per-fetch AbortSignal.timeout
    // timers only fire (and are freed) in the timers phase, which a loop of resolved promises never reaches.
    await new Promise((resolve) => setImmediate(resolve));
    if (elapsed() === vanishedUntilMs - intervalMs) {
      const latest = await source.latest();
      vanishedAgentUpDuringOutage =
        latest?.instances.find((instance) => instance.instance === 'agent-d')?.up ?? null;
    }
    const percent = quarters.get(round);
    if (percent !== undefined) {
      const report = await source.report(retentionMs / 1000);
      fullGc();
      const memory = process.memoryUsage();
      const checkpoint: SoakCheckpoint = {
        percent,
        round,
        heapUsedBytes: memory.heapUsed,
        rssBytes: memory.rss,
        pointsStored: report.instances.reduce((sum, one) => sum + one.points.length, report.total.length),
        instancesKept: report.instances.length,
      };
      checkpoints.push(checkpoint);
      options.onCheckpoint?.(checkpoint);
      if (round === rounds) finalReport = report;
    }
    now += intervalMs;
  }
  if (!finalReport) throw new Error('the soak ended without its final report');
  return {
    rounds,
    capacity: source.capacity,
    captureLines: lines.length,
    heapBeforeBytes,
    checkpoints,
    finalReport,
    vanishedAgentUpDuringOutage,
    elapsedMs: Date.now() - began,
  };
}

// A burst of founder KPI requests against the whole system in one process, as `pulse start` runs it: the
// pledge API and the collector on one PostgreSQL database and one event loop. `concurrency` clients (a worker
// thread, kpi-burst-client.js) request `requests` different 3-year daily windows (1,095 periods each)
// back to back; a second worker polls both /healthz every 50 ms meanwhile. Reported: the event-loop delay
// (perf_hooks.monitorEventLoopDelay) during the burst, the /healthz latencies, heap used and RSS after a full
// GC before and after, the answers by status, and the KPI period cache's size. The workers are threads of the
// same process: RSS after also holds whatever memory they leave behind when they stop. No test-runner
// imports: bench/kpi-burst.bench.ts runs it at full size, test/security/kpi-burst.test.ts asserts on it.
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import type { CollectorConfig } from '../../collector/config.ts';
import type { Db } from '../../core/db/types.ts';
import { startTestAgent } from './agent-app.ts';
import { startTestCollector, testTokens } from './collector.ts';

export interface KpiBurstOptions {
  /** A migrated PostgreSQL database with the data, and its URL (the collector's configuration names it). */
  readonly db: Db;
  readonly url: string;
  readonly requests: number;
  readonly concurrency: number;
  /** The first window's first day; window k starts 1,095 × k days later (every window is new to the cache). */
  readonly firstDay: Date;
  /** Retry a 503 after its Retry-After (so every window is eventually computed), or count it and move on. */
  readonly retryBusy: boolean;
  readonly collector?: Partial<CollectorConfig>;
}

export interface LatencySummary {
  readonly count: number;
  readonly failures: number;
  readonly maxMs: number;
  readonly p99Ms: number;
}

/** What the burst worker reports. */
interface BurstAnswers {
  readonly statuses: Record<string, number>;
  /** The error codes of the 503 answers. */
  readonly busyCodes: Record<string, number>;
  /** 503 answers without a positive Retry-After (must be 0). */
  readonly busyWithoutRetryAfter: number;
  /** Requests that got no answer at all. */
  readonly failures: number;
  readonly bytes: number;
  readonly maxLatencyMs: number;
  readonly elapsedMs: number;
}

export interface KpiBurstResult extends BurstAnswers {
  readonly loopDelayMaxMs: number;
  readonly loopDelayP99Ms: number;
  readonly collectorHealthz: LatencySummary;
  readonly agentHealthz: LatencySummary;
  readonly heapBeforeBytes: number;
  readonly heapAfterBytes: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly cachedPeriods: number;
}

export const windowDays = 1095;
const dayMs = 86_400_000;

export function burstPaths(firstDay: Date, count: number): string[] {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return Array.from({ length: count }, (_, k) => {
    const from = firstDay.getTime() + k * windowDays * dayMs;
    return `/api/kpis?from=${day(from)}&to=${day(from + windowDays * dayMs)}&interval=day`;
  });
}

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

function runWorker<T>(data: Record<string, unknown>): {
  worker: Worker;
  ready: Promise<void>;
  done: Promise<T>;
} {
  const worker = new Worker(new URL('./kpi-burst-client.js', import.meta.url), { workerData: data });
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const done = new Promise<T>((resolve, reject) => {
    worker.on('message', (message: { ready?: true; result?: T }) => {
      if (message.ready) onReady();
      else resolve(message.result as T);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`load worker exited with ${code} before answering`)));
  });
  return { worker, ready, done };
}

export async function runKpiBurst(options: KpiBurstOptions): Promise<KpiBurstResult> {
  const gc = collectGarbage();
  const agent = await startTestAgent(options.db);
  const collector = await startTestCollector(
    {
      kind: 'postgres',
      url: options.url,
      dataDir: tmpdir(),
      pool: { max: 20, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 },
    },
    options.collector,
    { db: options.db },
  );
  try {
    // Warm both servers up (first requests compile code paths), then take the baseline.
    await (await fetch(`${collector.url}/healthz`)).arrayBuffer();
    await (await fetch(`${agent.url}/healthz`)).arrayBuffer();
    gc();
    const before = process.memoryUsage();

    const delay = monitorEventLoopDelay({ resolution: 10 });
    const collectorHealthz = `${collector.url}/healthz`;
    const agentHealthz = `${agent.url}/healthz`;
    const poller = runWorker<Record<string, LatencySummary>>({
      mode: 'poll',
      urls: [collectorHealthz, agentHealthz],
      intervalMs: 50,
    });
    await poller.ready;
    delay.enable();
    const burst = runWorker<BurstAnswers>({
      mode: 'burst',
      baseUrl: collector.url,
      paths: burstPaths(options.firstDay, options.requests),
      concurrency: options.concurrency,
      token: testTokens.founder,
      retryBusy: options.retryBusy,
      maxRetryWaitMs: 2_000,
    });
    const answered = await burst.done;
    delay.disable();
    poller.worker.postMessage('stop');
    const healthz = await poller.done;
    await Promise.all([burst.worker.terminate(), poller.worker.terminate()]);

    gc();
    const after = process.memoryUsage();
    return {
      ...answered,
      loopDelayMaxMs: delay.max / 1e6,
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      collectorHealthz: healthz[collectorHealthz] as LatencySummary,
      agentHealthz: healthz[agentHealthz] as LatencySummary,
      heapBeforeBytes: before.heapUsed,
      heapAfterBytes: after.heapUsed,
      rssBeforeBytes: before.rss,
      rssAfterBytes: after.rss,
      cachedPeriods: collector.engine.cachedPeriods,
    };
  } finally {
    await collector.stop();
    await agent.close();
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export function describeBurst(result: KpiBurstResult): string {
  const statuses = Object.entries(result.statuses)
    .map(([status, count]) =>
      status === '503'
        ? `${count}×503 (${Object.entries(result.busyCodes)
            .map(([code, n]) => `${n} ${code}`)
            .join(', ')})`
        : `${count}×${status}`,
    )
    .join(', ');
  return (
    `answers ${statuses}${result.failures ? `, ${result.failures} failed` : ''} in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
    `(slowest ${(result.maxLatencyMs / 1000).toFixed(2)} s); event-loop delay max ${result.loopDelayMaxMs.toFixed(0)} ms, ` +
    `p99 ${result.loopDelayP99Ms.toFixed(0)} ms; /healthz max collector ${result.collectorHealthz.maxMs.toFixed(0)} ms ` +
    `(p99 ${result.collectorHealthz.p99Ms.toFixed(0)}), agent ${result.agentHealthz.maxMs.toFixed(0)} ms ` +
    `(p99 ${result.agentHealthz.p99Ms.toFixed(0)}); heap ${mib(result.heapBeforeBytes)} → ${mib(result.heapAfterBytes)}, ` +
    `RSS ${mib(result.rssBeforeBytes)} → ${mib(result.rssAfterBytes)}; ${result.cachedPeriods.toLocaleString('en-US')} periods cached`
  );
}

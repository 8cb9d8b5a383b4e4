// `npm run bench -- demo`: does the embedded demo stay healthy? `pulse start --demo` as a person runs it
// (default scrape and evaluation intervals), once with the embedded database on its own worker thread
// (PULSE_EMBEDDED_THREAD=worker, the default) and once on the main thread (=main, as before), alternating.
// Per run: the system process's resident memory (peak VmHWM and the mean after start-up, from /proc), and the
// pledge API's latency seen by a fixed-rate probe (GET /api/artists/:id, 20/s, beside the demo's own synthetic
// traffic) — p50/p99 for 20 s idle, then for 20 s while a founder reloads the Business view every 2 s (its
// four KPI requests at once, over the demo's 18 months; the first load cold), and
// whether the system raised its own EventLoopDelayHigh alert. Linux only (/proc).
import { readdirSync, readFileSync } from 'node:fs';
import { startPulse } from '../test/support/pulse-start.ts';
import { SkipBenchmark } from './harness.ts';

type Thread = 'worker' | 'main';

interface DemoFigures {
  readonly thread: Thread;
  readonly peakRssMb: number;
  readonly meanRssMb: number;
  readonly idle: Latency;
  readonly refresh: Latency;
  readonly refreshes: number;
  readonly eventLoopAlert: boolean;
}

interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly count: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The process `pulse start` runs the system in (cli/system/main.ts; the CLI itself only forwards signals). */
function systemPid(cliPid: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === cliPid && command.includes('system/main')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no child of ${cliPid}`);
}

function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`));
  return Number(line?.[1] ?? 0) / 1024;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/** Fixed-rate probe: one request every 50 ms whatever the answers take (no coordinated omission). */
async function probe(apiUrl: string, ms: number): Promise<Latency> {
  const latencies: Promise<number>[] = [];
  const end = Date.now() + ms;
  let i = 0;
  while (Date.now() < end) {
    const started = performance.now();
    latencies.push(
      fetch(`${apiUrl}/api/artists/${(i++ % 20) + 1}`).then(async (r) => {
        await r.arrayBuffer();
        return performance.now() - started;
      }),
    );
    await sleep(50);
  }
  const sorted = (await Promise.all(latencies)).sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), count: sorted.length };
}

/** The Business view's requests, as the page sends them on load (in parallel), over the demo's 18 months. */
function businessViewPaths(): string[] {
  const to = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 548 * 86_400_000).toISOString().slice(0, 8).concat('01');
  const range = `from=${from}&to=${to}`;
  return [
    `/api/kpis?interval=month&${range}`,
    `/api/kpis/cohorts?${range}`,
    `/api/kpis/ltv`,
    `/api/kpis/artists?${range}`,
  ];
}

/** A founder reloading the Business view every 2 s (the first load after start is cold). */
async function refreshBusinessView(url: string, token: string, until: number): Promise<number> {
  let done = 0;
  while (Date.now() < until) {
    const next = sleep(2_000);
    await Promise.all(
      businessViewPaths().map(async (path) => {
        const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
        done++;
      }),
    );
    await next;
  }
  return done;
}

async function measure(thread: Thread): Promise<DemoFigures> {
  const pulse = await startPulse({
    PULSE_EMBEDDED_THREAD: thread,
    HEALTH_SCRAPE_INTERVAL: '5s',
    ALERT_EVALUATION_INTERVAL: '15s',
  });
  try {
    const pid = systemPid(pulse.child.pid as number);
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(memoryMb(pid, 'VmRSS')), 1000);
    await sleep(20_000); // settle: first scrapes, first alert evaluation, the collector's first KPI read
    const idle = await probe(pulse.apiUrl, 20_000);
    const until = Date.now() + 20_000;
    const [refresh, refreshes] = await Promise.all([
      probe(pulse.apiUrl, 20_000),
      refreshBusinessView(pulse.collectorUrl, pulse.tokens.founder, until),
    ]);
    await sleep(16_000); // one more alert evaluation after the refreshes
    clearInterval(sampler);
    const alerts = (await (
      await fetch(`${pulse.collectorUrl}/api/alerts?limit=200`, {
        headers: { authorization: `Bearer ${pulse.tokens.operator}` },
      })
    ).json()) as { active: { alertname: string }[]; history: { alertname: string }[] };
    const peakRssMb = memoryMb(pid, 'VmHWM');
    return {
      thread,
      peakRssMb,
      meanRssMb: rss.reduce((sum, value) => sum + value, 0) / Math.max(1, rss.length),
      idle,
      refresh,
      refreshes,
      eventLoopAlert: [...alerts.active, ...alerts.history].some((a) => a.alertname === 'EventLoopDelayHigh'),
    };
  } finally {
    await pulse.interrupt();
    await pulse.cleanup();
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

function describe(f: DemoFigures): string {
  return (
    `${f.thread} thread: RSS peak ${f.peakRssMb.toFixed(0)} MB, mean ${f.meanRssMb.toFixed(0)} MB; ` +
    `API idle p50 ${ms(f.idle.p50)} p99 ${ms(f.idle.p99)}, during refresh p50 ${ms(f.refresh.p50)} ` +
    `p99 ${ms(f.refresh.p99)} (${(f.refresh.p99 / f.idle.p99).toFixed(2)}× idle; ${f.refreshes} KPI requests); ` +
    `EventLoopDelayHigh ${f.eventLoopAlert ? 'RAISED' : 'never'}`
  );
}

export const demoHealthBenchmark = {
  name: 'demo',
  async run(): Promise<string> {
    if (process.platform !== 'linux') throw new SkipBenchmark('reads /proc (Linux only)');
    const rounds = Number(process.env.DEMO_BENCH_ROUNDS ?? 2);
    const lines: string[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const thread of round % 2 === 0 ? (['worker', 'main'] as const) : (['main', 'worker'] as const)) {
        lines.push(`  round ${round + 1}, ${describe(await measure(thread))}`);
      }
    }
    return `demo (pulse start --demo, 2,000 users; alternating runs):\n${lines.join('\n')}`;
  },
};

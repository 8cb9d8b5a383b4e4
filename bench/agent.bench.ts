// Agent overhead: throughput and p99 latency of a database-backed GET /api/artists/:id under autocannon on
// loopback, PostgreSQL, in three processes started the same way side by side — the real agent with the
// OpenTelemetry SDK on, the same with OTEL_SDK_DISABLED=true, and the same app behind express-prom-bundle
// (the peer most users would pick) with the SDK off. Each is measured after a warm-up, in rounds run in
// alternating order so that drift of the machine does not favour one; the figures are the rounds' means.
// Beside throughput, the server process's CPU time per request (from /proc, on Linux) is reported: on a small
// shared machine it is steadier than throughput, which also depends on what else competes for the cores.
// BENCH_AGENT_SECONDS (default 8) and BENCH_AGENT_ROUNDS (default 2) lengthen or shorten the run.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { agentCommand } from '../cli/commands/agent.ts';
import { openPostgresDb } from '../core/db/postgres-db.ts';
import { defineQuery } from '../core/db/query.ts';
import type { Db } from '../core/db/types.ts';
import { migrate } from '../core/migrate.ts';
import { freePort } from '../test/support/agent-process.ts';
import { createTempDatabase, probePostgres } from '../test/support/postgres-server.ts';
import { type Benchmark, SkipBenchmark } from './harness.ts';

const scale = { users: 2_000, artists: 200, pledges: 10_000 };
const wholeFromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const load = {
  connections: 20,
  warmupSeconds: 2,
  seconds: wholeFromEnv('BENCH_AGENT_SECONDS', 8),
  rounds: wholeFromEnv('BENCH_AGENT_ROUNDS', 2),
};

const insertUsers = defineQuery<{ users: number }, never>(
  'bench.insertUsers',
  `INSERT INTO users (email, password_hash, name)
   SELECT 'fan' || g || '@bench.pledgr.test', 'not-a-hash', 'Fan ' || g FROM generate_series(1, :users) g`,
);
const insertArtists = defineQuery<{ artists: number }, never>(
  'bench.insertArtists',
  `INSERT INTO artists (name) SELECT 'Artist ' || g FROM generate_series(1, :artists) g`,
);
/** Pledges spread over every user and artist, one in five cancelled. */
const insertPledges = defineQuery<{ pledges: number }, never>(
  'bench.insertPledges',
  `WITH u AS (SELECT array_agg(id ORDER BY id) AS ids FROM users),
        a AS (SELECT array_agg(id ORDER BY id) AS ids FROM artists)
   INSERT INTO pledges (user_id, artist_id, amount_cents, created_at, cancelled_at)
   SELECT u.ids[1 + g % cardinality(u.ids)], a.ids[1 + (g * 7) % cardinality(a.ids)], 300 + (g % 20) * 100,
          now() - interval '30 days', CASE WHEN g % 5 = 0 THEN now() - interval '1 day' END
     FROM generate_series(1, :pledges) g, u, a`,
);
const artistIds = defineQuery<Record<string, never>, { id: number }>(
  'bench.artistIds',
  'SELECT id FROM artists ORDER BY id',
);

interface Variant {
  readonly label: string;
  readonly args: string[];
  readonly env: Record<string, string>;
}

const promBundleEntry = fileURLToPath(new URL('./prom-bundle-agent.ts', import.meta.url));
const variants: Variant[] = [
  { label: 'SDK on', args: agentCommand(), env: {} },
  { label: 'SDK off', args: agentCommand(), env: { OTEL_SDK_DISABLED: 'true' } },
  {
    label: 'express-prom-bundle',
    args: ['--import', import.meta.resolve('tsx'), promBundleEntry],
    env: { OTEL_SDK_DISABLED: 'true' },
  },
];

interface Measure {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  /** Server CPU (user + system) per request in µs; NaN where /proc is not available. */
  readonly cpuMicros: number;
}

export const agentBenchmark: Benchmark = {
  name: 'agent',
  async run() {
    const unavailable = await probePostgres();
    if (unavailable) throw new SkipBenchmark(unavailable);
    const temp = await createTempDatabase('pulse_bench');
    const db = openPostgresDb({
      url: temp.url,
      pool: { max: 2, idleTimeoutMillis: 1_000, connectionTimeoutMillis: 10_000 },
    });
    try {
      const ids = await prepareData(db);
      const measures = new Map<string, Measure[]>(variants.map((variant) => [variant.label, []]));
      for (let round = 0; round < load.rounds; round++) {
        const order = round % 2 === 0 ? variants : [...variants].reverse();
        for (const variant of order) {
          measures.get(variant.label)?.push(await measure(variant, temp.url, ids));
        }
      }
      const mean = (label: string, pick: (m: Measure) => number) => {
        const list = measures.get(label) ?? [];
        return list.reduce((sum, m) => sum + pick(m), 0) / list.length;
      };
      const figures = variants.map((variant) => ({
        label: variant.label,
        rps: mean(variant.label, (m) => m.requestsPerSecond),
        p99: mean(variant.label, (m) => m.p99Ms),
        cpu: mean(variant.label, (m) => m.cpuMicros),
      }));
      const [on, off, bundle] = figures as [(typeof figures)[0], (typeof figures)[0], (typeof figures)[0]];
      const perRound = variants
        .map(
          (v) =>
            `${v.label} ${(measures.get(v.label) ?? []).map((m) => Math.round(m.requestsPerSecond)).join('/')}`,
        )
        .join(', ');
      return (
        `agent GET /api/artists/:id on PostgreSQL (${scale.artists} artists, ${scale.pledges.toLocaleString('en-US')} ` +
        `pledges), ${load.connections} connections, ${load.seconds} s after a ${load.warmupSeconds} s warm-up, ` +
        `mean of ${load.rounds} round(s): ` +
        figures
          .map(
            (f) =>
              `${f.label} ${Math.round(f.rps).toLocaleString('en-US')} req/s (p99 ${f.p99.toFixed(1)} ms` +
              `${Number.isNaN(f.cpu) ? '' : `, server CPU ${Math.round(f.cpu)} µs/req`})`,
          )
          .join(', ') +
        `; SDK on = ${(on.rps / off.rps).toFixed(2)}× of SDK off throughput, ` +
        `prom-bundle = ${(bundle.rps / off.rps).toFixed(2)}× of SDK off` +
        (Number.isNaN(off.cpu)
          ? ''
          : ` (CPU per request: SDK on ${(on.cpu / off.cpu).toFixed(2)}×, prom-bundle ${(bundle.cpu / off.cpu).toFixed(2)}×)`) +
        ` [req/s per round: ${perRound}]`
      );
    } finally {
      await db.close();
      await temp.drop();
    }
  },
};

async function prepareData(db: Db): Promise<number[]> {
  await migrate(db);
  await db.query(insertUsers, { users: scale.users });
  await db.query(insertArtists, { artists: scale.artists });
  await db.query(insertPledges, { pledges: scale.pledges });
  return (await db.query(artistIds, {})).map((row) => Number(row.id));
}

/** Starts one variant, warms it up, measures it, and stops it. */
async function measure(variant: Variant, databaseUrl: string, ids: readonly number[]): Promise<Measure> {
  const server = await startServer(variant, databaseUrl);
  try {
    await hammer(server.url, ids, load.warmupSeconds);
    const cpuBefore = server.cpuMillis();
    const result = await hammer(server.url, ids, load.seconds);
    const cpuMillis = server.cpuMillis() - cpuBefore;
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${variant.label}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    }
    return {
      requestsPerSecond: result.requests.total / result.duration,
      p99Ms: result.latency.p99,
      cpuMicros: (cpuMillis * 1000) / result.requests.total,
    };
  } finally {
    await server.stop();
  }
}

function hammer(url: string, ids: readonly number[], seconds: number): Promise<autocannon.Result> {
  let next = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: load.connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (request) => ({ ...request, path: `/api/artists/${ids[next++ % ids.length]}` }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

interface ServerProcess {
  readonly url: string;
  /** CPU time the process has used so far, in ms (NaN where /proc is not available). */
  cpuMillis(): number;
  stop(): Promise<void>;
}

/** The bench's environment without settings that would change what is measured (OTEL_*, faults, Redis, …). */
function inheritedEnv(): NodeJS.ProcessEnv {
  const dropped = /^(OTEL_|FAULT_|DATABASE_|DB_POOL_|REDIS_URL$|HOST$|PULSE_AGENT_PORT$|DEPLOYMENT_)/;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !dropped.test(name)));
}

/** utime + stime from /proc/<pid>/stat, in clock ticks of 10 ms (Linux's USER_HZ). */
function processCpuMillis(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

async function startServer(variant: Variant, databaseUrl: string): Promise<ServerProcess> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, variant.args, {
    env: {
      ...inheritedEnv(),
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      RATE_LIMIT_API: 'off',
      RATE_LIMIT_AUTH: 'off',
      ...variant.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(url, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    cpuMillis: () => processCpuMillis(child.pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited before it was ready:\n${output()}`);
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`the server was not ready within 30 s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

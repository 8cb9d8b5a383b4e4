// Agent overhead: what the drop-in agent (`node --import agent/register.js`) costs an Express app per request,
// measured with wrk — a C load generator, so that the client does not take the server's CPU as a Node one
// does on a small machine — against two apps, each in three variants started the same way side by side:
//   - the pledge API on PostgreSQL, GET /api/artists/:id (200 artists, 10,000 pledges): bare
//     (OTEL_SDK_DISABLED=true), with the drop-in, and behind express-prom-bundle (bench/prom-bundle-agent.ts);
//   - the legacy-style Express 4 + sqlite3 fixture (test/fixtures/legacy-pledgr, unmodified), GET
//     /api/artists/:id on a file seeded with 200 artists: bare (`node server.js`), with the drop-in, and with
//     express-prom-bundle preloaded (`node -r bench/legacy-prom-bundle.cjs server.js`).
// Each variant is a fresh process per round: started, warmed up, then loaded by `wrk -t1 -c16 --latency` with
// ids picked at random (bench/wrk-random-id.lua); rounds alternate the order (A B C, C B A, …) so that drift of
// the machine favours none. With two or more CPUs the server is pinned to CPU 0 and wrk to CPU 1 (taskset;
// BENCH_AGENT_PIN=off turns it off): on a 2-core machine that gave steadier rounds than leaving both to the
// scheduler (PostgreSQL's backends still go where the OS puts them, in practice beside wrk). Read per round:
// requests/s and p99 from wrk, and the server's CPU time per request (utime + stime of all its threads from
// /proc/<pid>/stat over the round, divided by the requests) — steadier than throughput on a shared machine.
// The table shows the rounds' medians, then every round. After its last round, each instrumented variant's
// metrics endpoint must show the requests, so a silently switched-off agent cannot pass for a cheap one.
// BENCH_AGENT_SECONDS (default 8) and BENCH_AGENT_ROUNDS (default 3) lengthen or shorten the run.
// BENCH_AGENT_CPU_PROF=<dir> runs every server with `--cpu-prof` (100 µs sampling) into <dir>/<app>-<variant>-r<n>
// and prints, per profile, the bench/profile-top.ts command that reads its measured window.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentCommand } from '../cli/actions/agent.ts';
import { dropInEntry } from '../cli/spawn-instrumented.ts';
import { openPostgresDb } from '../core/db/postgres-db.ts';
import { defineQuery } from '../core/db/query.ts';
import type { Db } from '../core/db/types.ts';
import { migrate } from '../core/migrate.ts';
import { freePort } from '../test/support/agent-process.ts';
import { createTempDatabase, probePostgres } from '../test/support/postgres-server.ts';
import { type Benchmark, SkipBenchmark } from './harness.ts';

const wholeFromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const load = {
  threads: 1,
  connections: 16,
  warmupSeconds: 3,
  seconds: wholeFromEnv('BENCH_AGENT_SECONDS', 8),
  rounds: wholeFromEnv('BENCH_AGENT_ROUNDS', 3),
};
/** Server on CPU 0, wrk on CPU 1: each has a core of its own (PostgreSQL's backends go where the OS puts them). */
const pinned = process.env.BENCH_AGENT_PIN !== 'off' && availableParallelism() >= 2;
const cpuProfileRoot = process.env.BENCH_AGENT_CPU_PROF
  ? resolve(process.env.BENCH_AGENT_CPU_PROF)
  : undefined;
const pgScale = { users: 2_000, artists: 200, pledges: 10_000 };
const legacyArtists = 200;

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const legacyAppDir = fileURLToPath(new URL('../test/fixtures/legacy-pledgr/', import.meta.url));
const wrkScript = join(benchDir, 'wrk-random-id.lua');

// ---- the two apps and their variants ----

export interface Variant {
  readonly label: string;
  /** Short name for file names (CPU profiles). */
  readonly key: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Text the variant's metrics endpoint must show after a round (absent: the bare app serves none). */
  readonly expectMetric?: RegExp;
}

export interface AppUnderTest {
  readonly title: string;
  readonly key: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly readyPath: string;
  readonly pathPrefix: string;
  readonly ids: readonly number[];
  /** The table's rows; the first is the baseline of the ratios (bare, then drop-in, express-prom-bundle). */
  readonly variants: readonly Variant[];
  /** Another wrk script and its arguments after `--` (default: wrk-random-id.lua with pathPrefix and ids). */
  readonly wrk?: { readonly script: string; readonly args: readonly string[] };
}

const dropInMetrics = /http_server_request_duration(_seconds)?_count\{[^}]*http_route="\/api\/artists\/:id"/;
const promBundleMetrics = /http_request_duration_seconds_count\{[^}]*path="\/api\/artists\/:id"/;

function pledgeApi(databaseUrl: string, ids: readonly number[]): AppUnderTest {
  const promBundleEntry = join(benchDir, 'prom-bundle-agent.ts');
  return {
    title:
      `pledge API, GET /api/artists/:id on PostgreSQL (${pgScale.artists} artists, ` +
      `${pgScale.pledges.toLocaleString('en-US')} pledges)`,
    key: 'pledge-api',
    cwd: process.cwd(),
    env: { DATABASE_URL: databaseUrl, RATE_LIMIT_API: 'off', RATE_LIMIT_AUTH: 'off' },
    readyPath: '/readyz',
    pathPrefix: '/api/artists/',
    ids,
    variants: [
      { label: 'bare', key: 'bare', args: agentCommand(), env: { OTEL_SDK_DISABLED: 'true' } },
      { label: 'drop-in agent', key: 'drop-in', args: agentCommand(), env: {}, expectMetric: dropInMetrics },
      {
        label: 'express-prom-bundle',
        key: 'prom-bundle',
        args: ['--import', import.meta.resolve('tsx'), promBundleEntry],
        env: { OTEL_SDK_DISABLED: 'true' },
        expectMetric: promBundleMetrics,
      },
    ],
  };
}

export function legacyApp(dbPath: string, ids: readonly number[]): AppUnderTest {
  return {
    title: `legacy-style Express 4 + sqlite3 app, GET /api/artists/:id (${legacyArtists} artists)`,
    key: 'legacy',
    cwd: legacyAppDir,
    env: { DB_PATH: dbPath },
    readyPath: '/api/health',
    pathPrefix: '/api/artists/',
    ids,
    variants: [
      { label: 'bare', key: 'bare', args: ['server.js'], env: {} },
      {
        label: 'drop-in agent',
        key: 'drop-in',
        args: ['--import', dropInEntry, 'server.js'],
        env: {},
        expectMetric: dropInMetrics,
      },
      {
        label: 'express-prom-bundle',
        key: 'prom-bundle',
        args: ['-r', join(benchDir, 'legacy-prom-bundle.cjs'), 'server.js'],
        env: {},
        expectMetric: promBundleMetrics,
      },
    ],
  };
}

// ---- the benchmark ----

export const agentBenchmark: Benchmark = {
  name: 'agent',
  async run() {
    const wrk = findExecutable('wrk');
    if (!wrk) throw new SkipBenchmark('wrk is not installed (apt-get install wrk)');
    if (pinned && !findExecutable('taskset')) {
      throw new SkipBenchmark('taskset is missing (util-linux); set BENCH_AGENT_PIN=off to run unpinned');
    }
    const sections: string[] = [
      `agent overhead: wrk -t${load.threads} -c${load.connections}, ${load.seconds} s per round after a ` +
        `${load.warmupSeconds} s warm-up, ${load.rounds} round(s) in alternating order, a fresh server per ` +
        `round; ${pinned ? 'server pinned to CPU 0, wrk to CPU 1' : 'unpinned'}; figures are the rounds' medians`,
    ];
    let measured = 0;
    for (const section of [pledgeApiSection, legacyAppSection]) {
      try {
        sections.push(await section(wrk));
        measured += 1;
      } catch (error) {
        if (!(error instanceof SkipBenchmark)) throw error;
        sections.push(`  skipped: ${error.message}`);
      }
    }
    if (measured === 0) throw new SkipBenchmark(sections.slice(1).join('; '));
    return sections.join('\n');
  },
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

async function seedPostgres(db: Db): Promise<number[]> {
  await migrate(db);
  await db.query(insertUsers, { users: pgScale.users });
  await db.query(insertArtists, { artists: pgScale.artists });
  await db.query(insertPledges, { pledges: pgScale.pledges });
  return (await db.query(artistIds, {})).map((row) => Number(row.id));
}

async function pledgeApiSection(wrk: string): Promise<string> {
  const unavailable = await probePostgres();
  if (unavailable) throw new SkipBenchmark(`pledge API: ${unavailable}`);
  const temp = await createTempDatabase('pulse_bench');
  try {
    const db = openPostgresDb({
      url: temp.url,
      pool: { max: 2, idleTimeoutMillis: 1_000, connectionTimeoutMillis: 10_000 },
    });
    let ids: number[];
    try {
      ids = await seedPostgres(db);
    } finally {
      await db.close();
    }
    return await measureApp(pledgeApi(temp.url, ids), wrk);
  } finally {
    await temp.drop();
  }
}

async function legacyAppSection(wrk: string): Promise<string> {
  if (!existsSync(join(legacyAppDir, 'server.js'))) {
    throw new SkipBenchmark(`legacy app: no ${join(legacyAppDir, 'server.js')}`);
  }
  if (!existsSync(join(legacyAppDir, 'node_modules', 'sqlite3'))) {
    throw new SkipBenchmark(
      'legacy app: its dependencies are not installed (node test/fixtures/install-fixtures.js)',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-legacy-'));
  try {
    const { dbPath, ids } = seedLegacyApp(dir);
    return await measureApp(legacyApp(dbPath, ids), wrk);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seeds <dir>/pledgr.db through the legacy app's own database module; returns its path and the artist ids. */
export function seedLegacyApp(dir: string): { dbPath: string; ids: number[] } {
  const dbPath = join(dir, 'pledgr.db');
  const seeded = spawnSync(
    process.execPath,
    [join(benchDir, 'legacy-seed.cjs'), legacyAppDir, String(legacyArtists)],
    { cwd: legacyAppDir, env: { ...inheritedEnv(), DB_PATH: dbPath }, encoding: 'utf8' },
  );
  if (seeded.status !== 0) throw new Error(`seeding the legacy app failed:\n${seeded.stderr}`);
  return { dbPath, ids: JSON.parse(seeded.stdout) as number[] };
}

// ---- measuring ----

interface Measure {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  /** Server CPU (user + system, every thread) per request, in µs. */
  readonly cpuMicros: number;
  /** Server CPU over the round as a share of one core (1 = a core fully busy). */
  readonly cpuShare: number;
  readonly requests: number;
  /** When the measured wrk run started, in seconds after the server was spawned (to read CPU profiles). */
  readonly windowStartSeconds: number;
}

/** Every variant of the app, round after round in alternating order; returns the app's table. */
export async function measureApp(app: AppUnderTest, wrk: string): Promise<string> {
  const measures = new Map<Variant, Measure[]>(app.variants.map((variant) => [variant, []]));
  const profiles: string[] = [];
  for (let round = 0; round < load.rounds; round++) {
    const order = round % 2 === 0 ? app.variants : [...app.variants].reverse();
    for (const variant of order) {
      const profileDir = cpuProfileRoot && join(cpuProfileRoot, `${app.key}-${variant.key}-r${round + 1}`);
      const measure = await measureVariant(app, variant, wrk, round === load.rounds - 1, profileDir);
      measures.get(variant)?.push(measure);
      if (profileDir) {
        profiles.push(
          `  ${variant.label}, round ${round + 1}: node --import tsx bench/profile-top.ts ` +
            `${profileDir}/CPU.*.0.001.cpuprofile --skip ${measure.windowStartSeconds.toFixed(1)} ` +
            `--requests ${measure.requests}`,
        );
      }
    }
  }
  const table = describe(app, measures);
  return profiles.length > 0 ? `${table}\n  CPU profiles (main thread):\n${profiles.join('\n')}` : table;
}

/** Starts one variant, warms it up, measures one round, checks its metrics if asked, and stops it. */
async function measureVariant(
  app: AppUnderTest,
  variant: Variant,
  wrk: string,
  checkMetrics: boolean,
  profileDir: string | undefined,
): Promise<Measure> {
  const server = await startServer(app, variant, profileDir);
  try {
    await runWrk(wrk, server.url, app, load.warmupSeconds);
    const windowStartSeconds = (performance.now() - server.startedAt) / 1000;
    const cpuBefore = server.cpuSeconds();
    const result = await runWrk(wrk, server.url, app, load.seconds);
    const cpuSeconds = server.cpuSeconds() - cpuBefore;
    const failures = result.non2xx + result.connectErrors + result.readErrors + result.writeErrors;
    if (failures > 0 || result.timeouts > 0 || result.requests === 0) {
      throw new Error(
        `${variant.label}: ${result.requests} requests, ${result.non2xx} non-2xx, ${result.timeouts} timeouts, ` +
          `${failures - result.non2xx} socket errors\n${server.output()}`,
      );
    }
    if (checkMetrics && variant.expectMetric) await checkMetricsServed(server, variant);
    if (/switched off|not instrumenting/.test(server.output())) {
      throw new Error(`${variant.label}: the agent switched itself off:\n${server.output()}`);
    }
    const elapsed = result.durationMicros / 1e6;
    return {
      requestsPerSecond: result.requests / elapsed,
      p99Ms: result.p99Micros / 1000,
      cpuMicros: (cpuSeconds * 1e6) / result.requests,
      cpuShare: cpuSeconds / elapsed,
      requests: result.requests,
      windowStartSeconds,
    };
  } finally {
    await server.stop();
  }
}

async function checkMetricsServed(server: ServerProcess, variant: Variant): Promise<void> {
  const text = await fetch(server.metricsUrl).then(
    (response) => response.text(),
    (error: Error) => `unreachable: ${error.message}`,
  );
  if (!variant.expectMetric?.test(text)) {
    throw new Error(
      `${variant.label}: ${server.metricsUrl} does not show the requests (${variant.expectMetric}):\n` +
        `${text.slice(0, 2_000)}\n${server.output()}`,
    );
  }
}

interface WrkResult {
  readonly requests: number;
  readonly durationMicros: number;
  readonly non2xx: number;
  readonly connectErrors: number;
  readonly readErrors: number;
  readonly writeErrors: number;
  readonly timeouts: number;
  readonly p99Micros: number;
}

/** One wrk run; its script prints the totals as a `WRK_JSON {…}` line after wrk's own report. */
function runWrk(wrk: string, url: string, app: AppUnderTest, seconds: number): Promise<WrkResult> {
  const args = [
    `-t${load.threads}`,
    `-c${load.connections}`,
    `-d${seconds}s`,
    '--latency',
    '-s',
    app.wrk?.script ?? wrkScript,
    url,
    '--',
    ...(app.wrk?.args ?? [app.pathPrefix, app.ids.join(',')]),
  ];
  const [command, commandArgs] = pinned ? ['taskset', ['-c', '1', wrk, ...args]] : [wrk, args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const json = /^WRK_JSON (.*)$/m.exec(output)?.[1];
      if (code !== 0 || !json) reject(new Error(`wrk failed (exit ${code}):\n${output}`));
      else resolve(JSON.parse(json) as WrkResult);
    });
  });
}

// ---- server processes ----

interface ServerProcess {
  readonly url: string;
  /** performance.now() when the process was spawned. */
  readonly startedAt: number;
  readonly metricsUrl: string;
  /** CPU time (user + system, all threads) the process has used so far, in seconds. */
  cpuSeconds(): number;
  output(): string;
  stop(): Promise<void>;
}

/** The bench's environment without settings that would change what is measured (OTEL_*, faults, Redis, …). */
function inheritedEnv(): NodeJS.ProcessEnv {
  const dropped =
    /^(OTEL_|FAULT_|DATABASE_|DB_POOL_|DB_PATH$|REDIS_URL$|HOST$|PORT$|METRICS_PORT$|PULSE_|DEPLOYMENT_|NODE_OPTIONS$)/;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !dropped.test(name)));
}

const clockTicks = (() => {
  const answer = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(answer.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
})();

/** utime + stime of a process (every thread) from /proc/<pid>/stat, in seconds. */
function processCpuSeconds(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

async function startServer(
  app: AppUnderTest,
  variant: Variant,
  profileDir: string | undefined,
): Promise<ServerProcess> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const profiling = profileDir
    ? ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', profileDir]
    : [];
  const nodeArgs = [...profiling, ...variant.args];
  // taskset execs node in place, so the child's pid is the server's.
  const [command, args] = pinned
    ? ['taskset', ['-c', '0', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const startedAt = performance.now();
  const child = spawn(command, args, {
    cwd: app.cwd,
    env: {
      ...inheritedEnv(),
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      ...app.env,
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
    await waitUntilReady(`${url}${app.readyPath}`, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    startedAt,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    cpuSeconds: () => processCpuSeconds(child.pid),
    output: () => output,
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
    const ready = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`the server was not ready within 30 s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Server pinned to CPU 0 and wrk to CPU 1 (two or more CPUs), and the load of every round. */
export const benchLoad = { ...load, pinned };

export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

// ---- the table ----

function describe(app: AppUnderTest, measures: ReadonlyMap<Variant, readonly Measure[]>): string {
  /** The median of the rounds: one round disturbed by another process on the shared machine moves it little. */
  const median = (variant: Variant, pick: (m: Measure) => number) => {
    const values = (measures.get(variant) ?? []).map(pick).sort((a, b) => a - b);
    const middle = values.length >> 1;
    return values.length % 2 === 1
      ? (values[middle] as number)
      : ((values[middle - 1] as number) + (values[middle] as number)) / 2;
  };
  const rows = app.variants.map((variant) => ({
    label: variant.label,
    rps: median(variant, (m) => m.requestsPerSecond),
    p99: median(variant, (m) => m.p99Ms),
    cpu: median(variant, (m) => m.cpuMicros),
    share: median(variant, (m) => m.cpuShare),
    perRound: (measures.get(variant) ?? [])
      .map((m) => `${Math.round(m.requestsPerSecond)}/${Math.round(m.cpuMicros)}`)
      .join('  '),
  }));
  const base = rows[0] as (typeof rows)[0];
  const header = ['variant', 'req/s', 'p99 ms', 'CPU µs/req', 'server CPU', 'per round (req/s / µs/req)'];
  const cells = rows.map((row) => [
    row.label,
    Math.round(row.rps).toLocaleString('en-US'),
    row.p99.toFixed(2),
    row.cpu.toFixed(0),
    `${Math.round(row.share * 100)}%`,
    row.perRound,
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...cells.map((cell) => cell[i]?.length ?? 0)),
  );
  const line = (cell: readonly string[]) =>
    `  ${cell.map((text, i) => (i === 0 || i === cell.length - 1 ? text.padEnd(widths[i] ?? 0) : text.padStart(widths[i] ?? 0))).join('  ')}`.trimEnd();
  const ratioWidth = Math.max(...rows.map((row) => row.label.length)) + base.label.length + 4;
  const ratio = (row: typeof base) =>
    `  ${`${row.label} / ${base.label}:`.padEnd(ratioWidth)} throughput ${(row.rps / base.rps).toFixed(3)}×, ` +
    `CPU per request ${(row.cpu / base.cpu).toFixed(3)}×, p99 ${(row.p99 / base.p99).toFixed(2)}×`;
  return [`${app.title}:`, line(header), ...cells.map(line), ...rows.slice(1).map(ratio)].join('\n');
}

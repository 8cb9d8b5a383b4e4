// CLI start-up: `pulse --help` and `pulse kpis` (24 monthly periods on a temp PostgreSQL database, over
// 20,000 demo users and over the KPI benchmark's dense 1M set), each run as a new process through
// cli/bin.js, the compiled bundle (PULSE_CLI=compiled, built first by cli/build.js) beside the TypeScript
// sources through tsx (PULSE_CLI=source): median wall time, CPU time (user + system: steadier than wall time
// on a shared machine) and peak RSS of 5 runs. Beside them, the KPI SQL alone: the same report computed in
// this process by core's KpiEngine with the CLI's pool settings, on an open connection and on a new one —
// what `pulse kpis` cannot beat; the new connection is what a new process pays. The runs alternate
// (compiled, source, and for kpis the SQL alone first), so a machine that gets busier part-way slows every
// figure alike. On the dense set the SQL is most of the time, so the goal there is about what the process
// adds. Goals: `pulse --help` within 0.3 s, compiled `pulse kpis` within the SQL on a new connection + 0.3 s.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { poolDefaults } from '../core/config/database-config.ts';
import { openPostgresDb } from '../core/db/postgres-db.ts';
import type { Db } from '../core/db/types.ts';
import { KpiEngine } from '../core/kpi/kpi-engine.ts';
import { parseKpiRequest } from '../core/kpi/kpi-request.ts';
import { migrate } from '../core/migrate.ts';
import { seedDemoData } from '../core/seed/seed-demo.ts';
import { createTempDatabase, probePostgres } from '../test/support/postgres-server.ts';
import { type Benchmark, median, SkipBenchmark } from './harness.ts';
import { denseScale, denseShape } from './kpi-data.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'cli', 'bin.js');
const runs = 5;
const goals = { helpSeconds: 0.3, kpisOverSqlSeconds: 0.3 };
const seed = { users: 20_000, months: 24, seed: 1, until: new Date('2026-11-01T00:00:00Z'), append: false };
const kpiFlags = { from: '2024-11-01', to: '2026-11-01', interval: 'month', asOf: '2026-11-01T00:00:00Z' };
const kpiArgs = [
  'kpis',
  ...['--from', kpiFlags.from, '--to', kpiFlags.to, '--interval', kpiFlags.interval],
  ...['--as-of', kpiFlags.asOf, '--format', 'json'],
];
/** GNU time prints the child's peak RSS (KiB) and CPU seconds; without it a preload reports its own. */
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const rssPreload =
  'data:text/javascript,import{appendFileSync}from"node:fs";' +
  'process.on("exit",()=>{const u=process.resourceUsage();appendFileSync(process.env.PULSE_BENCH_RSS_FILE,' +
  '[u.maxRSS,u.userCPUTime/1e6,u.systemCPUTime/1e6].join(" ")+"\\n")})';

interface Run {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly rssMiB: number;
}
type Mode = 'compiled' | 'source';

/** One `pulse` process: wall time from spawn to exit, its CPU time and its peak RSS. */
async function runCli(mode: Mode, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const rssFile = join(await mkdtemp(join(tmpdir(), 'pulse-bench-cli-')), 'rss');
  const childEnv = { ...env, PULSE_CLI: mode, PULSE_BENCH_RSS_FILE: rssFile };
  const [file, fileArgs] = gnuTime
    ? [gnuTime, ['-f', '%M %U %S', process.execPath, bin, ...args]]
    : [process.execPath, ['--import', rssPreload, bin, ...args]];
  const started = performance.now();
  const { stderr } = await promisify(execFile)(file, fileArgs, { env: childEnv, maxBuffer: 64 << 20 });
  const seconds = (performance.now() - started) / 1000;
  const report = gnuTime ? (stderr.trim().split('\n').at(-1) ?? '') : await readFile(rssFile, 'utf8');
  await rm(join(rssFile, '..'), { recursive: true, force: true });
  const [kib, user, system] = report.trim().split(' ').map(Number);
  if (![kib, user, system].every(Number.isFinite)) throw new Error(`no peak RSS and CPU time in: ${stderr}`);
  return { seconds, cpuSeconds: (user as number) + (system as number), rssMiB: (kib as number) / 1024 };
}

const medianRun = (samples: Run[]): Run => ({
  seconds: median(samples.map((s) => s.seconds)),
  cpuSeconds: median(samples.map((s) => s.cpuSeconds)),
  rssMiB: median(samples.map((s) => s.rssMiB)),
});

/** Seconds one call takes. */
async function timed(task: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await task();
  return (performance.now() - started) / 1000;
}

const figure = (run: Run) =>
  `${run.seconds.toFixed(2)} s (CPU ${run.cpuSeconds.toFixed(2)} s) / ${Math.round(run.rssMiB)} MiB`;

const versus = (compiled: Run, source: Run) =>
  `compiled ${figure(compiled)}   source ${figure(source)}   ` +
  `(compiled ${(source.seconds / compiled.seconds).toFixed(1)}× faster)`;

/** A data set `pulse kpis` runs on: loads it into a migrated database and says what it holds. */
interface DataSet {
  readonly load: (db: Db) => Promise<string>;
}

const demoData: DataSet = {
  async load(db) {
    const seeded = await seedDemoData(db, seed);
    return `${seeded.users.toLocaleString('en-US')} demo users / ${seeded.pledges.toLocaleString('en-US')} pledges`;
  },
};

const dense = denseShape(denseScale);
const denseData: DataSet = {
  async load(db) {
    await dense.load(db);
    return dense.name;
  },
};

const met = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** `pulse --help`, compiled and from the sources, alternating. */
async function measureHelp(env: NodeJS.ProcessEnv): Promise<string[]> {
  const help = { compiled: [] as Run[], source: [] as Run[] };
  // One untimed round first: the file cache warm for both ways alike.
  for (let round = 0; round <= runs; round++) {
    for (const mode of ['compiled', 'source'] as const) {
      const run = await runCli(mode, ['--help'], env);
      if (round > 0) help[mode].push(run);
    }
  }
  const compiled = medianRun(help.compiled);
  return [
    `  pulse --help  ${versus(compiled, medianRun(help.source))}`,
    `  goal: compiled --help ≤ ${goals.helpSeconds.toFixed(2)} s ${met(compiled.seconds <= goals.helpSeconds)}`,
  ];
}

/** `pulse kpis` on one data set, compiled and from the sources, beside the KPI SQL alone. */
async function measureKpis(data: DataSet, baseEnv: NodeJS.ProcessEnv): Promise<string[]> {
  const temp = await createTempDatabase('pulse_bench');
  // The pool `pulse kpis` opens on DATABASE_URL with no DB_POOL_* set (the engine may use spare connections).
  const open = () => openPostgresDb({ url: temp.url, pool: poolDefaults });
  const db = open();
  try {
    await migrate(db);
    const holds = await data.load(db);
    const request = parseKpiRequest(kpiFlags, (name) => name);
    const report = (on: Db) => new KpiEngine(on, { currency: 'USD', cache: false }).reportParsed(request);
    await report(db); // the pool connected, as a warm process would have it
    // The same on a new pool each time (what a new process must do): connect, cold backends, the SQL.
    const fresh = async () => {
      const newDb = open();
      try {
        return await timed(() => report(newDb));
      } finally {
        await newDb.close();
      }
    };
    const env: NodeJS.ProcessEnv = { ...baseEnv, DATABASE_URL: temp.url };
    const kpis = {
      compiled: [] as Run[],
      source: [] as Run[],
      sql: [] as number[],
      sqlFresh: [] as number[],
    };
    for (let round = 0; round <= runs; round++) {
      const keep = round > 0;
      const sql = await timed(() => report(db));
      const sqlFresh = await fresh();
      if (keep) kpis.sql.push(sql);
      if (keep) kpis.sqlFresh.push(sqlFresh);
      for (const mode of ['compiled', 'source'] as const) {
        const run = await runCli(mode, kpiArgs, env);
        if (keep) kpis[mode].push(run);
      }
    }
    const compiled = medianRun(kpis.compiled);
    const source = medianRun(kpis.source);
    const [sql, sqlFresh] = [median(kpis.sql), median(kpis.sqlFresh)];
    const over = (run: Run) => `SQL + ${(run.seconds - sqlFresh).toFixed(2)} s`;
    return [
      `  pulse kpis over ${holds}:`,
      `    ${versus(compiled, source)}`,
      `    KPI SQL alone (KpiEngine in this process, the CLI's pool settings) ${sql.toFixed(2)} s on an open ` +
        `connection, ${sqlFresh.toFixed(2)} s on a new one: compiled kpis = ${over(compiled)}, ` +
        `source kpis = ${over(source)}`,
      `    goal: compiled kpis ≤ SQL (new connection) + ${goals.kpisOverSqlSeconds.toFixed(2)} s ` +
        `${met(compiled.seconds - sqlFresh <= goals.kpisOverSqlSeconds)}`,
    ];
  } finally {
    await db.close();
    await temp.drop();
  }
}

export const cliBenchmark: Benchmark = {
  name: 'cli',
  async run() {
    const unavailable = await probePostgres();
    if (unavailable) throw new SkipBenchmark(unavailable);
    await promisify(execFile)(process.execPath, [join(root, 'cli', 'build.js')]);
    const rss = gnuTime ? 'peak RSS by /usr/bin/time' : 'peak RSS by process.resourceUsage()';
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.PULSE_DATA_DIR;
    return [
      `cli: new process per run, median of ${runs} (${rss}); kpis = 24 monthly periods on PostgreSQL`,
      ...(await measureHelp(env)),
      ...(await measureKpis(demoData, env)),
      ...(await measureKpis(denseData, env)),
    ].join('\n');
  },
};

// CLI start-up: `pulse --help` and `pulse kpis` (24 monthly periods over 20,000 demo users on a temp
// PostgreSQL database), each run as a new process through cli/bin.js, the compiled bundle
// (PULSE_CLI=compiled, built first by cli/build.js) beside the TypeScript sources through tsx
// (PULSE_CLI=source): median wall time, CPU time (user + system: steadier than wall time on a shared machine)
// and peak RSS of 5 runs. Beside them, the KPI SQL alone: the same report computed in this process by core's
// KpiEngine, on an open connection and on a new one, also medians of 5 — what `pulse kpis` cannot beat.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openPostgresDb } from '../core/db/postgres-db.ts';
import type { Db } from '../core/db/types.ts';
import { KpiEngine } from '../core/kpi/kpi-engine.ts';
import { parseKpiRequest } from '../core/kpi/kpi-request.ts';
import { migrate } from '../core/migrate.ts';
import { seedDemoData } from '../core/seed/seed-demo.ts';
import { createTempDatabase, probePostgres } from '../test/support/postgres-server.ts';
import { type Benchmark, medianSeconds, SkipBenchmark } from './harness.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'cli', 'bin.js');
const runs = 5;
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

/** One `pulse` process: wall time from spawn to exit, its CPU time and its peak RSS. */
async function runCli(mode: 'compiled' | 'source', args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
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

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function measure(mode: 'compiled' | 'source', args: string[], env: NodeJS.ProcessEnv) {
  await runCli(mode, args, env); // one untimed run: the file cache warm for both ways alike
  const samples: Run[] = [];
  for (let i = 0; i < runs; i++) samples.push(await runCli(mode, args, env));
  return {
    seconds: median(samples.map((s) => s.seconds)),
    cpuSeconds: median(samples.map((s) => s.cpuSeconds)),
    rssMiB: median(samples.map((s) => s.rssMiB)),
  };
}

const figure = (run: Run) =>
  `${run.seconds.toFixed(2)} s (CPU ${run.cpuSeconds.toFixed(2)} s) / ${Math.round(run.rssMiB)} MiB`;

export const cliBenchmark: Benchmark = {
  name: 'cli',
  async run() {
    const unavailable = await probePostgres();
    if (unavailable) throw new SkipBenchmark(unavailable);
    await promisify(execFile)(process.execPath, [join(root, 'cli', 'build.js')]);
    const temp = await createTempDatabase('pulse_bench');
    const open = () =>
      openPostgresDb({
        url: temp.url,
        pool: { max: 4, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 5_000 },
      });
    const db = open();
    const freshDbs: Db[] = [];
    try {
      await migrate(db);
      const seeded = await seedDemoData(db, seed);
      const engine = new KpiEngine(db, { currency: 'USD', cache: false });
      const request = parseKpiRequest(kpiFlags, (name) => name);
      await engine.reportParsed(request); // the pool connected, as a warm process would have it
      const sql = await medianSeconds(
        runs,
        async () => undefined,
        async () => void (await engine.reportParsed(request)),
      );
      // The same on a new connection each time (what a new process must do): connect, a cold backend, the SQL.
      const sqlFresh = await medianSeconds(
        runs,
        async () => {
          freshDbs.push(open());
          return freshDbs.at(-1) as Db;
        },
        async (fresh) =>
          void (await new KpiEngine(fresh, { currency: 'USD', cache: false }).reportParsed(request)),
      );
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: temp.url };
      delete env.PULSE_DATA_DIR;
      const rows: string[] = [];
      for (const [label, args] of [
        ['pulse --help', ['--help']],
        ['pulse kpis  ', kpiArgs],
      ] as const) {
        const compiled = await measure('compiled', [...args], env);
        const source = await measure('source', [...args], env);
        const speedup = (source.seconds / compiled.seconds).toFixed(1);
        rows.push(
          `  ${label}  compiled ${figure(compiled)}   source ${figure(source)}   (compiled ${speedup}× faster)`,
        );
        if (args === kpiArgs) {
          const over = (run: Run) => `SQL + ${(run.seconds - sqlFresh).toFixed(2)} s`;
          rows.push(
            `  KPI SQL alone (KpiEngine in this process) ${sql.toFixed(2)} s on an open connection, ` +
              `${sqlFresh.toFixed(2)} s on a new one: compiled kpis = ${over(compiled)}, source kpis = ${over(source)}`,
          );
        }
      }
      const rss = gnuTime ? 'peak RSS by /usr/bin/time' : 'peak RSS by process.resourceUsage()';
      return [
        `cli: new process per run, median of ${runs} (${rss}); kpis = 24 monthly periods over ` +
          `${seeded.users.toLocaleString('en-US')} users / ` +
          `${seeded.pledges.toLocaleString('en-US')} pledges on PostgreSQL`,
        ...rows,
      ].join('\n');
    } finally {
      for (const fresh of freshDbs) await fresh.close();
      await db.close();
      await temp.drop();
    }
  },
};

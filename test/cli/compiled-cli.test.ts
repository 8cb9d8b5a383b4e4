// The compiled CLI (cli/build.js → cli/dist/, chosen by cli/bin.js): `pulse --help` loads no database
// driver, OpenTelemetry, express, zod or tsx; each command loads only its own driver; `pulse --help` and
// `pulse kpis` take commander, zod and pg from the bundle, resolving nothing in node_modules; the compiled
// and the source paths print the same output with the same exit codes; and bin.js runs the sources when one
// of them (or node_modules, after an npm install) is newer than the build. Every run goes through a resolve
// hook (test/support/module-log.js) that logs each module loaded, so the tests see which path ran and what it
// loaded: a package counts as loaded when it is resolved in node_modules or compiled into a bundle file that
// was (cli/dist/packages.json). They run on copies of the package in a temp folder (node_modules linked
// entry by entry, built there), so they never rewrite the checkout's cli/dist nor depend on whether it is up
// to date.
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDatabase, describeWithPostgres, type TempDatabase } from '../support/postgres.ts';
import { type CliResult, runCli } from '../support/run-cli.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const moduleLog = join(repo, 'test', 'support', 'module-log.js');
/** What a package copy needs to run the CLI both ways (and build it). */
const packageParts = ['package.json', 'tsconfig.json', 'cli', 'core', 'agent', 'collector', 'queries'];
/** Packages that `--help` must never load: each costs tens to hundreds of milliseconds. */
const heavyPackages = [
  'pg',
  'pg-copy-streams',
  '@electric-sql/pglite',
  'express',
  'zod',
  'ioredis',
  'sql.js',
  'autocannon',
  'tsx',
  'esbuild',
];

interface PackageCopy {
  readonly root: string;
  readonly bin: string;
  build(): Promise<void>;
  manifest(): Promise<{ builtAt: string; sources: string[] }>;
  /** The npm packages compiled into each file of the copy's bundle, by path under cli/dist/. */
  bundledPackages(): Promise<Record<string, string[]>>;
  remove(): Promise<void>;
}

/** npm's record of node_modules, which the build lists as a source: each copy has its own to touch. */
const installRecord = '.package-lock.json';

async function copyPackage(): Promise<PackageCopy> {
  const root = await mkdtemp(join(tmpdir(), 'pulse-compiled-cli-'));
  for (const part of packageParts) {
    // The copy builds its own CLI: the checkout's build stays behind.
    await cp(join(repo, part), join(root, part), {
      recursive: true,
      filter: (source) => !/[/\\]cli[/\\](dist|\.build-\d+)$/.test(source),
    });
  }
  await mkdir(join(root, 'node_modules'));
  for (const entry of await readdir(join(repo, 'node_modules'))) {
    const [from, to] = [join(repo, 'node_modules', entry), join(root, 'node_modules', entry)];
    await (entry === installRecord ? copyFile(from, to) : symlink(from, to));
  }
  const dist = join(root, 'cli', 'dist');
  return {
    root,
    bin: join(root, 'cli', 'bin.js'),
    build: async () => void (await promisify(execFile)(process.execPath, [join(root, 'cli', 'build.js')])),
    manifest: async () => JSON.parse(await readFile(join(dist, 'sources.json'), 'utf8')),
    bundledPackages: async () => JSON.parse(await readFile(join(dist, 'packages.json'), 'utf8')),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

interface LoggedRun extends CliResult {
  /** Every module URL the process resolved, in order. */
  readonly modules: readonly string[];
  /** The npm packages it loaded (`@scope/name` or `name`): resolved in node_modules or compiled in. */
  readonly packages: ReadonlySet<string>;
  /** Those it resolved in node_modules. */
  readonly resolvedPackages: ReadonlySet<string>;
}

let runs = 0;

/** Runs the copy's bin.js with PULSE_CLI=`mode` ('' lets bin.js choose; `env` may override) and the log. */
async function run(
  copy: PackageCopy,
  mode: 'compiled' | 'source' | '',
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<LoggedRun> {
  const log = join(copy.root, `modules-${++runs}.log`);
  const result = await runCli(
    args,
    { PULSE_CLI: mode, ...env, PULSE_MODULE_LOG: log },
    { bin: copy.bin, nodeArgs: ['--import', moduleLog] },
  );
  const modules = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  const resolvedPackages = new Set(
    modules.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []),
  );
  const bundled = await copy.bundledPackages().catch(() => ({}) as Record<string, string[]>);
  const distUrl = `file://${join(copy.root, 'cli', 'dist')}/`;
  const compiledIn = modules.flatMap((url) =>
    url.startsWith(distUrl) ? (bundled[url.slice(distUrl.length)] ?? []) : [],
  );
  return { ...result, modules, packages: new Set([...resolvedPackages, ...compiledIn]), resolvedPackages };
}

/** Which way bin.js went, read off the modules it loaded. */
function pathTaken(copy: PackageCopy, result: LoggedRun): 'compiled' | 'source' | 'neither' {
  const loaded = (file: string) => result.modules.includes(`file://${join(copy.root, file)}`);
  if (loaded('cli/dist/main.js') && !result.packages.has('tsx') && !loaded('cli/main.ts')) return 'compiled';
  if (loaded('cli/main.ts') && result.packages.has('tsx') && !loaded('cli/dist/main.js')) return 'source';
  return 'neither';
}

const output = ({ code, stdout, stderr }: CliResult) => ({ code, stdout, stderr });

describe('the compiled CLI', () => {
  let copy: PackageCopy;
  beforeAll(async () => {
    copy = await copyPackage();
    await copy.build();
  });
  afterAll(async () => {
    await copy?.remove();
  });

  it('answers --help and every command --help loading commander and the bundle only', async () => {
    const commands = ['migrate', 'seed', 'start', 'kpis', 'collector', 'agent', 'load', 'import-sqlite'];
    for (const args of [['--help'], ...commands.map((command) => [command, '--help'])]) {
      const what = args.join(' ');
      const result = await run(copy, 'compiled', args);
      expect(result.code, what).toBe(0);
      expect(result.stdout, what).toContain('Usage: pulse');
      expect(pathTaken(copy, result), what).toBe('compiled');
      expect([...result.packages], what).toEqual(['commander']);
      expect([...result.resolvedPackages], what).toEqual([]); // commander is compiled in
      for (const name of heavyPackages) expect(result.packages.has(name), `${what}: ${name}`).toBe(false);
      expect(
        result.modules.filter((url) => url.endsWith('.ts')),
        what,
      ).toEqual([]);
    }
  });

  it('answers --help from the sources loading tsx but no driver, OpenTelemetry, express or zod', async () => {
    const result = await run(copy, 'source', ['--help']);
    expect(result.code).toBe(0);
    expect(pathTaken(copy, result)).toBe('source');
    const loaded = [...result.packages].filter((name) => name !== 'tsx' && name !== 'esbuild');
    expect(loaded).toEqual(['commander']);
  });

  it('opens the embedded database loading PGlite and not pg', async () => {
    const result = await run(copy, 'compiled', ['migrate'], { PULSE_DATA_DIR: 'memory://' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Applied \d+ migration\(s\) to embedded database/);
    expect(result.packages.has('@electric-sql/pglite')).toBe(true);
    expect(result.packages.has('pg')).toBe(false);
    expect([...result.packages].some((name) => name.startsWith('@opentelemetry/'))).toBe(false);
  });

  it('prints the same usage errors with the same exit codes both ways', async () => {
    const cases: [string[], number][] = [
      [[], 2],
      [['--version'], 0],
      [['sed'], 2],
      [['seed', '--users', 'many'], 2],
      [['migrate', '--nope'], 2],
      [['kpis', '--from', '2026-08-01', '--to', '2026-11-01', '--interval', 'fortnight'], 2],
    ];
    for (const [args, code] of cases) {
      const what = args.join(' ');
      const env = { PULSE_DATA_DIR: 'memory://' };
      const compiled = await run(copy, 'compiled', args, env);
      const source = await run(copy, 'source', args, env);
      expect(pathTaken(copy, compiled), what).toBe('compiled');
      expect(pathTaken(copy, source), what).toBe('source');
      expect(compiled.code, what).toBe(code);
      expect(output(compiled), what).toEqual(output(source));
    }
  });
});

describeWithPostgres('the compiled CLI on PostgreSQL', () => {
  let copy: PackageCopy;
  let temp: TempDatabase | undefined;
  beforeAll(async () => {
    copy = await copyPackage();
    await copy.build();
    temp = await createTempDatabase();
    const seed = ['seed', '--users', '400', '--months', '6', '--seed', '5', '--until', '2026-11-01'];
    const seeded = await runCli(seed, { DATABASE_URL: temp.url });
    expect(seeded.code, seeded.stderr).toBe(0);
  });
  afterAll(async () => {
    await temp?.drop();
    await copy?.remove();
  });

  it('prints the same KPI reports both ways, loading pg and not PGlite', async () => {
    const range = ['--from', '2026-06-01', '--to', '2026-11-01', '--interval', 'month'];
    for (const format of ['json', 'csv', 'table']) {
      const args = ['kpis', ...range, '--as-of', '2026-11-01T00:00:00Z', '--format', format];
      const env = { DATABASE_URL: (temp as TempDatabase).url };
      const compiled = await run(copy, 'compiled', args, env);
      const source = await run(copy, 'source', args, env);
      expect(compiled.code, compiled.stderr).toBe(0);
      expect(compiled.stdout.length).toBeGreaterThan(100);
      expect(pathTaken(copy, compiled)).toBe('compiled');
      expect(pathTaken(copy, source)).toBe('source');
      expect(output(compiled)).toEqual(output(source));
      expect(compiled.packages.has('pg')).toBe(true);
      expect(compiled.packages.has('@electric-sql/pglite')).toBe(false);
      expect(source.packages.has('@electric-sql/pglite')).toBe(false);
      // commander, zod and pg all come from the bundle: no module resolved in node_modules, no TypeScript.
      expect([...compiled.packages].sort()).toEqual(expect.arrayContaining(['commander', 'pg', 'zod']));
      expect([...compiled.resolvedPackages]).toEqual([]);
      expect(compiled.modules.filter((url) => url.endsWith('.ts'))).toEqual([]);
    }
  });

  it('loads about 600 KB of JavaScript for pulse kpis: zod only with the functions Pulse calls', async () => {
    const args = ['kpis', '--from', '2026-06-01', '--to', '2026-11-01', '--interval', 'month'];
    const result = await run(copy, 'compiled', args, { DATABASE_URL: (temp as TempDatabase).url });
    expect(result.code, result.stderr).toBe(0);
    const files = [...new Set(result.modules.filter((url) => url.startsWith('file://')))];
    const bytes = (await Promise.all(files.map(async (url) => (await stat(fileURLToPath(url))).size))).reduce(
      (sum, size) => sum + size,
      0,
    );
    // zod kept whole (cli/build.js, zodNamespaces) would be 757 KB on its own.
    expect(bytes).toBeLessThan(800_000);
  });
});

describe('cli/bin.js choosing between the build and the sources', () => {
  let copy: PackageCopy;
  beforeAll(async () => {
    copy = await copyPackage();
  });
  afterAll(async () => {
    await copy?.remove();
  });

  it('runs the sources before any build, and refuses PULSE_CLI=compiled with exit 2', async () => {
    const unbuilt = await run(copy, '', ['--version']);
    expect(unbuilt.code).toBe(0);
    expect(pathTaken(copy, unbuilt)).toBe('source');
    const forced = await run(copy, 'compiled', ['--version']);
    expect(forced.code).toBe(2);
    expect(forced.stdout).toBe('');
    expect(forced.stderr).toMatch(/^pulse: PULSE_CLI=compiled but the CLI is not built .*npm run build:cli/);
    const bad = await run(copy, '', ['--version'], { PULSE_CLI: 'fast' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/PULSE_CLI \("fast"\) must be compiled or source/);
  });

  it('runs the build while it is fresh and the sources once a listed source is newer', async () => {
    await copy.build();
    const manifest = await copy.manifest();
    // Every module of the bundle is listed, the lazily loaded ones included.
    for (const source of [
      'cli/main.ts',
      'cli/actions/kpis.ts',
      'core/db/postgres-db.ts',
      'core/kpi/kpi-engine.ts',
    ]) {
      expect(manifest.sources).toContain(source);
    }
    const fresh = await run(copy, '', ['--version']);
    expect(fresh.code).toBe(0);
    expect(pathTaken(copy, fresh)).toBe('compiled');

    // A source of the bundle (one --version never loads) edited after the build began.
    const edited = join(copy.root, 'core', 'kpi', 'kpi-engine.ts');
    const editedAt = new Date(Date.parse(manifest.builtAt) + 100);
    await utimes(edited, editedAt, editedAt);
    const stale = await run(copy, '', ['--version']);
    expect(pathTaken(copy, stale)).toBe('source');
    expect(output(stale)).toEqual(output(fresh));
    // Forced, the stale build still runs.
    expect(pathTaken(copy, await run(copy, 'compiled', ['--version']))).toBe('compiled');

    // Built again after the edit: fresh again.
    while (Date.now() <= editedAt.getTime()) await new Promise((resolve) => setTimeout(resolve, 50));
    await copy.build();
    expect(pathTaken(copy, await run(copy, '', ['--version']))).toBe('compiled');
  });

  it('runs the sources once npm has changed node_modules since the build (pg and zod are compiled in)', async () => {
    await copy.build();
    const manifest = await copy.manifest();
    expect(manifest.sources).toContain(`node_modules/${installRecord}`);
    expect(manifest.sources.filter((source) => source.includes('node_modules/zod/'))).toEqual([]);
    expect(pathTaken(copy, await run(copy, '', ['--version']))).toBe('compiled');
    const installedAt = new Date(Date.parse(manifest.builtAt) + 100);
    await utimes(join(copy.root, 'node_modules', installRecord), installedAt, installedAt);
    expect(pathTaken(copy, await run(copy, '', ['--version']))).toBe('source');
  });
});

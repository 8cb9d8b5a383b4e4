// `npm run build:cli`: compiles the `pulse` CLI to plain JavaScript in cli/dist/ (esbuild), so a command
// starts without loading tsx or compiling TypeScript — and, in cli/dist/system/, the process `pulse start`
// runs and its database thread (see buildSystem). Code splitting puts each command's work
// (cli/actions/*.ts, imported when the command runs) and each database driver in chunks of their own:
// `main.js` holds only commander and the command declarations.
// The packages short commands spend their start-up on (bundledPackages: commander, zod, pg) are compiled in,
// with what they import in turn: from node_modules they cost Node hundreds of module resolutions and file
// reads (zod alone is 228 ES modules). Compiled in, zod keeps only the functions Pulse calls (see
// `zodNamespaces`) and pg skips a costly probe (see `patch`). Every other package stays in node_modules,
// loaded at run time as it is: the ones that find files beside them (PGlite's and sql.js's WASM) and those
// the drop-in agent instruments (express, …).
// It also writes cli/dist/sources.json: the source files the bundle was built from (and npm's record of
// node_modules, rewritten by every install: a new pg or zod makes the bundle stale too) and when the build
// started, so cli/bin.js can tell a stale bundle (a source edited since) and run the sources through tsx
// instead; and cli/dist/packages.json: the npm packages compiled into each output file (for the tests).
// The bundle is written to a fresh folder and swapped in whole, so a `pulse` started meanwhile never sees
// half a build. Run by `prepare` (npm install), `npm start` and `npm test`; about half a second.
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'cli', 'dist');
// Inside a folder named dist, so that git and biome ignore what a killed build might leave behind.
const staging = join(root, 'cli', `.build-${process.pid}`, 'dist');
/** npm's record of what node_modules holds, rewritten by every `npm install` / `npm ci` that changes it. */
const installRecord = 'node_modules/.package-lock.json';

/** Compiled into the bundle, each with every package it imports in turn. */
const bundledPackages = ['commander', 'zod', 'pg', 'pg-copy-streams'];
/** Never compiled in, even when a bundled package names it: pg's optional native binding (pg.native). */
const neverBundled = ['pg-native'];

const builtins = new Set(builtinModules);
/** `@scope/name` or `name` of a bare import specifier. */
const packageOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const inNodeModules = (path) => /[/\\]node_modules[/\\]/.test(path);

/** Compiles in bundledPackages and what they import, leaves every other package external. */
const dependencies = {
  name: 'pulse-dependencies',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || builtins.has(args.path)) return undefined;
      const name = packageOf(args.path);
      if (neverBundled.includes(name)) return { external: true };
      return inNodeModules(args.importer) || bundledPackages.includes(name) ? undefined : { external: true };
    });
    // pg checks for Cloudflare Workers by building a fetch Response when there is no `navigator` (Node 20):
    // that loads undici, 30–45 ms of every start-up on pg, for an answer that is always no under Node.
    patch(build, /[/\\]node_modules[/\\]pg[/\\]lib[/\\]stream\.js$/, (source) =>
      source.replace("typeof Response === 'function'", 'false'),
    );
  },
};

/** Rewrites a file of a bundled package as esbuild loads it; a rewrite that changes nothing fails the build. */
function patch(build, filter, rewrite) {
  build.onLoad({ filter }, async (args) => {
    const source = await readFile(args.path, 'utf8');
    const contents = rewrite(source);
    if (contents === source) {
      throw new Error(`cli/build.js: ${args.path} no longer reads as expected: review its patch there`);
    }
    return { contents, loader: 'js' };
  });
}

/**
 * Pulse's sources `import { z } from 'zod'`: a namespace object that zod re-exports and esbuild keeps whole
 * (757 KB: every kind of schema, JSON Schema conversion, every language's messages; 45–70 ms to load).
 * Read as `import * as z from 'zod'` — the same functions under the same names — only those used are kept
 * (about 170 KB). Applied as the sources are compiled; the files on disk stay as they are.
 */
const zodNamespaces = {
  name: 'pulse-zod-namespaces',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (inNodeModules(args.path)) return undefined;
      const source = await readFile(args.path, 'utf8');
      const contents = source.replace(/^import \{ z \} from 'zod';$/m, "import * as z from 'zod';");
      return contents === source ? undefined : { contents, loader: 'ts' };
    });
  },
};

const startedAt = Date.now();
try {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: 'cli/main.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [dependencies, zodNamespaces],
    // The CommonJS packages compiled in (commander, pg) require Node's built-in modules.
    banner: {
      js:
        "import { createRequire as __pulseCreateRequire } from 'node:module';\n" +
        'const require = __pulseCreateRequire(import.meta.url);',
    },
    outdir: staging,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const system = await buildSystem();
  const inputs = [...Object.keys(result.metafile.inputs), ...Object.keys(system.metafile.inputs)];
  const sources = [...new Set(inputs.filter((input) => !/(^|\/)node_modules\//.test(input)))].sort();
  sources.push(relative(root, fileURLToPath(import.meta.url)));
  if (existsSync(join(root, installRecord))) sources.push(installRecord);
  const manifest = { builtAt: new Date(startedAt).toISOString(), sources };
  writeFileSync(join(staging, 'sources.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    join(staging, 'packages.json'),
    `${JSON.stringify(packagesByOutput(result.metafile), null, 2)}\n`,
  );
  swapIn(staging, dist);
} finally {
  rmSync(dirname(staging), { recursive: true, force: true });
}

/**
 * The process `pulse start` runs (cli/system/main.ts) and the embedded database's worker thread
 * (core/db/pglite-thread-entry.ts), compiled into cli/dist/system/ so that neither loads tsx nor compiles
 * TypeScript at run time: measured on the demo, the system process's resident memory 430 → 375 MB and its
 * peak 464 → 384 MB. Every package stays in node_modules (none compiled in): the drop-in agent must see
 * express, pg and the rest loaded as themselves to instrument them.
 */
function buildSystem() {
  return build({
    absWorkingDir: root,
    entryPoints: { main: 'cli/system/main.ts', 'pglite-thread-entry': 'core/db/pglite-thread-entry.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: join(staging, 'system'),
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
}

/** Each output file (`main.js`, `chunks/kpis-XXXXXXXX.js`) → the npm packages compiled into it, sorted. */
function packagesByOutput(metafile) {
  const byOutput = {};
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    if (!output.endsWith('.js')) continue;
    const names = Object.keys(inputs).flatMap(
      (input) => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? [],
    );
    byOutput[relative(staging, join(root, output)).replaceAll('\\', '/')] = [...new Set(names)].sort();
  }
  return byOutput;
}

/** Replaces `target` with `built`; another build swapping in at the same moment makes the rename fail: retry. */
function swapIn(built, target) {
  for (let attempt = 1; ; attempt++) {
    rmSync(target, { recursive: true, force: true });
    try {
      renameSync(built, target);
      return;
    } catch (error) {
      if (attempt === 5 || !['ENOTEMPTY', 'EEXIST'].includes(error.code)) throw error;
    }
  }
}

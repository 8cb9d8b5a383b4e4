// `npm run build:cli`: compiles the `pulse` CLI to plain JavaScript in cli/dist/ (esbuild), so a command
// starts without loading tsx or compiling TypeScript. Code splitting puts each command's work
// (cli/actions/*.ts, imported when the command runs) and each database driver in chunks of their own:
// `main.js` holds only commander and the command declarations. Dependencies stay in node_modules
// (packages: external). It also writes cli/dist/sources.json: the source files the bundle was built from and
// when the build started, so cli/bin.js can tell a stale bundle (a source edited since) and run the sources
// through tsx instead. The bundle is written to a fresh folder and swapped in whole, so a `pulse` started
// meanwhile never sees half a build. Run by `prepare` (npm install), `npm start` and `npm test`; about half
// a second.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'cli', 'dist');
// Inside a folder named dist, so that git and biome ignore what a killed build might leave behind.
const staging = join(root, 'cli', `.build-${process.pid}`, 'dist');

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
    packages: 'external',
    outdir: staging,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const sources = Object.keys(result.metafile.inputs).sort();
  sources.push(relative(root, fileURLToPath(import.meta.url)));
  const manifest = { builtAt: new Date(startedAt).toISOString(), sources };
  writeFileSync(join(staging, 'sources.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  swapIn(staging, dist);
} finally {
  rmSync(dirname(staging), { recursive: true, force: true });
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

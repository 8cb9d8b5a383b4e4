#!/usr/bin/env node
// The `pulse` executable. Runs the compiled CLI (cli/dist/main.js, built by `npm run build:cli`, which npm
// install, npm start and npm test run) when it exists and no source it was built from has changed since the
// build began, nor node_modules (whose pg, zod and commander the bundle holds) since an npm install
// (cli/dist/sources.json: about 160 stats, a few milliseconds). Otherwise — a fresh clone not built yet, a
// developer editing sources, a dependency upgraded — it loads the TypeScript sources through tsx, so
// `npx pulse` always runs the code as it is on disk. PULSE_CLI=compiled or PULSE_CLI=source forces one way
// (compiled without a build: exit 2); PULSE_DEBUG=1 says which way ran.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = join(root, 'cli', 'dist');

/** 'fresh', 'stale' (a listed source is newer than the build, or gone) or 'missing' (never built). */
function bundleState() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dist, 'sources.json'), 'utf8'));
    statSync(join(dist, 'main.js'));
  } catch {
    return 'missing';
  }
  const builtAt = Date.parse(manifest.builtAt);
  if (!Number.isFinite(builtAt) || !Array.isArray(manifest.sources)) return 'stale';
  for (const source of manifest.sources) {
    try {
      if (statSync(join(root, source)).mtimeMs > builtAt) return 'stale';
    } catch {
      return 'stale';
    }
  }
  return 'fresh';
}

async function loadMain() {
  const forced = process.env.PULSE_CLI || undefined;
  if (forced !== undefined && forced !== 'compiled' && forced !== 'source') {
    process.stderr.write(`pulse: PULSE_CLI ("${forced}") must be compiled or source (or unset)\n`);
    return null;
  }
  const state = forced === 'source' ? 'not used' : bundleState();
  if (forced === 'compiled' && state === 'missing') {
    process.stderr.write(
      'pulse: PULSE_CLI=compiled but the CLI is not built (cli/dist/main.js): run `npm run build:cli`\n',
    );
    return null;
  }
  const compiled = forced === 'compiled' || (forced === undefined && state === 'fresh');
  if (process.env.PULSE_DEBUG) {
    process.stderr.write(`pulse: build ${state}, running the ${compiled ? 'compiled CLI' : 'sources'}\n`);
  }
  if (compiled) {
    // Stack traces (PULSE_DEBUG) point into the TypeScript sources through the bundle's source maps.
    if (process.env.PULSE_DEBUG) process.setSourceMapsEnabled(true);
    return (await import('./dist/main.js')).main;
  }
  const { register } = await import('tsx/esm/api');
  register();
  return (await import('./main.ts')).main;
}

const main = await loadMain();
process.exitCode = main ? await main(process.argv) : 2;

// A new embedded database starts as a copy of a cluster created once, at install time, instead of running
// PGlite's initdb: initdb is PGlite's second WASM module and takes ~800 MB of memory for ~5 s (measured:
// `pulse start --demo` on a new data directory peaked at 981 MB during it, against 498 MB on a restart),
// and it costs every new data directory those seconds. `npm install` (the `prepare` script) runs
// pglite-template-build.ts, which creates the cluster under node_modules/.cache/ — keyed by the installed
// PGlite version and the embedded settings, so an upgrade builds a new one and a stale one is never copied.
// Without it (an install that skipped scripts) a new data directory is created by initdb, as before.
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fromPackageRoot } from '../package-root.ts';
import { embeddedSettings, initialiseCluster } from './pglite-engine.ts';

/** Where the template for the installed PGlite and the current settings lives. */
export function templateDir(): string {
  const manifest = fromPackageRoot('node_modules', '@electric-sql', 'pglite', 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const settings = embeddedSettings.join(',').replace(/[^a-zA-Z0-9]+/g, '_');
  return fromPackageRoot('node_modules', '.cache', 'pledgr-pulse', `pglite-${version}-${settings}`);
}

const isCluster = (dir: string) => existsSync(join(dir, 'PG_VERSION'));

/** Creates the template unless it exists; returns where it is. Safe to run from two processes at once. */
export async function buildTemplate(): Promise<string> {
  const template = templateDir();
  if (isCluster(template)) return template;
  await mkdir(dirname(template), { recursive: true });
  const building = `${template}.build-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  await initialiseCluster(building);
  await rename(building, template).catch(async (error: NodeJS.ErrnoException) => {
    await rm(building, { recursive: true, force: true });
    if (!isCluster(template)) throw error; // another process won the race: its template is as good
  });
  return template;
}

/**
 * Fills the new, empty `dataDir` with a copy of the template; false when there is no template (or the
 * directory turned out not to be empty), and the caller runs initdb instead. The copy is made beside it
 * and renamed into place, so a process stopped half-way leaves no half cluster behind.
 */
export async function copyTemplate(dataDir: string): Promise<boolean> {
  let template: string;
  try {
    template = templateDir();
  } catch {
    return false; // PGlite's manifest unreadable: no template to trust
  }
  if (!isCluster(template)) return false;
  const copying = `${dataDir}.copy-${process.pid}`;
  await rm(copying, { recursive: true, force: true });
  await cp(template, copying, { recursive: true });
  try {
    await rename(copying, dataDir); // replaces dataDir only while it is an empty directory
    return true;
  } catch {
    await rm(copying, { recursive: true, force: true });
    return false;
  }
}

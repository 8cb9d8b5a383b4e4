// Where the Pulse checkout (or image) is on disk, for the files read as data: queries/, package.json,
// dashboard/dist, agent/register.js, the TypeScript entries a child process runs. Found by walking up from
// this module to the package.json named "pledgr-pulse" rather than by a fixed `../..`, because the same
// source runs from its own place (tsx) and bundled into cli/dist/ or agent/dist/ (esbuild), at other depths.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageName = 'pledgr-pulse';

function isPulseManifest(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown }).name === packageName;
  } catch {
    return false;
  }
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (isPulseManifest(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json named ${packageName} above ${start}`);
  }
}

/** The directory holding Pulse's package.json. */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the package: `fromPackageRoot('queries', 'kpi')`. */
export function fromPackageRoot(...segments: string[]): string {
  return join(packageRoot, ...segments);
}

/**
 * A file of the compiled `pulse start` process (cli/dist/system/, built with the CLI by cli/build.js), which
 * runs in place of the TypeScript sources when the CLI runs compiled.
 */
export function compiledSystemFile(name: string): string {
  return fromPackageRoot('cli', 'dist', 'system', name);
}

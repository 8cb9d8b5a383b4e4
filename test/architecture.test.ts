// The dependency rule of DESIGN.md and docs/architecture.md, checked on the source: cli → agent, collector →
// core → queries (as data); core never imports a service or the CLI; agent and collector never import each
// other. grafana/ and prometheus/ are generated from core alone; the dashboard takes nothing but types from
// the server side (`import type` / `export type`: a value import would put server code in the browser
// bundle); benchmarks may use the test helpers of test/support, and no test imports a benchmark (no
// bench ↔ test cycle).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Rule {
  /** Folders outside the part that it may import from: a top-level part, or a folder inside one. */
  readonly values: readonly string[];
  /** Folders it may import types from, with `import type` or `export type` only. */
  readonly types?: readonly string[];
}

/** For each part, what it may import from besides itself; any other relative import fails. */
const allowed: Record<string, Rule> = {
  core: { values: [] },
  agent: { values: ['core'] },
  collector: { values: ['core'] },
  cli: { values: ['agent', 'collector', 'core'] },
  grafana: { values: ['core'] },
  prometheus: { values: ['core'] },
  dashboard: { values: [], types: ['core', 'collector'] },
  bench: { values: ['agent', 'cli', 'collector', 'core', 'test/support'] },
  test: { values: ['agent', 'cli', 'collector', 'core', 'dashboard', 'grafana', 'prometheus'] },
};

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      // Installed packages, and build output (never edited).
      if (entry.isDirectory()) return ['node_modules', 'dist'].includes(entry.name) ? [] : sourceFiles(path);
      return /\.(ts|js|mjs|cjs|svelte)$/.test(entry.name) ? [path] : [];
    }),
  );
  return nested.flat();
}

interface Import {
  readonly specifier: string;
  /** `import type …` or `export type … from`: erased from the compiled code. */
  readonly typeOnly: boolean;
}

/** Relative imports: static (`import … from`, `export … from`, `import '…'`), dynamic and require. */
function relativeImports(text: string): Import[] {
  const pattern =
    /\b(?:(import|export)(\s+type\b)?[^'";]*?\bfrom|import\s*\(|import|require\()\s*'(\.{1,2}\/[^']+)'/g;
  return [...text.matchAll(pattern)].map((match) => ({
    specifier: match[3] as string,
    typeOnly: match[2] !== undefined,
  }));
}

const within = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

describe('architecture', () => {
  for (const [part, rule] of Object.entries(allowed)) {
    const types = rule.types?.length ? `; types only from ${rule.types.join(', ')}` : '';
    it(`${part}/ imports from ${rule.values.join(', ') || 'nothing outside it'}${types}`, async () => {
      const files = await sourceFiles(join(root, part));
      expect(files.length).toBeGreaterThan(0);
      const violations: string[] = [];
      for (const file of files) {
        const text = await readFile(file, 'utf8');
        for (const { specifier, typeOnly } of relativeImports(text)) {
          const target = relative(root, join(file, '..', specifier))
            .split(sep)
            .join('/');
          if (within(target, part) || rule.values.some((folder) => within(target, folder))) continue;
          if (typeOnly && rule.types?.some((folder) => within(target, folder))) continue;
          violations.push(`${relative(root, file)} → ${specifier}${typeOnly ? ' (type)' : ''}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it('tells a type-only import from a value import (the dashboard rule is not vacuous)', () => {
    // Written with double quotes (turned into single ones), so this file's own scan does not see them.
    const source = `
      import type { A } from "../a.ts";
      import { type B, c } from "../b.ts";
      export type { D } from "../d.ts";
      export { e } from "../e.ts";
      import {
        f,
        g,
      } from "../f.ts";
      import "../side-effect.ts";
      const h = await import("../h.ts");
    `.replaceAll('"', "'");
    expect(relativeImports(source)).toEqual([
      { specifier: '../a.ts', typeOnly: true },
      { specifier: '../b.ts', typeOnly: false },
      { specifier: '../d.ts', typeOnly: true },
      { specifier: '../e.ts', typeOnly: false },
      { specifier: '../f.ts', typeOnly: false },
      { specifier: '../side-effect.ts', typeOnly: false },
      { specifier: '../h.ts', typeOnly: false },
    ]);
  });

  it('finds the core sources it checks (the scan is not vacuous)', async () => {
    expect((await sourceFiles(join(root, 'core'))).length).toBeGreaterThan(10);
  });
});

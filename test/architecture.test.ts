// The dependency rule of DESIGN.md, checked on the source: cli → agent, collector → core → queries (as data).
// core never imports a service or the CLI; agent and collector never import each other.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** For each part, the parts it must never import from. */
const forbidden: Record<string, string[]> = {
  core: ['cli', 'agent', 'collector', 'dashboard', 'test', 'bench'],
  agent: ['cli', 'collector', 'dashboard', 'test', 'bench'],
  collector: ['cli', 'agent', 'test', 'bench'],
  cli: ['test', 'bench'],
};

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
      return /\.(ts|js|svelte)$/.test(entry.name) ? [path] : [];
    }),
  );
  return nested.flat();
}

describe('architecture', () => {
  for (const [part, banned] of Object.entries(forbidden)) {
    it(`${part}/ imports nothing from ${banned.join(', ')}`, async () => {
      const violations: string[] = [];
      for (const file of await sourceFiles(join(root, part))) {
        const text = await readFile(file, 'utf8');
        for (const match of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
          const target = relative(root, join(file, '..', match[1] as string)).split('/')[0] as string;
          if (banned.includes(target)) violations.push(`${relative(root, file)} → ${match[1]}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it('finds the core sources it checks (the scan is not vacuous)', async () => {
    expect((await sourceFiles(join(root, 'core'))).length).toBeGreaterThan(10);
  });
});

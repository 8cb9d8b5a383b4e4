// docs/configuration.md's table of environment variables cannot drift from the code: it must list every
// variable the services' zod schemas declare and every one the sources read from the environment directly,
// nothing else, with the right readers, and any literal default it gives must be the schema's default.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { agentEnvSchema, telemetryEnvSchema } from '../../agent/config.ts';
import { cliEnvSchema } from '../../cli/config.ts';
import { systemSchema } from '../../cli/system/system-config.ts';
import { collectorEnvSchema } from '../../collector/config.ts';
import { readRepoFile, repoRoot, tableAfterHeading } from './markdown.ts';

type Reader = 'agent' | 'drop-in' | 'collector' | 'cli' | 'start';

const schemas: Record<Reader, { shape: Record<string, z.ZodType> }> = {
  agent: agentEnvSchema,
  'drop-in': telemetryEnvSchema,
  collector: collectorEnvSchema,
  cli: cliEnvSchema,
  start: systemSchema,
};

/** Read from the environment in the sources, but not Pulse settings: each with the reason. */
const notSettings: Record<string, string> = {
  PULSE_START_DEMO: 'set by `pulse start` for its own child process (from --demo), never by a person',
  NODE_OPTIONS: "Node's own; `pulse instrument` adds the drop-in's --import to it",
  PGHOST: "the instrumented app's libpq variable, read only to name its pg pool",
  PGPORT: "the instrumented app's libpq variable, read only to name its pg pool",
  PGDATABASE: "the instrumented app's libpq variable, read only to name its pg pool",
  PGUSER: "the instrumented app's libpq variable, read only to name its pg pool",
};

/** Which reader a source file belongs to; null for shared code (core/), whose readers the schemas name. */
function readerOf(path: string): Reader | null {
  if (path.startsWith('agent/drop-in/')) return 'drop-in';
  if (path.startsWith('agent/')) return 'agent';
  if (path.startsWith('collector/')) return 'collector';
  if (path.startsWith('cli/system/')) return 'start';
  if (path.startsWith('cli/')) return 'cli';
  return null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|js|mjs|cjs)$/.test(entry.name))
    .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)))
    .filter((path) => !/(^|\/)(dist|node_modules)\//.test(path));
}

/** Names read straight from the environment: process.env.X, process.env['X'], and env.X on an Env object. */
function directReads(): Map<string, Set<Reader | null>> {
  const reads = new Map<string, Set<Reader | null>>();
  for (const path of ['agent', 'collector', 'cli', 'core'].flatMap(sourceFiles)) {
    const text = readFileSync(join(repoRoot, path), 'utf8');
    // In core/, `env.X` reads an already parsed schema object: only process.env counts there.
    const pattern = path.startsWith('core/')
      ? /process\.env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g
      : /\benv\??(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g;
    for (const match of text.matchAll(pattern)) {
      const name = (match[1] ?? match[2]) as string;
      const readers = reads.get(name) ?? new Set();
      readers.add(readerOf(path));
      reads.set(name, readers);
    }
  }
  return reads;
}

/** Every setting with the readers the code says it has. */
function settingsInCode(): Map<string, Set<Reader>> {
  const settings = new Map<string, Set<Reader>>();
  const add = (name: string, reader: Reader | null) => {
    const readers = settings.get(name) ?? new Set<Reader>();
    if (reader) readers.add(reader);
    settings.set(name, readers);
  };
  for (const [reader, schema] of Object.entries(schemas) as [Reader, { shape: object }][]) {
    for (const name of Object.keys(schema.shape)) add(name, reader);
  }
  for (const [name, readers] of directReads()) {
    if (name in notSettings) continue;
    for (const reader of readers) add(name, reader);
  }
  return settings;
}

interface DocRow {
  readonly name: string;
  readonly defaultCell: string;
  readonly readers: Set<string>;
}

function documentedSettings(): DocRow[] {
  const rows = tableAfterHeading(readRepoFile('docs/configuration.md'), '## Every variable');
  return rows.map((cells) => {
    const [variable = '', defaultCell = '', readers = ''] = cells;
    const name = /^`([A-Z][A-Z0-9_]*)`$/.exec(variable)?.[1];
    if (!name)
      throw new Error(`docs/configuration.md: the first cell must be one \`VARIABLE\`: "${variable}"`);
    return {
      name,
      defaultCell,
      readers: new Set(
        readers
          .split(',')
          .map((reader) => reader.trim())
          .filter(Boolean),
      ),
    };
  });
}

const sorted = (values: Iterable<string>) => [...values].sort();

describe('docs/configuration.md', () => {
  const inCode = settingsInCode();
  const documented = documentedSettings();
  const byName = new Map(documented.map((row) => [row.name, row]));

  it('lists every variable the schemas declare or the sources read, and nothing else', () => {
    expect(documented.length, 'a variable is listed twice').toBe(byName.size);
    const missing = sorted([...inCode.keys()].filter((name) => !byName.has(name)));
    const unknown = sorted([...byName.keys()].filter((name) => !inCode.has(name)));
    expect({ missing, unknown }).toEqual({ missing: [], unknown: [] });
  });

  it('names, for each variable, exactly the parts that read it', () => {
    const wrong = [...inCode]
      .filter(([name]) => byName.has(name))
      .map(([name, readers]) => ({
        name,
        code: sorted(readers),
        doc: sorted(byName.get(name)?.readers ?? []),
      }))
      .filter(({ code, doc }) => code.join() !== doc.join());
    expect(wrong).toEqual([]);
  });

  it('gives, where it writes a literal default, the default each schema really has', () => {
    const wrong: string[] = [];
    for (const [reader, schema] of Object.entries(schemas)) {
      for (const [name, field] of Object.entries(schema.shape)) {
        const cell = byName.get(name)?.defaultCell;
        if (cell === undefined) continue;
        const actual = field.parse(undefined);
        const literal = /^`([^`]*)`$/.exec(cell)?.[1];
        if (literal !== undefined) {
          const parsed = field.safeParse(literal);
          if (!parsed.success || JSON.stringify(parsed.data) !== JSON.stringify(actual)) {
            wrong.push(`${name} (${reader}): documented ${cell}, schema default ${JSON.stringify(actual)}`);
          }
        } else if (cell === '—' || cell.startsWith('— ')) {
          const empty =
            actual === undefined || actual === '' || (Array.isArray(actual) && actual.length === 0);
          if (!empty)
            wrong.push(`${name} (${reader}): documented as unset, schema default ${JSON.stringify(actual)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('leaves out only variables that are still read and are not settings', () => {
    const reads = directReads();
    const stale = Object.keys(notSettings).filter((name) => !reads.has(name));
    expect(stale, 'no longer read anywhere: drop them from notSettings').toEqual([]);
    for (const name of Object.keys(notSettings)) expect(byName.has(name), name).toBe(false);
  });
});

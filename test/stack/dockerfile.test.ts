// The image proven without Docker: the Dockerfile is multi-stage with pinned bases, builds the dashboard in
// the build stage, installs production dependencies only and runs as a non-root user in the final one, has
// a HEALTHCHECK, and every file a CMD (its own or compose's) names exists; .dockerignore keeps secrets out
// and the runtime folders in; the production dependencies cover every package the services import; and
// the real secrets are git-ignored.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exampleEnv,
  gitIgnores,
  isPinnedImage,
  parseDockerfile,
  readCompose,
  readRepoFile,
  repoPathExists,
  root,
} from './stack-files.ts';

const stages = parseDockerfile(readRepoFile('Dockerfile'));
const [build, runtime] = [stages.at(0), stages.at(-1)];
const instructions = (stage: typeof runtime, keyword: string) =>
  (stage?.instructions ?? []).filter((instruction) => instruction.keyword === keyword).map((i) => i.args);

/** The parts the services run (DESIGN.md: cli → agent, collector → core → queries). */
const runtimeFolders = ['agent', 'cli', 'collector', 'core', 'queries'];

/** Files a command line names: arguments that look like a path to a .ts or .js file. */
function namedFiles(command: string[]): string[] {
  return command
    .filter((part) => /^\.?\/?[\w./-]+\.(ts|js)$/.test(part))
    .map((part) => part.replace(/^\.\//, ''));
}

describe('Dockerfile', () => {
  it('has a build stage and a final runtime stage, each FROM a pinned image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build?.name).toBe('build');
    for (const stage of stages) expect(isPinnedImage(stage.image), stage.image).toBe(true);
  });

  it('installs everything and builds the dashboard in the build stage', () => {
    const runs = instructions(build, 'RUN');
    expect(runs.some((command) => /\bnpm ci\b/.test(command) && !command.includes('--omit=dev'))).toBe(true);
    expect(runs.some((command) => command.includes('npm run build:dashboard'))).toBe(true);
  });

  it('runs the final stage on production dependencies only, as a non-root user', () => {
    expect(instructions(runtime, 'RUN').some((command) => /\bnpm ci\b.*--omit=dev/.test(command))).toBe(true);
    const users = instructions(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    // USER comes before CMD, so the process runs as that user.
    const keywords = runtime?.instructions.map((instruction) => instruction.keyword) ?? [];
    expect(keywords.lastIndexOf('USER')).toBeLessThan(keywords.lastIndexOf('CMD'));
  });

  it('copies the built dashboard and every runtime folder into the final stage', () => {
    const copies = instructions(runtime, 'COPY');
    expect(copies).toContain('--from=build /app/dashboard/dist ./dashboard/dist');
    expect(copies).toContain('--from=build /app/agent/dist ./agent/dist');
    for (const folder of runtimeFolders) expect(copies, folder).toContain(`${folder} ./${folder}`);
    expect(copies.some((copy) => copy.startsWith('package.json package-lock.json'))).toBe(true);
  });

  it('has a HEALTHCHECK and a CMD whose files exist', () => {
    expect(instructions(runtime, 'HEALTHCHECK').join(' ')).toMatch(/\/readyz/);
    const cmd = JSON.parse(instructions(runtime, 'CMD').at(-1) as string) as string[];
    expect(cmd[0]).toBe('node');
    const files = namedFiles(cmd);
    expect(files).toEqual(['agent/register.js', 'agent/main.ts']);
    for (const file of files) expect(repoPathExists(file), file).toBe(true);
  });

  it('every command compose runs in this image names files that exist and the image copies', () => {
    const compose = readCompose(exampleEnv());
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.build) continue;
      expect(service.command, name).toBeDefined();
      const files = namedFiles(service.command ?? []);
      expect(files.length, name).toBeGreaterThan(0);
      for (const file of files) {
        expect(repoPathExists(file), `${name}: ${file}`).toBe(true);
        expect(runtimeFolders, `${name}: ${file} is in a copied folder`).toContain(file.split('/')[0]);
      }
    }
  });
});

describe('.dockerignore', () => {
  const patterns = readRepoFile('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  it('keeps secrets, local state and the host node_modules out of the build context', () => {
    for (const pattern of ['.env', 'secrets/', 'node_modules/', 'data/', '.git/']) {
      expect(patterns, pattern).toContain(pattern);
    }
  });

  it('leaves in what the stages copy', () => {
    const excluded = (path: string) =>
      patterns.some(
        (pattern) =>
          !pattern.startsWith('!') && (path === pattern.replace(/\/$/, '') || path.startsWith(pattern)),
      );
    for (const path of [
      ...runtimeFolders,
      'dashboard',
      'package.json',
      'package-lock.json',
      'tsconfig.json',
    ]) {
      expect(excluded(path), path).toBe(false);
    }
  });
});

describe('production dependencies', () => {
  it('cover every package the services import (the image installs with --omit=dev)', () => {
    const lock = JSON.parse(readRepoFile('package-lock.json')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const imported = new Map<string, string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.(ts|js)$/.test(entry.name)) {
          const text = readFileSync(path, 'utf8');
          // Value imports only: `import type` is erased and needs nothing at run time.
          const specifiers =
            /^(?:import(?!\s+type\b)(?:[^'"]*?from)?|export[^'"]*?from)\s*'([^.'][^']*)'|import\(\s*'([^.'][^']*)'/gm;
          for (const match of text.matchAll(specifiers)) {
            const specifier = (match[1] ?? match[2]) as string;
            if (specifier.startsWith('node:')) continue;
            const name = specifier.startsWith('@')
              ? specifier.split('/').slice(0, 2).join('/')
              : (specifier.split('/')[0] as string);
            imported.set(name, relative(root, path));
          }
        }
      }
    };
    for (const folder of runtimeFolders.filter((folder) => folder !== 'queries')) walk(join(root, folder));
    expect(imported.size).toBeGreaterThan(10);
    const devOnly = [...imported]
      .filter(([name]) => lock.packages[`node_modules/${name}`]?.dev === true)
      .map(([name, file]) => `${name} (imported by ${file})`);
    const missing = [...imported]
      .filter(([name]) => !lock.packages[`node_modules/${name}`])
      .map(([name, file]) => `${name} (imported by ${file})`);
    expect(missing, 'imported but not installed at all').toEqual([]);
    expect(devOnly, 'imported at run time but a devDependency: move it to dependencies').toEqual([]);
  });
});

describe('secrets', () => {
  it('git ignores .env and the token file, and keeps the instructions', () => {
    expect(gitIgnores('.env')).toBe(true);
    expect(gitIgnores('secrets/pulse-metrics-token')).toBe(true);
    expect(gitIgnores('secrets/README.md')).toBe(false);
    expect(gitIgnores('.env.example')).toBe(false);
  });
});

// The documentation holds together: every relative link in README.md, docs/*.md and the parts' READMEs
// points to a file (and a heading) that exists inside the repository, none points outside it, no issue number
// is mentioned, the README keeps its two commands, and the copies in docs/ of the design documents beside the
// repository (../shared/) are still word for word.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inCi } from '../support/postgres.ts';
import {
  documentationFiles,
  headingAnchors,
  insideRepo,
  linkTargets,
  proseOf,
  readRepoFile,
  repoRoot,
} from './markdown.ts';

const files = documentationFiles();
/** The copies in docs/ of the documents beside the repository: a short note, then the text word for word. */
const copies: Record<string, string> = {
  'docs/contracts.md': 'DESIGN.md',
  'docs/scaling-guide.md': 'SCALING-GUIDE.md',
  'docs/legacy-pledgr.md': 'LEGACY-PLEDGR.md',
};
const external = /^(https?:|mailto:)/;

/** Every relative link as [file, target] pairs. */
function relativeLinks(): [string, string][] {
  return files.flatMap((file) =>
    linkTargets(readRepoFile(file))
      .filter((target) => !external.test(target))
      .map((target): [string, string] => [file, target]),
  );
}

describe('documentation links', () => {
  it('finds the README, the docs and every part README', () => {
    for (const file of ['README.md', 'docs/architecture.md', 'agent/README.md', 'collector/README.md']) {
      expect(files).toContain(file);
    }
    expect(relativeLinks().length).toBeGreaterThan(50);
  });

  it('point only inside the repository', () => {
    const outside = relativeLinks()
      .filter(([file, target]) => {
        const path = target.split('#')[0] as string;
        return path !== '' && !insideRepo(resolve(repoRoot, dirname(file), path));
      })
      .map(([file, target]) => `${file} → ${target}`);
    expect(outside).toEqual([]);
  });

  it('point to files that exist', () => {
    const broken = relativeLinks()
      .filter(([file, target]) => {
        const path = target.split('#')[0] as string;
        return path !== '' && !existsSync(resolve(repoRoot, dirname(file), decodeURIComponent(path)));
      })
      .map(([file, target]) => `${file} → ${target}`);
    expect(broken).toEqual([]);
  });

  it('point to headings that exist', () => {
    const broken = relativeLinks()
      .filter(([file, target]) => {
        const [path = '', anchor] = target.split('#');
        if (anchor === undefined) return false;
        const linked = path === '' ? join(repoRoot, file) : resolve(repoRoot, dirname(file), path);
        if (!linked.endsWith('.md') || !existsSync(linked) || statSync(linked).isDirectory()) return false;
        return !headingAnchors(readFileSync(linked, 'utf8')).has(anchor);
      })
      .map(([file, target]) => `${file} → ${target}`);
    expect(broken).toEqual([]);
  });

  it('mention no issue numbers', () => {
    const mentions = files
      .filter((file) => !(file in copies))
      .flatMap((file) =>
        [...readRepoFile(file).matchAll(/\bissues?[ \t]+#?\d+/gi)].map((match) => `${file}: ${match[0]}`),
      );
    expect(mentions).toEqual([]);
  });
});

describe('README.md', () => {
  const readme = readRepoFile('README.md');

  it('keeps the two commands, the first as the demo and the second as the test command CI runs', () => {
    expect(readme).toContain(
      '```sh\nnpm install && npm start     # the system on the embedded database, with demo data\n' +
        'npm test                     # every suite',
    );
    expect(readRepoFile('.ci/run')).toMatch(/^npm test$/m);
  });

  it('shows the screenshot it links', () => {
    expect(linkTargets(readme)).toContain('docs/images/dashboard.png');
    expect(statSync(join(repoRoot, 'docs/images/dashboard.png')).size).toBeLessThan(300_000);
  });

  it('links every part README and every page of docs/', () => {
    const targets = new Set(linkTargets(readme).map((target) => target.split('#')[0]));
    const wanted = files.filter((file) => file !== 'README.md' && !file.startsWith('secrets/'));
    expect(wanted.filter((file) => !targets.has(file))).toEqual([]);
    expect(proseOf(readme)).not.toMatch(/\.\.\/shared/);
  });
});

const sharedDir = resolve(repoRoot, '../shared');
const sharedMissing = existsSync(sharedDir)
  ? null
  : `${sharedDir} not found (../shared/ beside the checkout)`;

describe('copies of the design documents', () => {
  if (sharedMissing && !inCi) {
    console.warn(`[skipped] copies of the design documents: ${sharedMissing}`);
  }
  for (const [copy, source] of Object.entries(copies)) {
    it.skipIf(sharedMissing !== null && !inCi)(`${copy} is ${source} word for word`, () => {
      const original = readFileSync(join(sharedDir, source), 'utf8');
      const text = readRepoFile(copy);
      expect(text.startsWith('> '), `${copy} starts with its note`).toBe(true);
      expect(text.endsWith(`\n\n${original}`), `${copy} ends with ${source}; copy it again`).toBe(true);
    });
  }
});

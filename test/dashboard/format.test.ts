/// <reference lib="dom" />
// The dashboard's number formatting and CSV export, without a browser: money from integer cents, ratios,
// missing values as "—" with the reason, change against the previous period, RFC 4180 quoting; and
// ShownValue.svelte rendered with Svelte's server renderer (compiled here, so vitest needs no Svelte plugin).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Component } from 'svelte';
import { compile } from 'svelte/compiler';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { toCsv } from '../../dashboard/src/lib/csv.ts';
import {
  formatByUnit,
  formatCents,
  formatChange,
  formatCount,
  formatPointChange,
  formatRatio,
  missing,
  type Shown,
} from '../../dashboard/src/lib/format.ts';

describe('formatCents', () => {
  it.each([
    [0, '$0.00'],
    [1, '$0.01'],
    [99, '$0.99'],
    [100, '$1.00'],
    [123_456, '$1,234.56'],
    [-250, '-$2.50'],
    [-123_456, '-$1,234.56'],
    [100_000, '$1,000'],
    [1_234_567_800, '$12,345,678'],
    [1_234_567_899, '$12,345,678.99'],
  ])('shows %i cents as %s', (cents, text) => {
    expect(formatCents(cents, 'USD')).toEqual({ text });
  });

  it('shows unrounded cents (ARPU) to the cent', () => {
    expect(formatCents(286.3636, 'USD').text).toBe('$2.86');
  });

  it('uses the session currency', () => {
    expect(formatCents(123_456, 'EUR').text).toBe('€1,234.56');
  });

  it('shows a missing amount as a dash with the reason', () => {
    expect(formatCents(null, 'USD', 'sample too small')).toEqual({ text: '—', reason: 'sample too small' });
    expect(formatCents(Number.NaN, 'USD')).toEqual({ text: '—', reason: 'no data' });
  });
});

describe('formatRatio and formatCount', () => {
  it('shows a ratio as a percentage with the given decimals', () => {
    expect(formatRatio(0.0345).text).toBe('3.5 %');
    expect(formatRatio(0.0345, '', 2).text).toBe('3.45 %');
    expect(formatRatio(0).text).toBe('0.0 %');
    expect(formatRatio(1.1349).text).toBe('113.5 %');
  });

  it('shows a null rate (zero denominator) as a dash with the reason, never 0 or NaN', () => {
    expect(formatRatio(null, 'nobody pledged at the start')).toEqual({
      text: '—',
      reason: 'nobody pledged at the start',
    });
    expect(formatRatio(Number.POSITIVE_INFINITY).text).toBe('—');
  });

  it('groups thousands in counts and dashes a missing count', () => {
    expect(formatCount(1_234_567).text).toBe('1,234,567');
    expect(formatCount(0).text).toBe('0');
    expect(formatCount(null)).toEqual({ text: '—', reason: 'no data' });
  });

  it('formats a catalog value by its unit', () => {
    expect(formatByUnit(55_900, 'cents', 'USD').text).toBe('$559.00');
    expect(formatByUnit(0.45, 'ratio', 'USD').text).toBe('45.0 %');
    expect(formatByUnit(40, 'count', 'USD').text).toBe('40');
    expect(formatByUnit(false, 'boolean', 'USD').text).toBe('no');
    expect(formatByUnit(null, 'ratio', 'USD').text).toBe('—');
  });
});

describe('change against the previous period', () => {
  it('is a signed percentage of the previous value', () => {
    expect(formatChange(110, 100).text).toBe('+10.0 %');
    expect(formatChange(90, 100).text).toBe('−10.0 %');
    expect(formatChange(100, 100).text).toBe('+0.0 %');
    expect(formatChange(-50, -100).text).toBe('+50.0 %');
  });

  it('is a dash with the reason when the previous value is 0 or missing', () => {
    expect(formatChange(5, 0)).toEqual({ text: '—', reason: 'no previous value to compare' });
    expect(formatChange(5, null).text).toBe('—');
    expect(formatChange(null, 5).text).toBe('—');
  });

  it('is in percentage points for rates, and a zero base is a real value there', () => {
    expect(formatPointChange(0.3, 0.25).text).toBe('+5.0 pp');
    expect(formatPointChange(0.012, 0.029).text).toBe('−1.7 pp');
    expect(formatPointChange(0.05, 0).text).toBe('+5.0 pp');
    expect(formatPointChange(null, 0.1).reason).toBe('no previous value to compare');
  });
});

describe('toCsv', () => {
  it('writes a header row and CRLF-terminated rows, empty cells for null', () => {
    expect(
      toCsv(
        ['Period', 'MRR', 'Rate'],
        [
          ['2026-01', 1200, 0.5],
          ['2026-02', null, true],
        ],
      ),
    ).toBe('Period,MRR,Rate\r\n2026-01,1200,0.5\r\n2026-02,,true\r\n');
  });

  it('quotes cells holding a comma, a quote or a line break, doubling quotes', () => {
    expect(toCsv(['a'], [['Smith, Jones'], ['say "hi"'], ['two\nlines'], ['cr\rhere'], ['plain']])).toBe(
      'a\r\n"Smith, Jones"\r\n"say ""hi"""\r\n"two\nlines"\r\n"cr\rhere"\r\nplain\r\n',
    );
  });

  it('quotes a header that needs it', () => {
    expect(toCsv(['Net MRR retention, %'], [])).toBe('"Net MRR retention, %"\r\n');
  });
});

/** Compiles a component for the server into a temporary module (svelte imports pointed at node_modules). */
async function loadServerComponent<Props extends Record<string, unknown>>(
  path: string,
): Promise<Component<Props>> {
  const source = await readFile(path, 'utf8');
  const { js } = compile(source, { generate: 'server', filename: path, runes: true });
  const require = createRequire(import.meta.url);
  const code = js.code.replace(
    /from '(svelte[^']*)'/g,
    (_, name: string) => `from '${pathToFileURL(require.resolve(name)).href}'`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'pulse-ssr-'));
  try {
    const file = join(dir, 'component.js');
    await writeFile(file, code);
    return ((await import(/* @vite-ignore */ pathToFileURL(file).href)) as { default: Component<Props> })
      .default;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('ShownValue.svelte (server-rendered)', () => {
  const path = fileURLToPath(new URL('../../dashboard/src/components/ShownValue.svelte', import.meta.url));

  it('renders a value as its text only', async () => {
    const ShownValue = await loadServerComponent<{ value: Shown }>(path);
    const { body } = render(ShownValue, { props: { value: formatCents(123_456, 'USD') } });
    expect(body).toContain('$1,234.56');
    expect(body).not.toContain('title=');
  });

  it('renders a missing value as a dash with the reason as a title and as text for screen readers', async () => {
    const ShownValue = await loadServerComponent<{ value: Shown }>(path);
    const { body } = render(ShownValue, { props: { value: missing('sample too small') } });
    expect(body).toContain('title="sample too small"');
    expect(body).toMatch(/—<span class="visually-hidden">\s*\(sample too small\)<\/span>/);
  });
});

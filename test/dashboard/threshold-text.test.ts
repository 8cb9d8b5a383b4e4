// The thresholds table's "Resolves" column, without a browser: the resolve threshold with the comparison a
// firing alert's figure must reach (the opposite of the rule's), a keep-firing time, both, or neither — for
// every rule of the default catalog as GET /api/catalog sends it.
import { describe, expect, it } from 'vitest';
import { alertInputs, alertRules } from '../../core/alerts/rules.ts';
import type { CatalogAlertRule } from '../../dashboard/src/lib/api-types.ts';
import { resolveText } from '../../dashboard/src/views/scaling/threshold-text.ts';

const rule = (overrides: Partial<CatalogAlertRule>): CatalogAlertRule => ({
  name: 'Example',
  severity: 'warning',
  audience: 'operator',
  input: 'errorRatio',
  comparison: '>',
  threshold: 0.01,
  forSeconds: 300,
  summary: '',
  action: [],
  unit: 'ratio',
  resolveThreshold: null,
  keepFiringForSeconds: 0,
  ...overrides,
});

describe('resolveText', () => {
  it.each([
    [{ resolveThreshold: 0.005 }, '≤ 0.5 %'],
    [{ comparison: '>=', input: 'users', unit: 'count', threshold: 1000, resolveThreshold: 980 }, '< 980'],
    [{ comparison: '<', resolveThreshold: 0.02 }, '≥ 2 %'],
    [{ keepFiringForSeconds: 600 }, 'after 10 min without'],
    [{ resolveThreshold: 0.005, keepFiringForSeconds: 30 }, '≤ 0.5 %, after 30 s without'],
    [{}, 'at once'],
  ] as const)('reads %o as %s', (overrides, text) => {
    expect(resolveText(rule(overrides as Partial<CatalogAlertRule>))).toBe(text);
  });

  it('says how every default rule resolves (none resolves at once)', () => {
    for (const r of alertRules) {
      const text = resolveText(
        rule({
          ...r,
          unit: alertInputs[r.input].unit,
          resolveThreshold: r.resolveThreshold ?? null,
          keepFiringForSeconds: r.keepFiringForSeconds ?? 0,
        }),
      );
      expect(text, r.name).not.toBe('at once');
    }
  });
});

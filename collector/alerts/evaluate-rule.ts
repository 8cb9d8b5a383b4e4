// One rule against the input values: true, false, or missing (an input it needs is null). Guards are
// checked first, so "too little traffic to judge" makes the condition false even when the figure itself
// cannot be computed (no requests at all leaves the error ratio null).
import type { AlertComparison, AlertRule } from '../../core/alerts/rules.ts';
import type { AlertInputValues } from './inputs.ts';

export type RuleOutcome =
  | { readonly kind: 'missing' }
  | { readonly kind: 'true' | 'false'; readonly value: number | null };

export function evaluateRule(rule: AlertRule, values: AlertInputValues): RuleOutcome {
  const value = values[rule.input];
  for (const guard of rule.guards) {
    const guardValue = values[guard.input];
    if (guardValue === null) return { kind: 'missing' };
    if (!compare(guardValue, guard.comparison, guard.threshold)) return { kind: 'false', value };
  }
  if (value === null) return { kind: 'missing' };
  return { kind: compare(value, rule.comparison, rule.threshold) ? 'true' : 'false', value };
}

function compare(value: number, comparison: AlertComparison, threshold: number): boolean {
  switch (comparison) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}

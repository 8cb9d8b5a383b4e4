// One rule against the input values: true, false, or missing (an input it needs is null). Guards are
// checked first, so "too little traffic to judge" makes the condition false even when the figure itself
// cannot be computed (no requests at all leaves the error ratio null). A false outcome also says whether the
// figure is still past the rule's resolve threshold (hysteresis): a firing alert then stays firing.
import type { AlertComparison, AlertRule } from '../../core/alerts/rules.ts';
import type { AlertInputValues } from './inputs.ts';

export type RuleOutcome =
  | { readonly kind: 'missing' }
  | { readonly kind: 'true'; readonly value: number | null }
  | {
      readonly kind: 'false';
      readonly value: number | null;
      /** Guards hold and the value passes the resolve threshold: a firing alert does not resolve yet. */
      readonly pastResolve?: boolean;
    };

export function evaluateRule(rule: AlertRule, values: AlertInputValues): RuleOutcome {
  const value = values[rule.input];
  for (const guard of rule.guards) {
    const guardValue = values[guard.input];
    if (guardValue === null) return { kind: 'missing' };
    if (!compare(guardValue, guard.comparison, guard.threshold)) return { kind: 'false', value };
  }
  if (value === null) return { kind: 'missing' };
  if (compare(value, rule.comparison, rule.threshold)) return { kind: 'true', value };
  const resolve = rule.resolveThreshold;
  if (resolve === undefined) return { kind: 'false', value };
  return { kind: 'false', value, pastResolve: compare(value, rule.comparison, resolve) };
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

// The catalog's rules as Prometheus alerting rules: same name, `for`, severity and threshold; the summary
// template with {{value}} as a Prometheus template in the input's unit; the action as an annotation. Rules
// whose inputs Prometheus cannot compute are returned apart, with the reason, for the file's header.
// No flapping, as the collector does it: the keep-firing time becomes `keep_firing_for`, and a resolve
// threshold becomes a second branch that holds only while the alert itself is firing (its ALERTS series,
// matched on every label but the rule's own): `cond(T) or (cond(R) and ignoring(…) ALERTS{…firing})`.
import { alertRuleLabels } from '../../core/alerts/labels.ts';
import { formatAlertValue } from '../../core/alerts/render.ts';
import { type AlertCondition, type AlertRule, type AlertUnit, alertInputs } from '../../core/alerts/rules.ts';
import { comparison, type PromInput, promInputs, type ValueInput } from './prom-inputs.ts';
import { promDuration } from './settings.ts';

export interface PromAlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly keep_firing_for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: { readonly summary: string; readonly description: string; readonly action: string };
}

export interface LeftOutRule {
  readonly name: string;
  readonly reason: string;
}

export interface AlertRuleOptions {
  /** Overrides every rule's `for` (the live test's documented shortening); the catalog's when absent. */
  readonly forSeconds?: number;
}

/** How `$value` is printed, per unit (Prometheus template functions). */
const valueTemplates: Record<Exclude<AlertUnit, 'flag'>, string> = {
  ratio: '{{ $value | humanizePercentage }}',
  seconds: '{{ $value | humanizeDuration }}',
  bytes: '{{ $value | humanize1024 }}B',
  perSecond: '{{ $value | humanize }}/s',
  count: '{{ printf `%.0f` $value }}',
  factor: '{{ printf `%.3g` $value }}×',
};

/** The reason a rule cannot be evaluated by Prometheus, or null when every input it reads is available. */
function unavailableReason(rule: AlertRule): string | null {
  for (const condition of [rule, ...rule.guards]) {
    const input = promInputs[condition.input];
    if (input.kind === 'unavailable') return `${condition.input}: ${input.reason}`;
  }
  return null;
}

function valueInput(condition: AlertCondition): ValueInput {
  const input: PromInput = promInputs[condition.input];
  if (input.kind !== 'value') throw new Error(`${condition.input} can only be the main input of a rule`);
  return input;
}

function ruleExpr(rule: AlertRule, ownLabels: readonly string[]): { expr: string; perInstance: boolean } {
  const main = promInputs[rule.input];
  if (main.kind === 'unavailable') throw new Error(`${rule.name}: ${rule.input} is unavailable`);
  if (main.kind === 'window') {
    if (rule.comparison !== '>' || rule.guards.length > 0 || rule.resolveThreshold !== undefined)
      throw new Error(`${rule.name}: a window input takes '>', no guards and no resolve threshold`);
    return { expr: main.condition(rule.threshold), perInstance: main.perInstance };
  }
  const guards: string[] = [];
  for (const guard of rule.guards) {
    const input = valueInput(guard);
    // `and` matches on labels: a per-instance guard on a total (or back) would silently never match.
    if (input.perInstance !== main.perInstance) throw new Error(`${rule.name}: guard on another level`);
    guards.push(comparison(input, guard.comparison, guard.threshold));
  }
  const condition = (threshold: number) =>
    [comparison(main, rule.comparison, threshold), ...guards].join(' and ');
  if (rule.resolveThreshold === undefined)
    return { expr: condition(rule.threshold), perInstance: main.perInstance };
  // The alert's own series: ALERTS carries the expression's labels plus alertname, alertstate and the rule's.
  const own = [...new Set(['alertname', 'alertstate', ...ownLabels])].join(', ');
  const firing = `ignoring(${own}) ALERTS{alertname="${rule.name}", alertstate="firing"}`;
  return {
    expr: `(${condition(rule.threshold)}) or (${condition(rule.resolveThreshold)} and ${firing})`,
    perInstance: main.perInstance,
  };
}

/** How the rule stops, for the description. */
function resolveText(rule: AlertRule): string {
  const unit = alertInputs[rule.input].unit;
  const parts: string[] = [];
  if (rule.resolveThreshold !== undefined) {
    const past = { '>': 'at or below', '>=': 'below', '<': 'at or above', '<=': 'above' }[rule.comparison];
    parts.push(`Once firing, resolves only ${past} ${formatAlertValue(rule.resolveThreshold, unit)}`);
  }
  const keep = rule.keepFiringForSeconds ?? 0;
  if (keep > 0) parts.push(`Once firing, keeps firing ${promDuration(keep)} after the condition stops`);
  return parts.length > 0 ? `${parts.join('; ')}.` : '';
}

function conditionText(condition: AlertCondition): string {
  const unit = alertInputs[condition.input].unit;
  return `${condition.input} ${condition.comparison} ${formatAlertValue(condition.threshold, unit)}`;
}

function annotations(rule: AlertRule, perInstance: boolean): PromAlertRule['annotations'] {
  const input = promInputs[rule.input];
  const unit = alertInputs[rule.input].unit;
  const threshold = formatAlertValue(rule.threshold, unit);
  const value = input.kind === 'window' || unit === 'flag' ? `more than ${threshold}` : valueTemplates[unit];
  const summary = rule.summary.replaceAll('{{value}}', value).replaceAll('{{threshold}}', threshold);
  const condition = input.kind === 'window' ? input.explanation(rule.threshold) : conditionText(rule);
  const guards = rule.guards.map(conditionText);
  const description = [
    `${alertInputs[rule.input].help}`,
    `Fires when ${condition}${guards.length > 0 ? `, only while ${guards.join(' and ')}` : ''}${rule.forSeconds > 0 ? `, for ${promDuration(rule.forSeconds)}` : ''}.`,
    input.kind === 'window'
      ? (input.subject ?? '')
      : perInstance
        ? 'Agent {{ $labels.instance }} ({{ $labels.service_instance_id }}).'
        : '',
    resolveText(rule),
    'Rule from core/alerts/rules.ts; the collector evaluates the same rule.',
  ]
    .filter((part) => part !== '')
    .join(' ');
  const action = rule.action.join('; ');
  for (const text of [rule.summary, ...rule.action])
    if (/\{\{(?!value\}\}|threshold\}\})/.test(text))
      throw new Error(`${rule.name}: stray template in ${text}`);
  return { summary, description, action };
}

export function toPromAlertRules(
  catalog: readonly AlertRule[],
  options: AlertRuleOptions = {},
): { rules: PromAlertRule[]; leftOut: LeftOutRule[] } {
  const rules: PromAlertRule[] = [];
  const leftOut: LeftOutRule[] = [];
  for (const rule of catalog) {
    const reason = unavailableReason(rule);
    if (reason) {
      leftOut.push({ name: rule.name, reason });
      continue;
    }
    const labels = alertRuleLabels(rule);
    const { expr, perInstance } = ruleExpr(rule, Object.keys(labels));
    const keep = rule.keepFiringForSeconds ?? 0;
    rules.push({
      alert: rule.name,
      expr,
      for: promDuration(options.forSeconds ?? rule.forSeconds),
      ...(keep > 0 ? { keep_firing_for: promDuration(keep) } : {}),
      // The collector's own labels for the rule (core/alerts/labels.ts), so Alertmanager merges the two
      // senders' alerts; `family` also lets it inhibit a warning while its critical sibling fires.
      labels,
      annotations: annotations(rule, perInstance),
    });
  }
  return { rules, leftOut };
}

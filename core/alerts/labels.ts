// The labels that identify an alert outside Pulse: the collector sends them to Alertmanager (and stores them
// with the history), and the generated Prometheus rules attach the same ones. Alertmanager merges alerts
// whose label sets are identical, so a rule that both the collector and Prometheus evaluate pages once —
// which holds only while neither side adds a label of its own (prometheus.yml drops the series labels
// instance, job, period and service_instance_id from alerts before they are sent; see the README).
import { sloIds } from '../slo/slo-catalog.ts';
import { burnInputs } from './burn-rate-rules.ts';
import type { AlertRule } from './rules.ts';

/** The objective a burn-rate rule reads (`${SloId}Burn${Row}`), null for every other input. */
function burnSlo(input: string): string | null {
  if (!Object.hasOwn(burnInputs, input)) return null;
  return sloIds.find((id) => input.startsWith(`${id}Burn`)) ?? null;
}

/**
 * severity, audience and family (the input read: a critical alert and its warning sibling share it). A
 * burn-rate rule adds `slo` (the label its recorded series carry) and its family is the objective's
 * `${SloId}BudgetBurn`: a firing page of an objective (critical) holds back its tickets (warning).
 */
export function alertRuleLabels(
  rule: Pick<AlertRule, 'severity' | 'audience' | 'input'>,
): Readonly<Record<'severity' | 'audience' | 'family', string> & { slo?: string }> {
  const slo = burnSlo(rule.input);
  const labels = { severity: rule.severity, audience: rule.audience };
  return slo ? { ...labels, family: `${slo}BudgetBurn`, slo } : { ...labels, family: rule.input };
}

/** Every label the collector sends for a rule: Prometheus adds `alertname` itself. */
export function alertLabels(
  rule: Pick<AlertRule, 'name' | 'severity' | 'audience' | 'input'>,
): Readonly<Record<string, string>> {
  return { alertname: rule.name, ...alertRuleLabels(rule) };
}

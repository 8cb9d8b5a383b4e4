// The labels that identify an alert outside Pulse: the collector sends them to Alertmanager (and stores them
// with the history), and the generated Prometheus rules attach the same ones. Alertmanager merges alerts
// whose label sets are identical, so a rule that both the collector and Prometheus evaluate pages once —
// which holds only while neither side adds a label of its own (prometheus.yml drops the series labels
// instance, job, period and service_instance_id from alerts before they are sent; see the README).
import type { AlertRule } from './rules.ts';

/** severity, audience and family (the input read: a critical alert and its warning sibling share it). */
export function alertRuleLabels(
  rule: Pick<AlertRule, 'severity' | 'audience' | 'input'>,
): Readonly<Record<'severity' | 'audience' | 'family', string>> {
  return { severity: rule.severity, audience: rule.audience, family: rule.input };
}

/** Every label the collector sends for a rule: Prometheus adds `alertname` itself. */
export function alertLabels(
  rule: Pick<AlertRule, 'name' | 'severity' | 'audience' | 'input'>,
): Readonly<Record<string, string>> {
  return { alertname: rule.name, ...alertRuleLabels(rule) };
}

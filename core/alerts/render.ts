// Turns a rule's summary template into text: {{value}} and {{threshold}} formatted in the unit of the
// input the rule reads (12.5 %, 0.62 s, 1.6 GiB, 2.3/s, 1,204).
import { type AlertRule, type AlertUnit, alertInputs } from './rules.ts';
import { type ChecklistStatuses, checklistAction } from './scaling-phases.ts';

export function formatAlertValue(value: number | null, unit: AlertUnit): string {
  if (value === null) return 'n/a';
  switch (unit) {
    case 'ratio':
      return `${round(value * 100)} %`;
    case 'seconds':
      return value >= 120 ? `${round(value / 60)} min` : `${round(value)} s`;
    case 'bytes':
      return value >= 1024 ** 3 ? `${round(value / 1024 ** 3)} GiB` : `${round(value / 1024 ** 2)} MiB`;
    case 'perSecond':
      return `${round(value)}/s`;
    case 'factor':
      return `${round(value)}×`;
    case 'count':
    case 'flag':
      return Math.round(value).toLocaleString('en-US');
  }
}

/** Three significant digits at most, trailing zeros dropped. */
function round(value: number): string {
  return String(Number(value.toPrecision(3)));
}

export function renderSummary(rule: AlertRule, value: number | null): string {
  const unit = alertInputs[rule.input].unit;
  return rule.summary
    .replaceAll('{{value}}', formatAlertValue(value, unit))
    .replaceAll('{{threshold}}', formatAlertValue(rule.threshold, unit));
}

/** The rule's action; a milestone rule's lists the scaling guide's items with their current status. */
export function renderAction(rule: AlertRule, statuses: ChecklistStatuses | null): readonly string[] {
  return rule.checklist ? checklistAction(rule.checklist, statuses) : rule.action;
}

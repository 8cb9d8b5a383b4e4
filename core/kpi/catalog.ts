// The KPI catalog: every KPI once — name, unit, help text (its definition in words), the value it takes
// when there is nothing to measure, who may see it, and its Prometheus gauge. The CLI, the API, the
// collector's gauges, the dashboard and the alerts all read this list; adding a KPI is one entry here plus
// its SQL file under queries/kpi/.
import type { KpiPeriod } from './types.ts';

export type KpiUnit = 'count' | 'cents' | 'ratio' | 'boolean';
/** `operator` KPIs (user counts) feed the scaling checklist; revenue and rates are `founder` only. */
export type KpiRole = 'operator' | 'founder';

export interface KpiDefinition {
  readonly field: Exclude<keyof KpiPeriod, 'periodStart' | 'periodEnd'>;
  readonly label: string;
  readonly unit: KpiUnit;
  readonly help: string;
  /** What an empty period shows: 0 for counts and sums, null for a rate with a zero denominator. */
  readonly empty: 0 | null | false;
  readonly role: KpiRole;
  /** The SQL file under queries/kpi/ it comes from, or the formula over other fields. */
  readonly source: string;
  readonly metric: `pledgr_${string}`;
}

const sql = (file: string) => `queries/kpi/${file}`;

export const kpiCatalog: readonly KpiDefinition[] = [
  {
    field: 'registrations',
    label: 'Registrations',
    unit: 'count',
    help: 'Users who created an account in the period (start <= created_at < end).',
    empty: 0,
    role: 'operator',
    source: sql('registrations.sql'),
    metric: 'pledgr_registrations',
  },
  {
    field: 'usersAtEnd',
    label: 'Users',
    unit: 'count',
    help: 'All users registered before the end of the period.',
    empty: 0,
    role: 'operator',
    source: sql('users-before.sql'),
    metric: 'pledgr_users',
  },
  {
    field: 'pledgersAtStart',
    label: 'Pledgers at start',
    unit: 'count',
    help: 'Users whose active pledges add up to more than 0 at the start of the period.',
    empty: 0,
    role: 'operator',
    source: sql('mrr-snapshot.sql'),
    metric: 'pledgr_pledgers_at_start',
  },
  {
    field: 'pledgersAtEnd',
    label: 'Pledgers',
    unit: 'count',
    help: 'Users whose active pledges add up to more than 0 at the end of the period.',
    empty: 0,
    role: 'operator',
    source: sql('mrr-movements.sql'),
    metric: 'pledgr_pledgers',
  },
  {
    field: 'mrrStartCents',
    label: 'MRR at start',
    unit: 'cents',
    help: 'Monthly recurring revenue at the start of the period: the sum of all pledges active at that instant.',
    empty: 0,
    role: 'founder',
    source: sql('mrr-snapshot.sql'),
    metric: 'pledgr_mrr_start_cents',
  },
  {
    field: 'mrrEndCents',
    label: 'MRR',
    unit: 'cents',
    help: 'Monthly recurring revenue at the end of the period: the sum of all pledges active at that instant.',
    empty: 0,
    role: 'founder',
    source: 'mrrStart + new + reactivation + expansion − contraction − churned',
    metric: 'pledgr_mrr_cents',
  },
  {
    field: 'newMrrCents',
    label: 'New MRR',
    unit: 'cents',
    help: 'MRR at the end from users who had none at the start and had never pledged before.',
    empty: 0,
    role: 'founder',
    source: sql('mrr-movements.sql'),
    metric: 'pledgr_new_mrr_cents',
  },
  {
    field: 'reactivationMrrCents',
    label: 'Reactivation MRR',
    unit: 'cents',
    help: 'MRR at the end from users who had none at the start but had pledged before it (returning fans).',
    empty: 0,
    role: 'founder',
    source: sql('mrr-movements.sql'),
    metric: 'pledgr_reactivation_mrr_cents',
  },
  {
    field: 'expansionMrrCents',
    label: 'Expansion MRR',
    unit: 'cents',
    help: 'Growth of MRR from users who pledged at the start and pledge more at the end.',
    empty: 0,
    role: 'founder',
    source: sql('mrr-movements.sql'),
    metric: 'pledgr_expansion_mrr_cents',
  },
  {
    field: 'contractionMrrCents',
    label: 'Contraction MRR',
    unit: 'cents',
    help: 'Loss of MRR from users who still pledge at the end, but less than at the start.',
    empty: 0,
    role: 'founder',
    source: sql('mrr-movements.sql'),
    metric: 'pledgr_contraction_mrr_cents',
  },
  {
    field: 'churnedMrrCents',
    label: 'Churned MRR',
    unit: 'cents',
    help: 'MRR at the start of users who pledge nothing at the end.',
    empty: 0,
    role: 'founder',
    source: sql('mrr-movements.sql'),
    metric: 'pledgr_churned_mrr_cents',
  },
  {
    field: 'churnedPledgers',
    label: 'Churned pledgers',
    unit: 'count',
    help: 'Users who pledged at the start of the period and pledge nothing at the end.',
    empty: 0,
    role: 'founder',
    source: sql('mrr-movements.sql'),
    metric: 'pledgr_churned_pledgers',
  },
  {
    field: 'logoChurnRate',
    label: 'Logo churn',
    unit: 'ratio',
    help: 'Churned pledgers ÷ pledgers at start. Empty (—) when nobody pledged at the start.',
    empty: null,
    role: 'founder',
    source: 'churnedPledgers / pledgersAtStart',
    metric: 'pledgr_logo_churn_ratio',
  },
  {
    field: 'grossMrrChurnRate',
    label: 'Gross MRR churn',
    unit: 'ratio',
    help: '(Churned + contraction MRR) ÷ MRR at start. Empty (—) when MRR at start is 0.',
    empty: null,
    role: 'founder',
    source: '(churnedMrrCents + contractionMrrCents) / mrrStartCents',
    metric: 'pledgr_gross_mrr_churn_ratio',
  },
  {
    // Not a DESIGN.md field (an addition it allows): a data-quality note beside churn. Listed here, beside
    // the churn rates, so that the CLI table and the dashboard's KPI table show it next to them.
    field: 'estimatedChurnMovements',
    label: 'Churn movements on estimated dates',
    unit: 'count',
    help:
      'Of the users who churned or pledged less (contraction) in the period, how many did so through a cancellation ' +
      'whose date is an estimate: the old Pledgr app (its SQLite file) never recorded when a pledge was cancelled, so ' +
      'the import had to guess. Those movements may really belong to an earlier period; the churn figures count them ' +
      'where the estimate puts them. Cancellations recorded when they happened, or seen by the import while following ' +
      'the file, are not estimates.',
    empty: 0,
    role: 'founder',
    source: sql('mrr-movements.sql'),
    metric: 'pledgr_estimated_churn_movements',
  },
  {
    field: 'netMrrRetention',
    label: 'Net MRR retention',
    unit: 'ratio',
    help: '(MRR at start − churned − contraction + expansion) ÷ MRR at start: what the starting fans pay now.',
    empty: null,
    role: 'founder',
    source: '(mrrStartCents − churnedMrrCents − contractionMrrCents + expansionMrrCents) / mrrStartCents',
    metric: 'pledgr_net_mrr_retention_ratio',
  },
  {
    field: 'conversionCohort',
    label: 'Conversion cohort',
    unit: 'count',
    help: 'Users registered in the period: the denominator of 30-day conversion.',
    empty: 0,
    role: 'founder',
    source: sql('conversion.sql'),
    metric: 'pledgr_conversion_cohort',
  },
  {
    field: 'conversionConverted',
    label: 'Converted',
    unit: 'count',
    help: 'Of the cohort, users with a pledge created within 30 days of registering (strictly less than 30 days).',
    empty: 0,
    role: 'founder',
    source: sql('conversion.sql'),
    metric: 'pledgr_conversion_converted',
  },
  {
    field: 'conversionRate',
    label: '30-day conversion',
    unit: 'ratio',
    help: 'Converted ÷ cohort. Not final (immature) until 30 days after the period ends. Empty (—) with no cohort.',
    empty: null,
    role: 'founder',
    source: 'conversionConverted / conversionCohort',
    metric: 'pledgr_conversion_ratio',
  },
  {
    field: 'conversionMature',
    label: 'Conversion final',
    unit: 'boolean',
    help: 'True once the period ended at least 30 days before the as-of instant, so no cohort member can still convert.',
    empty: false,
    role: 'founder',
    source: 'periodEnd + 30 days <= asOf',
    metric: 'pledgr_conversion_mature',
  },
  {
    field: 'arpuCents',
    label: 'ARPU',
    unit: 'cents',
    help: 'Average revenue per user: MRR at end ÷ users at end (unrounded). Empty (—) with no users.',
    empty: null,
    role: 'founder',
    source: 'mrrEndCents / usersAtEnd',
    metric: 'pledgr_arpu_cents',
  },
  {
    field: 'arppuCents',
    label: 'ARPPU',
    unit: 'cents',
    help: 'Average revenue per paying user: MRR at end ÷ pledgers at end (unrounded). Empty (—) with no pledgers.',
    empty: null,
    role: 'founder',
    source: 'mrrEndCents / pledgersAtEnd',
    metric: 'pledgr_arppu_cents',
  },
];

export function kpiDefinition(field: KpiDefinition['field']): KpiDefinition {
  const definition = kpiCatalog.find((entry) => entry.field === field);
  if (!definition) throw new Error(`no KPI named ${field}`);
  return definition;
}

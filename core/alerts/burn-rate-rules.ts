// The SLO catalog's burn-rate alerts as catalog rules: one rule per objective and row of the SRE workbook's
// table (core/slo/burn-rate-alerts.ts), e.g. PledgeApiAvailabilityBudgetBurnFast. Each reads one input —
// the smaller of the row's two windows' burn rates — so "burn > factor over both windows" is the plain
// comparison `input > factor`, evaluated by the collector and generated for Prometheus like every rule.
import { type BurnRowName, burnAlertName, burnFactor, burnRateAlertTable } from '../slo/burn-rate-alerts.ts';
import { type SloDefinition, type SloId, sloIds } from '../slo/slo-catalog.ts';
import type { AlertRule, AlertUnit } from './rules.ts';
import type { AlertThresholds } from './thresholds.ts';

/** The input a burn-rate rule reads: `${slo}Burn${row}`, e.g. PledgeApiAvailabilityBurnFast. */
export type BurnInput = `${SloId}Burn${BurnRowName}`;

export function burnInputName(slo: SloId, row: BurnRowName): BurnInput {
  return `${slo}Burn${row}`;
}

/** Every burn input with its unit and help, for the input table (`alertInputs`). */
export const burnInputs = Object.fromEntries(
  sloIds.flatMap((slo) =>
    burnRateAlertTable.map((row) => [
      burnInputName(slo, row.name),
      {
        unit: 'factor' as AlertUnit,
        help: `The smaller of the burn rates of ${slo}'s error budget over ${row.longWindow} and ${row.shortWindow} (error ratio ÷ (1 − objective); 1 spends the budget exactly over the SLO window). Unknown while either window has no traffic or is longer than the health kept.`,
      },
    ]),
  ),
) as Readonly<Record<BurnInput, { readonly unit: AlertUnit; readonly help: string }>>;

const humanWindow = (seconds: number) =>
  seconds % 86_400 === 0 ? `${seconds / 86_400}-day` : `${seconds / 3_600}-hour`;

/** What to do next when an error budget burns: find where, stop the bleeding, then the cause. */
const burnAction = (slo: SloDefinition): readonly string[] => [
  `GET /api/slo (dashboard: Live health → Service-level objectives) shows ${slo.id}'s burn rate over every window and how much of the budget is left`,
  slo.sli.kind === 'latency'
    ? 'Live health: latency by route and the slowest database queries — find what got slow'
    : 'Live health: errors by route and the collector log — find the failing route and its first error',
  'A deploy or rollout in progress: compare canary with stable (pulse rollout) and roll back first, investigate after',
  'A page means the budget goes in hours or days: act now; a ticket means a slow leak: fix within the week',
];

export function burnRateRules(slos: readonly SloDefinition[], t: AlertThresholds): AlertRule[] {
  return slos.flatMap((slo) =>
    burnRateAlertTable.map((row): AlertRule => {
      const factor = burnFactor(row, slo);
      const page = row.severity === 'page';
      const budget = `${row.budgetSpent * 100} % of the ${humanWindow(slo.windowSeconds)} error budget`;
      return {
        name: burnAlertName(slo, row),
        severity: page ? 'critical' : 'warning',
        forSeconds: t.sloBurn.forSeconds,
        audience: 'operator',
        input: burnInputName(slo.id, row.name),
        comparison: '>',
        threshold: factor,
        // It resolves within its short window once the burn stops; the keep-firing time keeps a burn that
        // hovers at the factor from paging and resolving at every evaluation.
        keepFiringForSeconds: page ? t.sloBurn.pageKeepFiringSeconds : t.sloBurn.ticketKeepFiringSeconds,
        guards: [],
        summary: `${slo.id}: error budget burning at {{value}} over ${row.longWindow} and ${row.shortWindow} (${page ? 'pages' : 'tickets'} above {{threshold}}: ${budget} spent in ${row.longWindow})`,
        action: burnAction(slo),
      };
    }),
  );
}

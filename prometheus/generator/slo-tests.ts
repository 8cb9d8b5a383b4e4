// The promtool unit tests of the burn-rate alerts, generated from the SLO catalog and the workbook's table
// (every number below is derived from a row's factor and windows, none written down): for the availability
// objective, a fast burn at 1.5 × the fastest page's factor pages once its long window has spent the
// row's share of the budget — not before — and resolves after its short window and keep-firing time, with no
// other row firing; a blip that the short window alone would page on, spending less than that share, fires
// nothing; a slow leak between the tickets' and the pages' factors fires every ticket and never a page. The
// latency objective (from the histogram bucket of its bound) and pledge writes (4xx excluded) each page on
// a fast burn with the expected value. The recordings of a window without traffic are absent, a window
// without errors records 0. Before the fast burn and the blip the service ran clean just long enough (whole
// hours) that no other row's long window could reach 0.8 × its factor: a fresh Prometheus with less data
// would ticket on them. A sample every 2.5 min, an evaluation every 5 (the leak lasts over 3 days).
import { burnAlertName, burnFactor, burnRateAlertTable } from '../../core/slo/burn-rate-alerts.ts';
import { type SloDefinition, sloCatalog } from '../../core/slo/slo-catalog.ts';
import { burnWindows } from '../../core/slo/slo-windows.ts';
import type { PromAlertRule } from './alert-rules.ts';
import type { PromtoolTestGroup } from './alert-tests.ts';
import { renderTemplate } from './render-template.ts';
import { sloSeries as recorded, sloBurnRateRecord, sloErrorRatioRecord } from './slo-recording-rules.ts';
import { type Phase, sloSeries, sloTestEvaluationSeconds, sloTestStepSeconds } from './slo-test-series.ts';

const step = sloTestStepSeconds;
function steps(seconds: number): number {
  if (seconds % step !== 0) throw new Error(`${seconds} s is not a whole number of ${step} s samples`);
  return seconds / step;
}
/** An evaluation time, which must fall on the evaluation grid (else promtool judges the step before). */
function at(stepIndex: number): string {
  const seconds = stepIndex * step;
  if (seconds % sloTestEvaluationSeconds !== 0) throw new Error(`${seconds} s is off the evaluation grid`);
  return `${seconds}s`;
}
const tidy = (value: number) => Number(value.toPrecision(10));

/** `5m` → 300, as promDuration writes them. */
function durationSeconds(duration: string): number {
  const match = /^(\d+)([smh])$/.exec(duration);
  if (!match) throw new Error(`unexpected duration ${duration}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
}

const rowNamed = (name: string) => {
  const row = burnRateAlertTable.find((r) => r.name === name);
  if (!row) throw new Error(`no ${name} row in the burn-rate table`);
  return row;
};
const fast = rowNamed('Fast');
const longest = Math.max(...burnRateAlertTable.map((row) => burnWindows[row.longWindow]));

/** The phases for a burn rate (error ratio = burn × (1 − objective)). */
const burning = (slo: SloDefinition, seconds: number, burn: number): Phase => ({
  samples: steps(seconds),
  errorRatio: tidy(burn * (1 - slo.objective)),
});

function ruleOf(rules: ReadonlyMap<string, PromAlertRule>, name: string): PromAlertRule {
  const rule = rules.get(name);
  if (!rule) throw new Error(`${name} is not among the generated alerts`);
  return rule;
}

/** The exact alert promtool must see, its annotations rendered at `value`. */
function firing(rule: PromAlertRule, value: number) {
  const render = (text: string) => renderTemplate(text, value, rule.labels);
  return {
    exp_labels: { ...rule.labels },
    exp_annotations: {
      summary: render(rule.annotations.summary),
      description: render(rule.annotations.description),
      action: rule.annotations.action,
    },
  };
}

const quiet = (alertname: string, stepIndex: number) => ({
  eval_time: at(stepIndex),
  alertname,
  exp_alerts: [],
});

/** count(ALERTS{firing}) of one alert: 1 while it fires (its value is not known exactly there). */
const firingCount = (alertname: string, stepIndex: number, fires: boolean) => ({
  expr: `count(ALERTS{alertname="${alertname}", alertstate="firing"})`,
  eval_time: at(stepIndex),
  exp_samples: fires ? [{ labels: '{}', value: 1 }] : [],
});

/** No sample of these alerts, in any state, from the start up to `stepIndex`. */
const neverFired = (names: readonly string[], stepIndex: number) => ({
  expr: `count_over_time(ALERTS{alertname=~"${names.join('|')}"}[${(stepIndex + 1) * step}s])`,
  eval_time: at(stepIndex),
  exp_samples: [],
});

const otherRows = (slo: SloDefinition, except: string) =>
  burnRateAlertTable.filter((row) => row.name !== except).map((row) => burnAlertName(slo, row));

/**
 * How long the service must have run clean before `burn` is sustained for `seconds` so that no row but
 * `except` averages more than 0.8 × its factor over its long window (which covers the clean history too):
 * whole hours. Throws when no history is long enough (the scenario would fire that row by itself).
 */
function quietHistory(slo: SloDefinition, burn: number, seconds: number, except?: string): number {
  let history = 0;
  for (const row of burnRateAlertTable) {
    if (row.name === except) continue;
    const long = burnWindows[row.longWindow];
    const covered = (burn * Math.min(seconds, long)) / (0.8 * burnFactor(row, slo));
    if (covered >= long) throw new Error(`${slo.id}: the scenario fires ${row.name} whatever came before`);
    history = Math.max(history, covered - seconds);
  }
  return Math.ceil(history / 3600) * 3600;
}

function fastBurn(slo: SloDefinition, rules: ReadonlyMap<string, PromAlertRule>): PromtoolTestGroup {
  const factor = burnFactor(fast, slo);
  const burn = tidy(1.5 * factor);
  const [long, short] = [burnWindows[fast.longWindow], burnWindows[fast.shortWindow]];
  const name = burnAlertName(slo, fast);
  const keepSeconds = durationSeconds(ruleOf(rules, name).keep_firing_for ?? '0s');
  // Clean, then burning until both windows have been full of it for a short window.
  const duration = long + 2 * short;
  const history = quietHistory(slo, burn, duration, fast.name);
  const start = steps(history);
  const end = start + steps(duration);
  const fireAfter = steps(Math.round((long * factor) / burn));
  const resolved = end + steps(2 * (short + keepSeconds));
  return {
    name: `${name}: after ${history / 3600} h clean, a burn at ${burn}× pages once ${fast.longWindow} has spent ${fast.budgetSpent * 100} % of the budget (after ${(fireAfter * step) / 60} min), resolves after ${fast.shortWindow} + keep_firing_for, no other row fires`,
    interval: `${step}s`,
    input_series: sloSeries(slo, [
      burning(slo, history, 0),
      burning(slo, duration, burn),
      burning(slo, (resolved - end) * step, 0),
    ]),
    alert_rule_test: [
      quiet(name, start + fireAfter - steps(short)),
      {
        eval_time: at(start + steps(long + short)),
        alertname: name,
        exp_alerts: [firing(ruleOf(rules, name), burn)],
      },
      quiet(name, resolved),
    ],
    promql_expr_test: [
      firingCount(name, start + fireAfter + steps(short), true),
      neverFired(otherRows(slo, fast.name), resolved),
    ],
  };
}

function blip(slo: SloDefinition): PromtoolTestGroup {
  const [long, short] = [burnWindows[fast.longWindow], burnWindows[fast.shortWindow]];
  const duration = 2 * short;
  // 75 % of what the fastest page's long window may spend, all within two short windows.
  const burn = tidy((0.75 * burnFactor(fast, slo) * long) / duration);
  const spent = (burn * duration) / slo.windowSeconds;
  if (spent >= fast.budgetSpent) throw new Error(`${slo.id}: the blip spends ${spent} of the budget`);
  const history = quietHistory(slo, burn, duration);
  const start = steps(history);
  const end = start + steps(duration) + steps(long + short);
  const names = burnRateAlertTable.map((row) => burnAlertName(slo, row));
  return {
    name: `${slo.id}: after ${history / 3600} h clean, a blip at ${burn}× for ${duration / 60} min (${tidy(spent * 100)} % of the budget) fires no burn-rate alert, though ${fast.shortWindow} alone burns past ${burnFactor(fast, slo)}`,
    interval: `${step}s`,
    input_series: sloSeries(slo, [
      burning(slo, history, 0),
      burning(slo, duration, burn),
      burning(slo, (end - start) * step - duration, 0),
    ]),
    promql_expr_test: [
      {
        expr: `${recorded(sloBurnRateRecord(fast.shortWindow), slo)} > bool ${burnFactor(fast, slo)}`,
        eval_time: at(start + steps(duration)),
        exp_samples: [{ labels: `{slo="${slo.id}"}`, value: 1 }],
      },
      neverFired(names, end),
    ],
  };
}

function slowLeak(slo: SloDefinition, rules: ReadonlyMap<string, PromAlertRule>): PromtoolTestGroup {
  const factors = burnRateAlertTable.map((row) => ({ row, factor: burnFactor(row, slo) }));
  const tickets = factors.filter((f) => f.row.severity === 'ticket');
  const pages = factors.filter((f) => f.row.severity === 'page');
  const burn = tidy(
    (Math.max(...tickets.map((f) => f.factor)) + Math.min(...pages.map((f) => f.factor))) / 2,
  );
  const duration = longest + burnWindows[fast.longWindow];
  const end = steps(duration);
  return {
    name: `${slo.id}: a leak at ${burn}× for ${duration / 3600} h fires every ticket (${tickets.map((f) => `${f.factor}×`).join(', ')}) and never a page (${pages.map((f) => `${f.factor}×`).join(', ')})`,
    interval: `${step}s`,
    input_series: sloSeries(slo, [burning(slo, duration, burn)]),
    alert_rule_test: tickets.map(({ row }) => ({
      eval_time: at(end),
      alertname: burnAlertName(slo, row),
      exp_alerts: [firing(ruleOf(rules, burnAlertName(slo, row)), burn)],
    })),
    promql_expr_test: [
      neverFired(
        pages.map(({ row }) => burnAlertName(slo, row)),
        end,
      ),
    ],
  };
}

/** A fast burn of a non-availability objective: it pages with its value; the availability page does not. */
function otherSli(
  slo: SloDefinition,
  rules: ReadonlyMap<string, PromAlertRule>,
  availability: SloDefinition,
): PromtoolTestGroup {
  const burn = tidy(1.5 * burnFactor(fast, slo));
  const [long, short] = [burnWindows[fast.longWindow], burnWindows[fast.shortWindow]];
  const end = steps(long + short);
  const name = burnAlertName(slo, fast);
  const what =
    slo.sli.kind === 'latency'
      ? `${tidy(burn * (1 - slo.objective) * 100)} % of requests slower than the le="${slo.sli.thresholdSeconds}" bucket`
      : `${tidy(burn * (1 - slo.objective) * 100)} % of pledge writes failing 5xx, besides as many 4xx (excluded) and 5xx pledge reads`;
  return {
    name: `${name}: ${what} page at ${burn}×`,
    interval: `${step}s`,
    input_series: sloSeries(slo, [burning(slo, long + short, burn)]),
    alert_rule_test: [
      { eval_time: at(end), alertname: name, exp_alerts: [firing(ruleOf(rules, name), burn)] },
      ...(slo.sli.kind === 'latency' ? [quiet(burnAlertName(availability, fast), end)] : []),
    ],
    promql_expr_test:
      slo.sli.kind === 'latency'
        ? [
            // No 5xx series at all: availability's ratio is 0, not absent; no pledge write: no ratio.
            {
              expr: recorded(sloErrorRatioRecord(fast.shortWindow), availability),
              eval_time: at(end),
              exp_samples: [
                {
                  labels: `${sloErrorRatioRecord(fast.shortWindow)}{slo="${availability.id}"}`,
                  value: 0,
                },
              ],
            },
            ...sloCatalog
              .filter((s) => s.sli.kind === 'pledgeWrites')
              .map((writes) => ({
                expr: recorded(sloErrorRatioRecord(fast.shortWindow), writes),
                eval_time: at(end),
                exp_samples: [],
              })),
          ]
        : [],
  };
}

export function sloTestGroups(
  rules: readonly PromAlertRule[],
  slos: readonly SloDefinition[] = sloCatalog,
): PromtoolTestGroup[] {
  const byName = new Map(rules.map((rule) => [rule.alert, rule]));
  const availability = slos.find((slo) => slo.sli.kind === 'availability');
  if (!availability) throw new Error('the SLO catalog has no availability objective');
  return [
    fastBurn(availability, byName),
    blip(availability),
    slowLeak(availability, byName),
    ...slos.filter((slo) => slo !== availability).map((slo) => otherSli(slo, byName, availability)),
  ];
}

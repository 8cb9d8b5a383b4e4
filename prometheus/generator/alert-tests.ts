// The promtool unit tests of the generated alerts, generated from the same catalog so a new rule gets its
// tests with it. For each rule: it fires after `for` with its labels and exact annotations; it is quiet
// before `for`, just below its threshold, and while each guard fails. Values just past a threshold are
// exact for gauges (threshold ± one step) and 1.2× / 0.9× the threshold for figures that go through rate()
// (floating point: a ratio of rates can land a hair either side of an exact threshold).
// No flapping: once fired, the figure swings either side of the threshold (between it and the resolve
// threshold, or below it for less than the keep-firing time) and the alert stays firing at every evaluation
// — one firing, not many; it resolves once past the resolve threshold, or after the keep-firing time.
import type { AlertCondition, AlertInput, AlertRule } from '../../core/alerts/rules.ts';
import type { PromAlertRule } from './alert-rules.ts';
import { promInputs } from './prom-inputs.ts';
import { renderTemplate } from './render-template.ts';
import { scrapeIntervalSeconds } from './settings.ts';
import {
  agentScrapes,
  type Fixture,
  fixtureFor,
  type InputSeries,
  kpiStaleness,
  type Level,
  precision,
  type Run,
} from './test-fixtures.ts';

export interface PromtoolTestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: InputSeries[];
  readonly alert_rule_test?: { eval_time: string; alertname: string; exp_alerts: ExpectedAlert[] }[];
  readonly promql_expr_test?: { expr: string; eval_time: string; exp_samples: ExpectedSample[] }[];
}

interface ExpectedAlert {
  readonly exp_labels: Record<string, string>;
  readonly exp_annotations: Record<string, string>;
}

interface ExpectedSample {
  readonly labels: string;
  readonly value: number;
}

const step = scrapeIntervalSeconds;
const seconds = (value: number) => `${value}s`;

/** Values on either side of a condition's threshold: `pass` makes it hold, `fail` not. */
function sides(condition: AlertCondition): { pass: number; fail: number } {
  const how = precision[condition.input];
  if (!how) throw new Error(`no test precision for ${condition.input}`);
  const t = condition.threshold;
  const tidy = (value: number) => Number(value.toPrecision(10));
  if (!how.exact && t <= 0) throw new Error(`${condition.input}: a rate threshold must be positive`);
  const above = how.exact
    ? { strict: tidy(t + how.step), loose: t }
    : { strict: tidy(1.2 * t), loose: tidy(1.2 * t) };
  const below = how.exact
    ? { strict: tidy(t - how.step), loose: t }
    : { strict: tidy(0.9 * t), loose: tidy(0.9 * t) };
  switch (condition.comparison) {
    case '>':
      return { pass: above.strict, fail: below.loose };
    case '>=':
      return { pass: above.loose, fail: below.strict };
    case '<':
      return { pass: below.strict, fail: above.loose };
    case '<=':
      return { pass: below.loose, fail: above.strict };
  }
}

interface Scenario {
  readonly values: Map<AlertInput, Level>;
  readonly decoys: Map<AlertInput, number>;
}

/** Main condition on `main`, every guard passing, then `override` (a failing guard) applied last. */
function scenario(rule: AlertRule, main: Level, decoy: number, override?: [AlertInput, number, number]) {
  const values = new Map<AlertInput, Level>([[rule.input, main]]);
  const decoys = new Map<AlertInput, number>([[rule.input, decoy]]);
  for (const guard of rule.guards) {
    if (guard.input === rule.input) continue;
    const { pass, fail } = sides(guard);
    values.set(guard.input, pass);
    decoys.set(guard.input, fail);
  }
  if (override) {
    values.set(override[0], override[1]);
    decoys.set(override[0], override[2]);
  }
  return { values, decoys } satisfies Scenario;
}

function expectedAlert(prom: PromAlertRule, fixture: Fixture, value: number): ExpectedAlert {
  const labels = { ...fixture.alertLabels, ...prom.labels };
  const render = (text: string) => renderTemplate(text, value, labels);
  return {
    exp_labels: labels,
    exp_annotations: {
      summary: render(prom.annotations.summary),
      description: render(prom.annotations.description),
      action: prom.annotations.action,
    },
  };
}

function group(
  name: string,
  prom: PromAlertRule,
  fixture: Fixture,
  checks: { at: number; fires: boolean; value?: number }[],
): PromtoolTestGroup {
  return {
    name,
    interval: seconds(step),
    input_series: fixture.series,
    alert_rule_test: checks.map((check) => ({
      eval_time: seconds(check.at),
      alertname: prom.alert,
      exp_alerts: check.fires ? [expectedAlert(prom, fixture, check.value ?? 0)] : [],
    })),
  };
}

/**
 * Staleness rules: the window is the threshold; `for` is 0 in the catalog. The times stay a scrape away from
 * the window's edges: Prometheus 2 selects [t − w, t], Prometheus 3 (compose's image) (t − w, t].
 */
function windowTests(rule: AlertRule, prom: PromAlertRule): PromtoolTestGroup[] {
  const window = rule.threshold;
  if (rule.input === 'healthAgeSeconds') {
    // agent-1 answers at 0 s and 15 s, then never: every scrape in the window fails from 15 s + window on.
    const fixture = agentScrapes(2);
    return [
      group(
        `${rule.name}: fires once every scrape in ${window} s failed, not while one succeeded`,
        prom,
        fixture,
        [
          { at: step + window - step, fires: false },
          { at: step + window + step, fires: true },
        ],
      ),
    ];
  }
  if (rule.input === 'kpiAgeSeconds') {
    const staleFrom = 4 * step;
    return [
      group(
        `${rule.name}: fires when every scrape for ${window} s was stale, not before`,
        prom,
        kpiStaleness(4),
        [
          { at: staleFrom + window - 2 * step, fires: false },
          { at: staleFrom + window + step, fires: true, value: 1 },
        ],
      ),
      group(
        `${rule.name}: quiet while Prometheus has not watched for ${window} s yet`,
        prom,
        kpiStaleness(0),
        [
          { at: window - step, fires: false },
          { at: window + 4 * step, fires: true, value: 1 },
        ],
      ),
    ];
  }
  throw new Error(`${rule.name}: no staleness test for ${rule.input}`);
}

/** Between the resolve threshold and the threshold, and as far past the resolve threshold (hysteresis). */
function hysteresisValues(rule: AlertRule, resolve: number): { between: number; clear: number } {
  if (!rule.comparison.startsWith('>')) throw new Error(`${rule.name}: hysteresis tests take '>' or '>='`);
  const tidy = (value: number) => Number(value.toPrecision(10));
  return { between: tidy((rule.threshold + resolve) / 2), clear: tidy(resolve - (rule.threshold - resolve)) };
}

function noFlappingTests(rule: AlertRule, prom: PromAlertRule): PromtoolTestGroup {
  const { pass, fail } = sides(rule);
  const resolve = rule.resolveThreshold;
  const keep = rule.keepFiringForSeconds ?? 0;
  const { between, clear } =
    resolve === undefined ? { between: fail, clear: fail } : hysteresisValues(rule, resolve);
  // A rate holds a run's value once its [1m] window lies inside the run: runs of 5 scrapes for rates.
  const run = precision[rule.input]?.exact ? 1 : 5;
  const fireAt = rule.forSeconds + 4 * step;
  const swings = 4;
  const swingEnd = fireAt + 2 * swings * run * step;
  const resolvedBy = swingEnd + keep + 6 * step;
  const runs: Run[] = [{ value: pass, samples: fireAt / step + 1 }];
  for (let i = 0; i < swings; i += 1)
    runs.push({ value: between, samples: run }, { value: pass, samples: run });
  runs.push({ value: clear, samples: Math.max(80, (resolvedBy - swingEnd) / step + 10) });
  const fixture = fixtureFor(rule.input, scenario(rule, runs, clear));
  const alerts = `ALERTS{alertname="${rule.name}", alertstate="firing"}`;
  // From 5 s before the first firing evaluation to the last swing: no sample sits on the window's edge.
  const window = swingEnd - fireAt + 5;
  const swing =
    resolve === undefined
      ? `${pass} and ${between} (below for less than its keep_firing_for)`
      : `${pass} and ${between} (between the resolve threshold ${resolve} and the threshold)`;
  const stop = resolve === undefined ? `${keep} s after the condition stops` : `at ${clear}`;
  const firingAt = (at: number, count: number) => ({
    expr: `count(${alerts})`,
    eval_time: seconds(at),
    exp_samples: count > 0 ? [{ labels: '{}', value: count }] : [],
  });
  return {
    name: `${prom.alert}: swinging between ${swing} fires once and stays firing at every evaluation; resolves ${stop}`,
    interval: seconds(step),
    input_series: fixture.series,
    promql_expr_test: [
      {
        expr: `sum(count_over_time(${alerts}[${window}s]))`,
        eval_time: seconds(swingEnd),
        exp_samples: [{ labels: '{}', value: (swingEnd - fireAt) / step + 1 }],
      },
      ...(keep > 0 ? [firingAt(swingEnd + keep, 1)] : []),
      firingAt(resolvedBy, 0),
    ],
  };
}

export function alertTests(rule: AlertRule, prom: PromAlertRule): PromtoolTestGroup[] {
  if (promInputs[rule.input].kind === 'window') return windowTests(rule, prom);
  return [...thresholdTests(rule, prom), noFlappingTests(rule, prom)];
}

function thresholdTests(rule: AlertRule, prom: PromAlertRule): PromtoolTestGroup[] {
  const { pass, fail } = sides(rule);
  // Rates need a full window (4 scrapes) before they hold their value: judge a minute after `for`.
  const fireAt = rule.forSeconds + 4 * step;
  const fires = fixtureFor(rule.input, scenario(rule, pass, fail));
  const tests = [
    group(
      `${rule.name}: fires at ${rule.input} ${pass}${rule.forSeconds > 0 ? ` after ${rule.forSeconds} s, not before` : ''}`,
      prom,
      fires,
      rule.forSeconds > 0
        ? [
            { at: rule.forSeconds - step, fires: false },
            { at: fireAt, fires: true, value: pass },
          ]
        : [{ at: fireAt, fires: true, value: pass }],
    ),
    group(
      `${rule.name}: quiet at ${rule.input} ${fail}`,
      prom,
      fixtureFor(rule.input, scenario(rule, fail, pass)),
      [{ at: fireAt, fires: false }],
    ),
  ];
  for (const guard of rule.guards) {
    const { pass: guardPass, fail: guardFail } = sides(guard);
    tests.push(
      group(
        `${rule.name}: quiet while ${guard.input} ${guard.comparison} ${guard.threshold} fails (${guardFail})`,
        prom,
        fixtureFor(rule.input, scenario(rule, pass, fail, [guard.input, guardFail, guardPass])),
        [{ at: fireAt, fires: false }],
      ),
    );
  }
  return tests;
}

// Rollouts as Pledgr's scaling guide writes them ("Deployment Strategies" in ../shared/SCALING-GUIDE.md; its
// steps in the guide's words and the shares below: core/scaling/rollout-guide.ts): which step the operator is
// on, and the verdict for that step with the next action in plain words. Pure: it reads a HealthReport (the
// scraper's or Prometheus's, so both sources walk the same way) — the canary comparison for error ratio and
// p95, and the per-instance request rates for each side's share of the traffic.
//
// The step comes from the candidate's share of requests over the last minute (`recentSeconds`):
//   canary      0 → below 5 % − tolerance: step 1; about 5 %: step 2; above: step 3; ≥ fullShare: step 4.
//   blue-green  green up, under half the traffic: step 2 (step 1 is done once green is up); from half to
//               fullShare: step 3; ≥ fullShare: step 4; a failing comparison after the switch started: step 5.
// A degraded comparison fails whatever step is current and says to roll back.

import { alertThresholds } from '../../core/alerts/thresholds.ts';
import {
  defaultRolloutOptions,
  guideRollouts,
  type RolloutOptions,
  type RolloutStrategy,
} from '../../core/scaling/rollout-guide.ts';
import type { CanaryComparison, HealthReport, InstanceHealth } from './types.ts';

/** pass: the step's condition holds; wait: not enough to judge yet; warn: off the guide's path; fail: roll back. */
export type StepVerdict = 'pass' | 'wait' | 'warn' | 'fail';
export type StepState = 'done' | 'current' | 'upcoming' | 'failed' | 'not_needed';

export interface RolloutStep {
  readonly number: number;
  /** The guide's words. */
  readonly title: string;
  /** What Pulse measures to judge this step. */
  readonly measures: string;
  readonly state: StepState;
}

export interface RolloutWalk {
  readonly strategy: RolloutStrategy;
  /** The guide's heading: "Canary Deployment" or "Blue-Green Deployment". */
  readonly title: string;
  readonly steps: readonly RolloutStep[];
  /** 1-based number of the step the operator is on. */
  readonly currentStep: number;
  readonly verdict: StepVerdict;
  /** What was measured for the current step, with the numbers. */
  readonly summary: string;
  /** What to do next, in plain words. */
  readonly nextAction: string;
}

export interface RolloutReport {
  /** False when every instance runs one version and colour: no rollout in progress. */
  readonly active: boolean;
  /** The strategy the deployment labels suggest (two deployment_color values → blue-green); the panel may show the other. */
  readonly suggested: RolloutStrategy;
  readonly suggestedBecause: string;
  readonly splitBy: CanaryComparison['splitBy'] | null;
  readonly baseline: string | null;
  readonly candidate: string | null;
  /** Seconds of the newest part of the window the shares are read over. */
  readonly recentSeconds: number;
  /** Candidate requests ÷ all requests over the recent span; null without requests there. */
  readonly candidateShare: number | null;
  /** The same share over the first recent span of the window that had requests; null without any. */
  readonly candidateShareAtStart: number | null;
  readonly candidateInstancesUp: number;
  readonly baselineInstancesUp: number;
  readonly canary: RolloutWalk;
  readonly blueGreen: RolloutWalk;
}

/** GET /api/health's answer: the HealthReport of DESIGN.md with `rollout` added. */
export interface HealthResponse extends HealthReport {
  readonly rollout: RolloutReport | null;
}

const measures: Record<RolloutStrategy, readonly string[]> = {
  canary: [
    "The candidate's share of requests over the last minute (request counts by version): about 5 %.",
    'Candidate against baseline over the window: error ratio and p95, once each side has enough requests.',
    "The candidate's share rising above the 5 % step while the comparison stays healthy.",
    'Only the new version serving (the baseline under 1 % of requests) and the comparison healthy.',
  ],
  'blue-green': [
    'Instances of the new version (green) up beside blue, with little or no traffic.',
    'Requests green answered (test traffic): enough of them, none a 5xx.',
    "Green's share of requests over the last minute: the switch is done at 99 %.",
    "Green now against blue before the switch (the window's comparison); against the alert thresholds when blue has no requests in the window.",
    'When the monitor fails: traffic back to blue.',
  ],
};

/** 0.05 → "5 %", 0.0667 → "6.7 %", 0.3 → "30 %". */
const pct = (share: number | null) =>
  share === null ? 'n/a' : `${(share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0).replace(/\.0$/, '')} %`;
const ratio = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(2)} %`);
const ms = (value: number | null) => (value === null ? 'n/a' : `${(value * 1000).toFixed(1)} ms`);

interface Shares {
  readonly now: number | null;
  readonly atStart: number | null;
  readonly candidateUp: number;
  readonly baselineUp: number;
}

const groupOf = (instance: InstanceHealth, splitBy: CanaryComparison['splitBy']) =>
  (splitBy === 'version' ? instance.version : instance.color) ?? 'unlabelled';

/** Requests per point time (rate × step), candidate and all, from the per-instance series. */
function readShares(report: HealthReport, canary: CanaryComparison, options: RolloutOptions): Shares {
  const step = report.stepSeconds;
  const byTime = new Map<number, { candidate: number; all: number }>();
  let candidateUp = 0;
  let baselineUp = 0;
  for (const instance of report.instances) {
    const isCandidate = groupOf(instance, canary.splitBy) === canary.candidate;
    if (instance.up) {
      if (isCandidate) candidateUp++;
      else baselineUp++;
    }
    for (const point of instance.points) {
      if (point.requestsPerSecond === null) continue;
      const requests = point.requestsPerSecond * step;
      const entry = byTime.get(point.t) ?? { candidate: 0, all: 0 };
      entry.all += requests;
      if (isCandidate) entry.candidate += requests;
      byTime.set(point.t, entry);
    }
  }
  const span = Math.max(options.recentSeconds, 3 * step) * 1000;
  const shareOver = (from: number, to: number) => {
    let candidate = 0;
    let all = 0;
    for (const [t, entry] of byTime) {
      if (t > from && t <= to) {
        candidate += entry.candidate;
        all += entry.all;
      }
    }
    return all > 0 ? candidate / all : null;
  };
  const times = [...byTime].filter(([, entry]) => entry.all > 0).map(([t]) => t);
  const first = times.length > 0 ? Math.min(...times) : null;
  return {
    now: shareOver(report.generatedAt - span, report.generatedAt),
    atStart: first === null ? null : shareOver(first - 1, first - 1 + span),
    candidateUp,
    baselineUp,
  };
}

function walk(
  strategy: RolloutStrategy,
  current: number,
  verdict: StepVerdict,
  summary: string,
  nextAction: string,
  marks: { readonly failed?: number; readonly notNeeded?: number } = {},
): RolloutWalk {
  const guide = guideRollouts[strategy];
  const steps = guide.steps.map((title, index): RolloutStep => {
    const number = index + 1;
    let state: StepState;
    if (number === current) state = 'current';
    else if (number === marks.failed) state = 'failed';
    else if (number === marks.notNeeded) state = 'not_needed';
    else if (number < current && (marks.failed === undefined || number < marks.failed)) state = 'done';
    else state = 'upcoming';
    return { number, title, measures: measures[strategy][index] as string, state };
  });
  return { strategy, title: guide.title, steps, currentStep: current, verdict, summary, nextAction };
}

/** The comparison's figures in one sentence: error ratio and p95, candidate against baseline. */
function comparisonFigures(c: CanaryComparison): string {
  return (
    `${c.candidate}: error ratio ${ratio(c.candidateErrorRatio)}, p95 ${ms(c.candidateP95)} over ${c.candidateRequests} requests; ` +
    `${c.baseline}: ${ratio(c.baselineErrorRatio)}, ${ms(c.baselineP95)} over ${c.baselineRequests}`
  );
}

const reasonsOf = (c: CanaryComparison) => c.reasons.join('; ');

function canaryWalk(c: CanaryComparison, s: Shares, o: RolloutOptions): RolloutWalk {
  const share = s.now;
  const low = o.canaryShare - o.shareTolerance;
  const high = o.canaryShare + o.shareTolerance;
  const about = `${pct(o.canaryShare)} (${pct(low)}–${pct(high)})`;
  const rollBack = `Roll back: route every request to ${c.baseline} and stop the ${c.candidate} instances; fix before trying again.`;
  const step = share === null || share < low ? 1 : share <= high ? 2 : share < o.fullShare ? 3 : 4;
  const shareText = `${c.candidate} gets ${pct(share)} of requests over the last minute`;

  if (c.verdict === 'degraded') {
    return walk('canary', step, 'fail', `${shareText}; the comparison fails: ${reasonsOf(c)}.`, rollBack);
  }
  if (share === null) {
    return walk(
      'canary',
      1,
      s.candidateUp > 0 ? 'wait' : 'warn',
      `No requests in the last minute, so no share to read (${s.candidateUp} ${c.candidate} instance(s) up).`,
      `Send traffic and route ${pct(o.canaryShare)} of users to ${c.candidate}.`,
    );
  }
  switch (step) {
    case 1:
      if (s.candidateUp === 0 && share === 0) {
        return walk(
          'canary',
          1,
          'warn',
          `No ${c.candidate} instance is up and it gets no requests.`,
          `Start the ${c.candidate} instances (DEPLOYMENT_CANARY=true), then route ${pct(o.canaryShare)} of users to them.`,
        );
      }
      return walk(
        'canary',
        1,
        share === 0 ? 'wait' : 'warn',
        share === 0
          ? `${c.candidate} is up but gets no requests yet; the guide starts at ${about}.`
          : `Too little: ${shareText}; the guide starts at ${about}.`,
        `Route ${pct(o.canaryShare)} of users to ${c.candidate}.`,
      );
    case 2:
      if (c.verdict === 'insufficient_data') {
        return walk(
          'canary',
          2,
          'wait',
          `${shareText}, about ${pct(o.canaryShare)}. Not enough traffic yet: ${reasonsOf(c)}.`,
          `Keep ${c.candidate} at ${pct(o.canaryShare)} until both sides have enough requests for a verdict.`,
        );
      }
      return walk(
        'canary',
        2,
        'pass',
        `${shareText}, about ${pct(o.canaryShare)}; healthy against the baseline — ${comparisonFigures(c)}.`,
        `Gradually increase: raise ${c.candidate}'s share (for example to 25 %), then check this panel again.`,
      );
    case 3: {
      if (c.verdict === 'insufficient_data') {
        return walk(
          'canary',
          3,
          'warn',
          `Too much, too early: ${shareText}, above the ${pct(o.canaryShare)} step, while the comparison has no verdict yet (${reasonsOf(c)}).`,
          `Go back to ${pct(o.canaryShare)} until the comparison has a verdict, then increase.`,
        );
      }
      const start = s.atStart;
      const trend =
        start !== null && share > start + 0.01
          ? `rising from ${pct(start)} at the start of the window to ${pct(share)}`
          : `holding at ${pct(share)}`;
      return walk(
        'canary',
        3,
        'pass',
        `${c.candidate}'s share is ${trend}; still healthy — ${comparisonFigures(c)}.`,
        `Keep increasing step by step (for example 25 %, 50 %, 100 %), checking this panel after each.`,
      );
    }
    default: {
      const retired = s.baselineUp === 0;
      if (c.verdict === 'insufficient_data') {
        return walk(
          'canary',
          4,
          'warn',
          `${shareText}, but the comparison had too little traffic to judge (${reasonsOf(c)}).`,
          `Watch ${c.candidate}'s error ratio and p95 before retiring ${c.baseline}; widen the window to include the canary phase.`,
        );
      }
      return walk(
        'canary',
        4,
        'pass',
        retired
          ? `Full deployment: only ${c.candidate} serves (${pct(share)}), and it stayed within the baseline's limits — ${comparisonFigures(c)}.`
          : `Full deployment: ${c.candidate} serves ${pct(share)} and stayed within the baseline's limits; ${s.baselineUp} ${c.baseline} instance(s) are still up, idle.`,
        retired
          ? 'Nothing left to do: the rollout is complete.'
          : `Retire the idle ${c.baseline} instances once you no longer need them to roll back.`,
      );
    }
  }
}

function blueGreenWalk(c: CanaryComparison, s: Shares, o: RolloutOptions, minRequests: number): RolloutWalk {
  const share = s.now;
  const green = c.candidate;
  const blue = c.baseline;
  const errors = Math.round((c.candidateErrorRatio ?? 0) * c.candidateRequests);
  const rollBack =
    s.baselineUp > 0
      ? `Roll back: switch traffic from "${green}" back to "${blue}" (${s.baselineUp} ${blue} instance(s) still up), then investigate ${green}.`
      : `Roll back: no ${blue} instance is up any more — redeploy ${blue} and switch traffic back to it, then investigate ${green}.`;
  const shareText = `${green} gets ${pct(share)} of requests over the last minute`;

  if (share === null || share < o.switchShare) {
    if (s.candidateUp === 0 && !(share !== null && share > 0)) {
      return walk(
        'blue-green',
        1,
        'warn',
        `No ${green} instance is up.`,
        `Deploy the new version to the "green" environment (DEPLOYMENT_COLOR=green), with no production traffic yet.`,
      );
    }
    const up = `${s.candidateUp} ${green} instance(s) up`;
    if (c.candidateRequests === 0) {
      return walk(
        'blue-green',
        2,
        'wait',
        `${up}; green has answered no requests in the window yet.`,
        `Test thoroughly: send test traffic to ${green} (for example \`pulse load\` against a green instance).`,
      );
    }
    if (errors > 0 || c.verdict === 'degraded') {
      return walk(
        'blue-green',
        2,
        'fail',
        `${up}; green answered ${c.candidateRequests} requests, ${errors} of them 5xx (${ratio(c.candidateErrorRatio)})` +
          `${c.verdict === 'degraded' ? `; against ${blue}: ${reasonsOf(c)}` : ''}.`,
        `Do not switch: fix ${green} and test again.`,
      );
    }
    if (c.candidateRequests < minRequests) {
      return walk(
        'blue-green',
        2,
        'wait',
        `${up}; green answered ${c.candidateRequests} of the ${minRequests} test requests needed, none a 5xx, p95 ${ms(c.candidateP95)}.`,
        `Keep testing ${green} until it has answered ${minRequests} requests.`,
      );
    }
    return walk(
      'blue-green',
      2,
      'pass',
      `${up}; green answered ${c.candidateRequests} requests without a 5xx, p95 ${ms(c.candidateP95)} (${blue}: ${ms(c.baselineP95)}).`,
      `Switch traffic from "${blue}" to "${green}".`,
    );
  }
  if (c.verdict === 'degraded') {
    const failed = share < o.fullShare ? 3 : 4;
    return walk(
      'blue-green',
      5,
      'fail',
      `${shareText}; ${green} fails against ${blue}: ${reasonsOf(c)}.`,
      rollBack,
      { failed },
    );
  }
  if (share < o.fullShare) {
    return walk(
      'blue-green',
      3,
      'wait',
      `Switch in progress: ${shareText}; ${blue} still gets ${pct(1 - share)}.`,
      `Finish the switch: send every request to ${green}.`,
    );
  }
  // Monitor for issues: green now against blue before the switch, or against the alert thresholds.
  if (c.candidateRequests < minRequests) {
    return walk(
      'blue-green',
      4,
      'wait',
      `Switched: ${shareText}. Not enough traffic yet on ${green}: ${c.candidateRequests} of ${minRequests} requests in the window.`,
      'Keep monitoring until green has enough requests for a verdict.',
    );
  }
  if (c.verdict === 'insufficient_data') {
    const limits = o.alertThresholds ?? alertThresholds;
    const problems: string[] = [];
    if ((c.candidateErrorRatio ?? 0) > limits.errors.warningRatio)
      problems.push(
        `error ratio ${ratio(c.candidateErrorRatio)} above the alert threshold ${ratio(limits.errors.warningRatio)}`,
      );
    if (c.candidateP95 !== null && c.candidateP95 > limits.latency.p95WarningSeconds)
      problems.push(
        `p95 ${ms(c.candidateP95)} above the alert threshold ${ms(limits.latency.p95WarningSeconds)}`,
      );
    if (problems.length > 0) {
      return walk(
        'blue-green',
        5,
        'fail',
        `${shareText}; ${blue} had too few requests in the window to compare with, and ${green} fails the alert thresholds: ${problems.join('; ')}.`,
        rollBack,
        { failed: 4 },
      );
    }
    return walk(
      'blue-green',
      4,
      'pass',
      `${shareText}; ${blue} had too few requests in the window to compare with, and ${green} is within the alert thresholds: error ratio ${ratio(c.candidateErrorRatio)}, p95 ${ms(c.candidateP95)}.`,
      `Keep "${blue}" up, idle, until you are confident; widen the window to compare with ${blue} before the switch.`,
      { notNeeded: 5 },
    );
  }
  return walk(
    'blue-green',
    4,
    'pass',
    `${shareText}; no issues against ${blue} before the switch — ${comparisonFigures(c)}.`,
    s.baselineUp > 0
      ? `Keep the ${s.baselineUp} "${blue}" instance(s) up, idle, until you are confident, then retire them.`
      : 'Nothing to roll back to and nothing wrong: the switch is complete.',
    { notNeeded: 5 },
  );
}

function idleWalks(report: HealthReport): Pick<RolloutReport, 'canary' | 'blueGreen'> {
  const versions = [...new Set(report.instances.map((i) => i.version ?? 'unlabelled'))].join(', ');
  const summary = `Every instance runs ${versions}: no rollout in progress.`;
  return {
    canary: walk(
      'canary',
      1,
      'wait',
      summary,
      'To start a canary, deploy the new version on a few instances (DEPLOYMENT_CANARY=true) and route 5% of users to them.',
    ),
    blueGreen: walk(
      'blue-green',
      1,
      'wait',
      summary,
      'To start a blue-green rollout, deploy the new version with DEPLOYMENT_COLOR=green beside the running ones (DEPLOYMENT_COLOR=blue), with no production traffic yet.',
    ),
  };
}

function suggest(report: HealthReport): Pick<RolloutReport, 'suggested' | 'suggestedBecause'> {
  const colors = new Set(report.instances.map((i) => i.color).filter((c): c is string => c !== null));
  if (colors.size > 1) {
    return {
      suggested: 'blue-green',
      suggestedBecause: `instances carry ${colors.size} deployment colours (${[...colors].sort().join(', ')})`,
    };
  }
  if (report.instances.some((i) => i.canary)) {
    return { suggested: 'canary', suggestedBecause: 'instances are labelled deployment_canary="true"' };
  }
  return {
    suggested: 'canary',
    suggestedBecause:
      'no deployment colours: versions side by side are read as a canary (choose blue-green if that is what you run)',
  };
}

/**
 * The rollout walk for a health report; `minRequests` is the canary comparison's minimum sample (the blue-green
 * test step asks for as many). Null when the report has no instance at all.
 */
export function rolloutOf(
  report: HealthReport,
  minRequests: number,
  options: RolloutOptions = defaultRolloutOptions,
): RolloutReport | null {
  if (report.instances.length === 0) return null;
  const recentSeconds = Math.max(options.recentSeconds, 3 * report.stepSeconds);
  const c = report.canary;
  if (c === null) {
    return {
      active: false,
      ...suggest(report),
      splitBy: null,
      baseline: null,
      candidate: null,
      recentSeconds,
      candidateShare: null,
      candidateShareAtStart: null,
      candidateInstancesUp: 0,
      baselineInstancesUp: report.instances.filter((i) => i.up).length,
      ...idleWalks(report),
    };
  }
  const shares = readShares(report, c, options);
  return {
    active: true,
    ...suggest(report),
    splitBy: c.splitBy,
    baseline: c.baseline,
    candidate: c.candidate,
    recentSeconds,
    candidateShare: shares.now,
    candidateShareAtStart: shares.atStart,
    candidateInstancesUp: shares.candidateUp,
    baselineInstancesUp: shares.baselineUp,
    canary: canaryWalk(c, shares, options),
    blueGreen: blueGreenWalk(c, shares, options, minRequests),
  };
}

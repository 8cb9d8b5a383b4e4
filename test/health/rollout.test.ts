// The guide's rollout steps walked from hand-made reports: each side's request rate per point (so the share
// is known exactly), the canary comparison's verdict and figures, which instances are up. Every step of both
// strategies, not enough traffic, too little and too much canary traffic, and a failing candidate → roll back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RolloutReport, rolloutOf } from '../../collector/health/rollout.ts';
import type {
  CanaryComparison,
  HealthPoint,
  HealthReport,
  InstanceHealth,
} from '../../collector/health/types.ts';
import { alertThresholds } from '../../core/alerts/thresholds.ts';
import {
  defaultRolloutOptions,
  guideRollouts,
  type RolloutOptions,
} from '../../core/scaling/rollout-guide.ts';

const now = 10_000_000;
const step = 5;

const point = (t: number, rps: number | null): HealthPoint => ({
  t,
  requestsPerSecond: rps,
  errorRatio: null,
  latencyP50: null,
  latencyP95: null,
  latencyP99: null,
  dbQueryP95: {},
  poolUsed: null,
  poolIdle: null,
  poolPending: null,
  poolMax: null,
  heapUsedBytes: null,
  rssBytes: null,
  eventLoopP99: null,
  rateLimitRejectionsPerSecond: null,
});

/** 24 points, one every 5 s up to `now` (two minutes); `rps(age)` is the rate `age` seconds before now. */
function instance(
  id: string,
  label: { version?: string; color?: string; canary?: boolean },
  rps: (ageSeconds: number) => number | null,
  up = true,
): InstanceHealth {
  return {
    instance: id,
    version: label.version ?? '1.0.0',
    color: label.color ?? null,
    canary: label.canary ?? false,
    target: `http://${id}/metrics`,
    up,
    lastSeen: now,
    points: Array.from({ length: 24 }, (_, k) => point(now - (23 - k) * step * 1000, rps((23 - k) * step))),
  };
}

function comparison(
  verdict: CanaryComparison['verdict'],
  extra: Partial<CanaryComparison> = {},
): CanaryComparison {
  return {
    splitBy: 'version',
    baseline: '1.0.0',
    candidate: '1.1.0',
    baselineRequests: 5000,
    candidateRequests: 400,
    baselineErrorRatio: 0.01,
    candidateErrorRatio: 0.012,
    baselineP95: 0.1,
    candidateP95: 0.11,
    verdict,
    reasons:
      verdict === 'insufficient_data'
        ? ['candidate 1.1.0 has 40 requests in the window; 200 needed before a verdict']
        : verdict === 'degraded'
          ? ['candidate 1.1.0 error ratio 9.00 % exceeds baseline 1.0.0 1.00 % by more than 1.00 %']
          : ['within limits'],
    ...extra,
  };
}

function report(instances: InstanceHealth[], canary: CanaryComparison | null): HealthReport {
  return {
    source: 'scrape',
    windowSeconds: 900,
    stepSeconds: step,
    generatedAt: now,
    lastSuccessAt: now,
    total: [],
    instances,
    canary,
  };
}

/** Baseline and candidate with constant rates: the candidate's share is candidate / (baseline + candidate). */
function canaryRollout(
  baselineRps: number,
  candidateRps: number,
  verdict: CanaryComparison['verdict'],
  options: {
    baselineUp?: boolean;
    candidateFrom?: (age: number) => number;
    extra?: Partial<CanaryComparison>;
  } = {},
): RolloutReport {
  const rollout = rolloutOf(
    report(
      [
        instance('old-1', { version: '1.0.0' }, () => baselineRps, options.baselineUp ?? true),
        instance('new-1', { version: '1.1.0', canary: true }, options.candidateFrom ?? (() => candidateRps)),
      ],
      comparison(verdict, options.extra),
    ),
    200,
  );
  if (!rollout) throw new Error('no rollout');
  return rollout;
}

const states = (rollout: RolloutReport, strategy: 'canary' | 'blueGreen') =>
  rollout[strategy].steps.map((s) => s.state);

describe('the guide’s words', () => {
  it('are the steps of "Deployment Strategies" in ../shared/SCALING-GUIDE.md, in order', () => {
    const guide = readFileSync(
      join(import.meta.dirname, '..', '..', '..', 'shared', 'SCALING-GUIDE.md'),
      'utf8',
    );
    const section = (heading: string) => {
      const start = guide.indexOf(`### **${heading}**`);
      expect(start, heading).toBeGreaterThan(-1);
      const rest = guide.slice(start).split('\n').slice(1);
      return rest
        .slice(
          0,
          rest.findIndex((line) => !/^\d+\. /.test(line)),
        )
        .map((l) => l.replace(/^\d+\. /, ''));
    };
    expect(section(guideRollouts.canary.title)).toEqual(guideRollouts.canary.steps);
    expect(section(guideRollouts['blue-green'].title)).toEqual(guideRollouts['blue-green'].steps);
  });
});

describe('canary walk', () => {
  it('is idle while every instance runs one version, and says how to start', () => {
    const rollout = rolloutOf(report([instance('a', {}, () => 10), instance('b', {}, () => 10)], null), 200);
    expect(rollout).toMatchObject({ active: false, candidate: null, suggested: 'canary' });
    expect(rollout?.canary).toMatchObject({ currentStep: 1, verdict: 'wait' });
    expect(rollout?.canary.summary).toBe('Every instance runs 1.0.0: no rollout in progress.');
    expect(rollout?.canary.nextAction).toContain('route 5% of users');
    expect(rolloutOf(report([], null), 200)).toBeNull();
  });

  it('step 1: the canary is up with no requests yet, or too little traffic', () => {
    let rollout = canaryRollout(10, 0, 'insufficient_data');
    expect(rollout).toMatchObject({ candidateShare: 0, candidateInstancesUp: 1, baselineInstancesUp: 1 });
    expect(rollout.canary).toMatchObject({ currentStep: 1, verdict: 'wait' });
    expect(rollout.canary.summary).toContain('1.1.0 is up but gets no requests yet');
    expect(rollout.canary.nextAction).toBe('Route 5 % of users to 1.1.0.');
    expect(states(rollout, 'canary')).toEqual(['current', 'upcoming', 'upcoming', 'upcoming']);

    rollout = canaryRollout(99, 1, 'insufficient_data'); // 1 %: below 5 % − 3 points
    expect(rollout.candidateShare).toBeCloseTo(0.01, 12);
    expect(rollout.canary).toMatchObject({ currentStep: 1, verdict: 'warn' });
    expect(rollout.canary.summary).toMatch(
      /^Too little: 1\.1\.0 gets 1 % of requests .* starts at 5 % \(2 %–8 %\)/,
    );
  });

  it('step 2: about 5 % — not enough traffic yet, then the comparison’s verdict', () => {
    let rollout = canaryRollout(95, 5, 'insufficient_data');
    expect(rollout.candidateShare).toBeCloseTo(0.05, 12);
    expect(rollout.canary).toMatchObject({ currentStep: 2, verdict: 'wait' });
    expect(rollout.canary.summary).toContain('Not enough traffic yet: candidate 1.1.0 has 40 requests');
    expect(states(rollout, 'canary')).toEqual(['done', 'current', 'upcoming', 'upcoming']);

    rollout = canaryRollout(95, 5, 'healthy');
    expect(rollout.canary).toMatchObject({ currentStep: 2, verdict: 'pass' });
    expect(rollout.canary.summary).toContain(
      '1.1.0: error ratio 1.20 %, p95 110.0 ms over 400 requests; 1.0.0: 1.00 %, 100.0 ms over 5000',
    );
    expect(rollout.canary.nextAction).toMatch(/^Gradually increase/);
  });

  it('step 3: the share rising while healthy; too much before the monitor has a verdict', () => {
    // Baseline 70/s throughout, the canary 5/s until a minute ago and 30/s since: 5/75 ≈ 6.7 % at the
    // start of the window, 30/100 = 30 % over the last minute.
    let rollout = canaryRollout(70, 0, 'healthy', { candidateFrom: (age) => (age >= 60 ? 5 : 30) });
    expect(rollout.candidateShare).toBeCloseTo(0.3, 12);
    expect(rollout.candidateShareAtStart).toBeCloseTo(5 / 75, 12);
    expect(rollout.canary).toMatchObject({ currentStep: 3, verdict: 'pass' });
    expect(rollout.canary.summary).toContain(
      "1.1.0's share is rising from 6.7 % at the start of the window to 30 %",
    );
    expect(states(rollout, 'canary')).toEqual(['done', 'done', 'current', 'upcoming']);

    rollout = canaryRollout(70, 30, 'insufficient_data');
    expect(rollout.canary).toMatchObject({ currentStep: 3, verdict: 'warn' });
    expect(rollout.canary.summary).toMatch(/^Too much, too early: 1\.1\.0 gets 30 %/);
    expect(rollout.canary.nextAction).toBe(
      'Go back to 5 % until the comparison has a verdict, then increase.',
    );
  });

  it('step 4: full deployment, with the baseline idle or gone', () => {
    let rollout = canaryRollout(0, 50, 'healthy');
    expect(rollout.canary).toMatchObject({ currentStep: 4, verdict: 'pass' });
    expect(rollout.canary.summary).toContain('1 1.0.0 instance(s) are still up, idle');
    expect(rollout.canary.nextAction).toMatch(/^Retire the idle 1\.0\.0 instances/);

    rollout = canaryRollout(0, 50, 'healthy', { baselineUp: false });
    expect(rollout.canary.summary).toMatch(/^Full deployment: only 1\.1\.0 serves \(100 %\)/);
    expect(rollout.canary.nextAction).toBe('Nothing left to do: the rollout is complete.');
    expect(states(rollout, 'canary')).toEqual(['done', 'done', 'done', 'current']);
  });

  it('a failing canary fails the step it is on and says to roll back', () => {
    for (const [candidateRps, current] of [
      [5, 2],
      [30, 3],
      [100, 4],
    ] as const) {
      const rollout = canaryRollout(candidateRps === 100 ? 0 : 100 - candidateRps, candidateRps, 'degraded');
      expect(rollout.canary).toMatchObject({ currentStep: current, verdict: 'fail' });
      expect(rollout.canary.summary).toContain('the comparison fails: candidate 1.1.0 error ratio 9.00 %');
      expect(rollout.canary.nextAction).toBe(
        'Roll back: route every request to 1.0.0 and stop the 1.1.0 instances; fix before trying again.',
      );
    }
  });
});

describe('blue-green walk', () => {
  const bg = (
    blueRps: number,
    greenRps: number,
    verdict: CanaryComparison['verdict'],
    extra: Partial<CanaryComparison> = {},
    blueUp = true,
    options: RolloutOptions = defaultRolloutOptions,
  ): RolloutReport => {
    const rollout = rolloutOf(
      report(
        [
          instance('blue-1', { version: '1.0.0', color: 'blue' }, () => blueRps, blueUp),
          instance('green-1', { version: '1.1.0', color: 'green' }, () => greenRps),
        ],
        comparison(verdict, extra),
      ),
      200,
      options,
    );
    if (!rollout) throw new Error('no rollout');
    return rollout;
  };

  it('is suggested by two deployment colours', () => {
    expect(bg(10, 0, 'insufficient_data')).toMatchObject({
      suggested: 'blue-green',
      suggestedBecause: 'instances carry 2 deployment colours (blue, green)',
    });
  });

  it('step 1 done once green is up; step 2 waits for test traffic, then fails on a 5xx or passes', () => {
    let rollout = bg(10, 0, 'insufficient_data', { candidateRequests: 0, candidateErrorRatio: null });
    expect(rollout.blueGreen).toMatchObject({ currentStep: 2, verdict: 'wait' });
    expect(rollout.blueGreen.summary).toBe(
      '1 1.1.0 instance(s) up; green has answered no requests in the window yet.',
    );
    expect(states(rollout, 'blueGreen')).toEqual(['done', 'current', 'upcoming', 'upcoming', 'upcoming']);

    rollout = bg(10, 0.1, 'insufficient_data', { candidateRequests: 50, candidateErrorRatio: 0 });
    expect(rollout.blueGreen).toMatchObject({ currentStep: 2, verdict: 'wait' });
    expect(rollout.blueGreen.summary).toContain(
      'green answered 50 of the 200 test requests needed, none a 5xx',
    );

    rollout = bg(10, 0.1, 'healthy', { candidateRequests: 300, candidateErrorRatio: 2 / 300 });
    expect(rollout.blueGreen).toMatchObject({ currentStep: 2, verdict: 'fail' });
    expect(rollout.blueGreen.summary).toContain('green answered 300 requests, 2 of them 5xx (0.67 %)');
    expect(rollout.blueGreen.nextAction).toBe('Do not switch: fix 1.1.0 and test again.');

    rollout = bg(10, 0.1, 'healthy', { candidateRequests: 300, candidateErrorRatio: 0 });
    expect(rollout.blueGreen).toMatchObject({ currentStep: 2, verdict: 'pass' });
    expect(rollout.blueGreen.nextAction).toBe('Switch traffic from "1.0.0" to "1.1.0".');
  });

  it('step 1 when no green instance is up', () => {
    const rollout = rolloutOf(
      report(
        [
          instance('blue-1', { version: '1.0.0', color: 'blue' }, () => 10),
          instance('green-1', { version: '1.1.0', color: 'green' }, () => 0, false),
        ],
        comparison('insufficient_data', { candidateRequests: 0 }),
      ),
      200,
    );
    expect(rollout?.blueGreen).toMatchObject({
      currentStep: 1,
      verdict: 'warn',
      summary: 'No 1.1.0 instance is up.',
    });
  });

  it('step 3 while the traffic moves, step 4 once switched, step 5 not needed when healthy', () => {
    let rollout = bg(30, 70, 'healthy');
    expect(rollout.blueGreen).toMatchObject({ currentStep: 3, verdict: 'wait' });
    expect(rollout.blueGreen.summary).toBe(
      'Switch in progress: 1.1.0 gets 70 % of requests over the last minute; 1.0.0 still gets 30 %.',
    );

    rollout = bg(0, 70, 'healthy');
    expect(rollout.blueGreen).toMatchObject({ currentStep: 4, verdict: 'pass' });
    expect(states(rollout, 'blueGreen')).toEqual(['done', 'done', 'done', 'current', 'not_needed']);
    expect(rollout.blueGreen.nextAction).toMatch(/^Keep the 1 "1\.0\.0" instance\(s\) up, idle/);
  });

  it('monitor against the alert thresholds when blue has no requests in the window', () => {
    const blueGone = { baselineRequests: 0, baselineErrorRatio: null, baselineP95: null };
    let rollout = bg(0, 70, 'insufficient_data', {
      ...blueGone,
      candidateRequests: 4000,
      candidateErrorRatio: 0.001,
    });
    expect(rollout.blueGreen).toMatchObject({ currentStep: 4, verdict: 'pass' });
    expect(rollout.blueGreen.summary).toContain('1.1.0 is within the alert thresholds');

    rollout = bg(0, 70, 'insufficient_data', {
      ...blueGone,
      candidateRequests: 4000,
      candidateErrorRatio: 0.2,
    });
    expect(rollout.blueGreen).toMatchObject({ currentStep: 5, verdict: 'fail' });
    expect(rollout.blueGreen.summary).toContain('error ratio 20.00 % above the alert threshold');

    // The collector's configured thresholds (PULSE_CONFIG), not the defaults: 2 % errors pass under a 5 % line.
    const lenient = { ...alertThresholds, errors: { ...alertThresholds.errors, warningRatio: 0.05 } };
    const twoPercent = { ...blueGone, candidateRequests: 4000, candidateErrorRatio: 0.02 };
    expect(bg(0, 70, 'insufficient_data', twoPercent).blueGreen.verdict).toBe('fail');
    rollout = bg(0, 70, 'insufficient_data', twoPercent, true, {
      ...defaultRolloutOptions,
      alertThresholds: lenient,
    });
    expect(rollout.blueGreen).toMatchObject({ currentStep: 4, verdict: 'pass' });

    rollout = bg(0, 70, 'insufficient_data', { candidateRequests: 20 });
    expect(rollout.blueGreen).toMatchObject({ currentStep: 4, verdict: 'wait' });
    expect(rollout.blueGreen.summary).toContain('Not enough traffic yet on 1.1.0: 20 of 200 requests');
  });

  it('a failing monitor moves to "Rollback if needed" and says how', () => {
    let rollout = bg(0, 70, 'degraded');
    expect(rollout.blueGreen).toMatchObject({ currentStep: 5, verdict: 'fail' });
    expect(states(rollout, 'blueGreen')).toEqual(['done', 'done', 'done', 'failed', 'current']);
    expect(rollout.blueGreen.nextAction).toBe(
      'Roll back: switch traffic from "1.1.0" back to "1.0.0" (1 1.0.0 instance(s) still up), then investigate 1.1.0.',
    );

    rollout = bg(0, 70, 'degraded', {}, false);
    expect(rollout.blueGreen.nextAction).toMatch(
      /^Roll back: no 1\.0\.0 instance is up any more — redeploy 1\.0\.0/,
    );

    rollout = bg(30, 70, 'degraded');
    expect(states(rollout, 'blueGreen')).toEqual(['done', 'done', 'failed', 'upcoming', 'current']);
  });
});

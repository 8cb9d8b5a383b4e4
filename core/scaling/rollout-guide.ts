// Rollouts as Pledgr's scaling guide writes them ("Deployment Strategies" in ../shared/SCALING-GUIDE.md): the
// canary and blue-green steps in the guide's words, and the traffic shares from which the collector's rollout
// walk (collector/health/rollout.ts) tells which step the operator is on. The Grafana live-health dashboard
// describes the same walk with the same numbers (grafana/definitions/live-health.ts).
import type { AlertThresholds } from '../alerts/thresholds.ts';

export type RolloutStrategy = 'canary' | 'blue-green';
/** The guide's own words, in its order (a test reads SCALING-GUIDE.md and compares). */
export const guideRollouts = {
  canary: {
    title: 'Canary Deployment',
    steps: [
      'Deploy to 5% of users',
      'Monitor metrics',
      'Gradually increase to 100%',
      'Full deployment if successful',
    ],
  },
  'blue-green': {
    title: 'Blue-Green Deployment',
    steps: [
      'Deploy new version to "green" environment',
      'Test thoroughly',
      'Switch traffic from "blue" to "green"',
      'Monitor for issues',
      'Rollback if needed',
    ],
  },
} as const satisfies Record<RolloutStrategy, { title: string; steps: readonly string[] }>;

export interface RolloutOptions {
  /** The guide's first canary share. */
  readonly canaryShare: number;
  /** "About 5 %" is canaryShare ± this (0.03: 2–8 %). */
  readonly shareTolerance: number;
  /** Blue-green: the switch has started once green has this share. */
  readonly switchShare: number;
  /** The new version serves (practically) everything from this share on: full deployment / switch done. */
  readonly fullShare: number;
  /** Shares are read over the newest this-many seconds of the window (at least three steps). */
  readonly recentSeconds: number;
  /** The alert thresholds green is held to without a blue sample (the collector's configured ones). */
  readonly alertThresholds?: Pick<AlertThresholds, 'errors' | 'latency'>;
}

export const defaultRolloutOptions: RolloutOptions = {
  canaryShare: 0.05,
  shareTolerance: 0.03,
  switchShare: 0.5,
  fullShare: 0.99,
  recentSeconds: 60,
};

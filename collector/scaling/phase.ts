// Which phase of the scaling guide a user count is in, and the next milestone. Ranges are half-open:
// 999 users is phase 1, 1,000 is phase 2, 10,000 and anything beyond is phase 3.
import { type ScalingPhase, scalingPhases } from '../../core/scaling/scaling-guide.ts';
import type { PhaseSummary } from './scaling-types.ts';

export function phaseForUsers(users: number): ScalingPhase {
  const phase = scalingPhases.findLast((candidate) => users >= candidate.fromUsers);
  if (!phase) throw new Error(`no scaling phase for ${users} users`);
  return phase;
}

/** The phase that starts after `phase`, if the guide has one. */
export function phaseAfter(phase: ScalingPhase): ScalingPhase | undefined {
  return scalingPhases.find((candidate) => candidate.number === phase.number + 1);
}

export function summarizePhase(phase: ScalingPhase): PhaseSummary {
  return {
    number: phase.number,
    name: phase.name,
    userRange: { from: phase.fromUsers, to: phase.toUsers },
    usersLabel: phase.usersLabel,
    platform: phase.platform,
    database: phase.database,
    cost: phase.cost,
    costBand: { ...phase.costBand },
    features: [...phase.features],
    checklistHeading: phase.checklistHeading,
  };
}

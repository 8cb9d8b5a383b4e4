// What the user-milestone alerts tell people to do, taken from the one rendering of the scaling guide
// (core/scaling/scaling-guide.ts), so the alerts and GET /api/scaling never disagree. Approaching or
// crossing a milestone points at the phase that begins there and its checklist; past the guide's last
// range (100K) it points at the last phase, whose items must all be done by then.
import { type ScalingPhase, scalingItems, scalingPhases } from '../scaling/scaling-guide.ts';

export interface MilestonePhase {
  readonly phase: ScalingPhase;
  /** True when no phase of the guide begins at the milestone (it is past the guide's last range). */
  readonly beyondGuide: boolean;
  readonly checklist: readonly string[];
}

export function phaseAtMilestone(users: number): MilestonePhase {
  const starting = scalingPhases.find((phase) => phase.fromUsers === users);
  const phase = starting ?? (scalingPhases.at(-1) as ScalingPhase);
  const previous = scalingPhases.find((candidate) => candidate.number === phase.number - 1);
  const items = scalingItems.filter((item) => item.phase === phase.number).map((item) => item.title);
  return {
    phase,
    beyondGuide: !starting,
    checklist: [
      ...items,
      starting && previous
        ? `finish what is still open from phase ${previous.number} (${previous.name}): GET /api/scaling`
        : 'check every item is done: GET /api/scaling',
    ],
  };
}

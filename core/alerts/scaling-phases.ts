// What the user-milestone alerts tell people to do, taken from the one rendering of the scaling guide
// (core/scaling/scaling-guide.ts), so the alerts and GET /api/scaling never disagree. Approaching or
// crossing a milestone points at the phase that begins there and lists its checklist in the guide's words
// (its "Before …" items, then Pulse's own), and at what is still open of the checklist due at the milestone
// (the guide's "Before 1,000 Users" is due at 1,000). Past the guide's last range (100K) it points at the
// last phase, whose items must all be done by then. The collector adds each item's current status
// (render.ts, renderAction).
import {
  phaseItems,
  type ScalingPhase,
  type ScalingPhaseNumber,
  scalingPhases,
} from '../scaling/scaling-guide.ts';

export type ChecklistStatus = 'done' | 'todo' | 'unknown';
/** The checklist's item statuses by item id, as GET /api/scaling has them. */
export type ChecklistStatuses = ReadonlyMap<string, ChecklistStatus>;

export interface ChecklistEntry {
  readonly id: string;
  /** The guide's own words for a guide item. */
  readonly title: string;
  readonly source: 'guide' | 'pulse';
}

export interface ChecklistGroup {
  /** "Before 10,000 Users", as the guide heads the checklist. */
  readonly heading: string;
  readonly phase: ScalingPhaseNumber;
  readonly items: readonly ChecklistEntry[];
}

export interface MilestoneChecklist {
  /** 'prepare' while approaching the milestone, 'do' once it is crossed. */
  readonly verb: 'prepare' | 'do';
  /** The phase that begins at the milestone (the last one past the guide): every item, with its status. */
  readonly next: ChecklistGroup;
  /** The checklist due at the milestone (the phase before), of which only what is still open is named. */
  readonly due: ChecklistGroup | null;
}

export interface MilestonePhase {
  readonly phase: ScalingPhase;
  /** True when no phase of the guide begins at the milestone (it is past the guide's last range). */
  readonly beyondGuide: boolean;
  readonly next: ChecklistGroup;
  readonly due: ChecklistGroup | null;
}

function groupOf(phase: ScalingPhase): ChecklistGroup {
  return {
    heading: phase.checklistHeading,
    phase: phase.number,
    items: phaseItems(phase.number).map(({ id, title, source }) => ({ id, title, source })),
  };
}

export function phaseAtMilestone(users: number): MilestonePhase {
  const starting = scalingPhases.find((phase) => phase.fromUsers === users);
  const phase = starting ?? (scalingPhases.at(-1) as ScalingPhase);
  const previous = scalingPhases.find((candidate) => candidate.number === phase.number - 1);
  return {
    phase,
    beyondGuide: !starting,
    next: groupOf(phase),
    due: starting && previous ? groupOf(previous) : null,
  };
}

const statusWords: Record<ChecklistStatus, string> = {
  done: 'done',
  todo: 'to do',
  unknown: 'status unknown',
};

function entryText(entry: ChecklistEntry): string {
  return entry.source === 'pulse' ? `${entry.title} (Pulse's own item)` : entry.title;
}

/**
 * The action lines of a milestone alert: one per item of the next phase, in the guide's words, with its
 * status where known; then what is still open of the checklist due at the milestone. Without statuses
 * (the catalog as data, the Prometheus rules) the lines name the items only.
 */
export function checklistAction(
  checklist: MilestoneChecklist,
  statuses: ChecklistStatuses | null,
): readonly string[] {
  const { verb, next, due } = checklist;
  const lines = next.items.map((entry) => {
    const status = statuses?.get(entry.id);
    const text = `${verb === 'prepare' ? 'prepare: ' : ''}${entryText(entry)} (${next.heading})`;
    return status ? `${text}: ${statusWords[status]}` : text;
  });
  if (due) {
    if (!statuses) {
      lines.push(`finish what is still open of ${due.heading}: GET /api/scaling`);
    } else {
      const open = due.items.filter((entry) => statuses.get(entry.id) !== 'done');
      lines.push(
        open.length === 0
          ? `${due.heading}: every item done`
          : `finish what is still open of ${due.heading}: ${open
              .map((entry) => `${entryText(entry)} (${statusWords[statuses.get(entry.id) ?? 'unknown']})`)
              .join(', ')}`,
      );
    }
  } else {
    lines.push('check every item is done: GET /api/scaling');
  }
  return lines;
}

// The scaling guide's phases and what to do on entering each: the "action" text of the user-milestone
// alerts. Phase 1 is the start (embedded database, one instance); each milestone of
// alertThresholds.milestones.users (in order) opens the next phase — the user counts live there only.

export interface ScalingPhase {
  /** 2, 3 or 4: the phase the milestone of the same position opens. */
  readonly phase: number;
  readonly checklist: readonly string[];
}

export const scalingPhases: readonly ScalingPhase[] = [
  {
    phase: 2,
    checklist: [
      'move to PostgreSQL if still on the embedded database (DATABASE_TYPE=postgres, pulse import)',
      'use a connection pool (max 20, idle timeout 30 s, connection timeout 2 s)',
      'check the three indexes exist: idx_users_email, idx_pledges_user_id, idx_pledges_artist_id',
      'turn on monitoring: health panels and these alerts routed to a person',
      'enable rate limiting (100 requests / 15 min on the API, 5 / 15 min on /api/auth)',
      'set up daily backups and test a restore',
    ],
  },
  {
    phase: 3,
    checklist: [
      'put a load balancer in front of more than one agent instance',
      'use Redis for sessions, rate limits and cache (REDIS_URL)',
      'serve static assets through a CDN',
      'run a load test at twice the current peak (pulse load)',
    ],
  },
  {
    phase: 4,
    checklist: [
      'add PostgreSQL read replicas for reports and reads',
      'add a caching layer in front of hot reads',
      'move slow work to queue workers',
      'autoscale the agent instances',
      'write and rehearse a disaster-recovery plan',
    ],
  },
];

/** The phase the n-th milestone (0-based) opens; throws when the catalog has more milestones than phases. */
export function phaseOpenedBy(milestoneIndex: number): ScalingPhase {
  const phase = scalingPhases[milestoneIndex];
  if (!phase) throw new Error(`milestone ${milestoneIndex + 1} has no scaling phase and checklist`);
  return phase;
}

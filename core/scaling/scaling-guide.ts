// The project's rendering of the scaling guide's three checklists and cost bands, as data. The guide itself is
// not in this repository; this module is what Pulse follows in its place. Phases are half-open user ranges
// [fromUsers, toUsers): 999 users is phase 1, 1,000 is phase 2, 10,000 and beyond is phase 3. Cost bands are
// the guide's monthly infrastructure bands, in integer cents. Each item says how Pulse knows its state:
// 'detected' (from the database, the collector's configuration or the live health source) or 'manual' (a
// person records it). The index items name the indexes of DESIGN.md's "Pledge tables".

export type ScalingPhaseNumber = 1 | 2 | 3;

export interface CostBand {
  readonly fromCents: number;
  readonly toCents: number;
  /** As the guide writes it. */
  readonly label: string;
}

export interface ScalingPhase {
  readonly number: ScalingPhaseNumber;
  readonly name: string;
  readonly fromUsers: number;
  /** The end of the guide's range; phase 3 also covers every count beyond it. */
  readonly toUsers: number;
  readonly costBand: CostBand;
}

/** An index the guide names, looked up by name in pg_indexes. */
export interface GuideIndex {
  readonly name: string;
  readonly table: string;
  readonly column: string;
}

/** What a detected item is read from (collector/scaling/detect-items.ts evaluates each kind). */
export type DetectionSignal =
  | { readonly kind: 'databaseType' }
  | { readonly kind: 'connectionPool' }
  | { readonly kind: 'index'; readonly index: GuideIndex }
  | { readonly kind: 'monitoringScrapes' }
  | { readonly kind: 'rateLimitSeries' }
  | { readonly kind: 'agentInstances' }
  | { readonly kind: 'redisConfigured' }
  | { readonly kind: 'loadTestUsers' };

interface ItemText {
  readonly id: string;
  readonly phase: ScalingPhaseNumber;
  readonly title: string;
  readonly why: string;
}

export type ScalingItem =
  | (ItemText & { readonly how: 'manual' })
  | (ItemText & { readonly how: 'detected'; readonly signal: DetectionSignal });

export const scalingPhases: readonly ScalingPhase[] = [
  {
    number: 1,
    name: 'Launch',
    fromUsers: 0,
    toUsers: 1_000,
    costBand: { fromCents: 0, toCents: 5_000, label: '$0–50 / month' },
  },
  {
    number: 2,
    name: 'Growth',
    fromUsers: 1_000,
    toUsers: 10_000,
    costBand: { fromCents: 5_000, toCents: 50_000, label: '$50–500 / month' },
  },
  {
    number: 3,
    name: 'Scale',
    fromUsers: 10_000,
    toUsers: 100_000,
    costBand: { fromCents: 50_000, toCents: 500_000, label: '$500–5,000 / month' },
  },
];

/** DESIGN.md, "Pledge tables": `-- indexes named in the scaling guide:`. */
export const guideIndexes: readonly GuideIndex[] = [
  { name: 'idx_users_email', table: 'users', column: 'email' },
  { name: 'idx_pledges_user_id', table: 'pledges', column: 'user_id' },
  { name: 'idx_pledges_artist_id', table: 'pledges', column: 'artist_id' },
];

const indexWhy: Record<string, string> = {
  idx_users_email: 'Every login looks a user up by email; without it each login scans the users table.',
  idx_pledges_user_id: "A fan's pledges (GET /api/me/pledges, MRR per user) are read by user_id.",
  idx_pledges_artist_id: "An artist's page counts its active pledgers by artist_id.",
};

const phaseOneItems: readonly ScalingItem[] = [
  {
    id: 'postgresql',
    phase: 1,
    title: 'PostgreSQL instead of the embedded single-file database',
    why: 'The embedded database runs one statement at a time in one process: it cannot be shared by replicas, backed up online or tuned.',
    how: 'detected',
    signal: { kind: 'databaseType' },
  },
  {
    id: 'connection-pool',
    phase: 1,
    title: 'Connection pool configured (max, idle timeout, connection timeout)',
    why: 'A bounded pool keeps PostgreSQL below its connection limit; timeouts free idle connections and fail fast instead of queueing forever.',
    how: 'detected',
    signal: { kind: 'connectionPool' },
  },
  ...guideIndexes.map(
    (index): ScalingItem => ({
      id: `index-${index.name.replace(/^idx_/, '').replaceAll('_', '-')}`,
      phase: 1,
      title: `Index ${index.name} on ${index.table}(${index.column})`,
      why: indexWhy[index.name] ?? `Queries filter ${index.table} by ${index.column}.`,
      how: 'detected',
      signal: { kind: 'index', index },
    }),
  ),
  {
    id: 'monitoring',
    phase: 1,
    title: 'Monitoring receiving scrapes',
    why: 'Without live metrics a slowdown or an error spike is first reported by users.',
    how: 'detected',
    signal: { kind: 'monitoringScrapes' },
  },
  {
    id: 'rate-limiting',
    phase: 1,
    title: 'Rate limiting on',
    why: 'Limits per client address (100 / 15 min on the API, 5 / 15 min on login) stop scrapers and password guessing before they load the database.',
    how: 'detected',
    signal: { kind: 'rateLimitSeries' },
  },
  {
    id: 'automated-backups',
    phase: 1,
    title: 'Automated database backups',
    why: 'Pledges are money: a lost disk must not lose them. Backups run on a schedule, not by memory.',
    how: 'manual',
  },
];

const phaseTwoItems: readonly ScalingItem[] = [
  {
    id: 'multiple-instances',
    phase: 2,
    title: 'More than one agent instance',
    why: 'One instance is a single point of failure and a deploy is an outage; two let one restart while the other serves.',
    how: 'detected',
    signal: { kind: 'agentInstances' },
  },
  {
    id: 'redis',
    phase: 2,
    title: 'Redis configured',
    why: 'With several instances, rate-limit counters (and later caches) must be shared, or each instance grants its own window.',
    how: 'detected',
    signal: { kind: 'redisConfigured' },
  },
  {
    id: 'load-test',
    phase: 2,
    title: 'Load test run in the last 30 days',
    why: 'Knowing the throughput and latency at which the API degrades tells you how much growth is left before the next change.',
    how: 'detected',
    signal: { kind: 'loadTestUsers' },
  },
  {
    id: 'cdn',
    phase: 2,
    title: 'CDN for static assets',
    why: 'Serving images and scripts from the edge takes that traffic off the API servers and speeds up pages far from them.',
    how: 'manual',
  },
  {
    id: 'load-balancer',
    phase: 2,
    title: 'Load balancer in front of the agents',
    why: 'Spreads requests over the instances, takes an unhealthy one out of rotation (via /readyz) and allows zero-downtime deploys.',
    how: 'manual',
  },
];

const phaseThreeItems: readonly ScalingItem[] = [
  {
    id: 'read-replicas',
    phase: 3,
    title: 'Read replicas',
    why: 'Reads (artist pages, KPI reports) move to replicas so the primary keeps its capacity for writes.',
    how: 'manual',
  },
  {
    id: 'caching-layer',
    phase: 3,
    title: 'Caching layer',
    why: 'Hot, rarely changing reads (artist pages, listings) served from a cache cut database load and latency.',
    how: 'manual',
  },
  {
    id: 'background-workers',
    phase: 3,
    title: 'Queue and background workers',
    why: 'Slow work (emails, payouts, reports) leaves the request path, so a spike queues instead of timing out.',
    how: 'manual',
  },
  {
    id: 'autoscaling',
    phase: 3,
    title: 'Autoscaling',
    why: 'Instances follow the load instead of being sized for the peak by hand.',
    how: 'manual',
  },
  {
    id: 'disaster-recovery-plan',
    phase: 3,
    title: 'Disaster-recovery plan',
    why: 'A written, rehearsed plan (who does what, recovery time and data-loss targets) for losing a region or the database.',
    how: 'manual',
  },
  {
    id: 'backups-tested',
    phase: 3,
    title: 'Backups tested by a restore',
    why: 'A backup that has never been restored is a hope, not a backup.',
    how: 'manual',
  },
];

export const scalingItems: readonly ScalingItem[] = [...phaseOneItems, ...phaseTwoItems, ...phaseThreeItems];

export function findScalingItem(id: string): ScalingItem | undefined {
  return scalingItems.find((item) => item.id === id);
}

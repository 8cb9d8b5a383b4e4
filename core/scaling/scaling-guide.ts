// Pledgr's scaling guide (SCALING-GUIDE.md, kept beside this repository in ../shared) as data: its three
// phases with platform, database, monthly cost and features, its "Cost Breakdown by Scale" table, its three
// checklists and its "Security at Scale" section, in the guide's own words (test/scaling/scaling-guide-text
// .test.ts reads the guide itself and checks every line appears in GET /api/scaling exactly). Pulse's own
// extra items carry source 'pulse'.
//
// Phases are half-open user ranges [fromUsers, toUsers): 999 users is phase 1, 1,000 is phase 2, 10,000 and
// beyond is phase 3. The guide writes "1-1,000", "1,000-10,000" and "10,000+": its ranges share their ends,
// so the boundary goes to the later phase (from 1,000 users you are "growing"), and 0 users counts as
// phase 1. Phase 3 ends at 100,000, where the guide's last checklist ("Before 100,000 Users") is due.
// Cost bands are the guide's monthly costs, also in integer cents; "+" (open-ended) is `openEnded`.
// Each item says how Pulse knows its state: 'detected' (from the database, the collector's configuration,
// the agents' metrics or a look at the monitored app from outside) or 'manual' (a person records it).

export type ScalingPhaseNumber = 1 | 2 | 3;

export interface CostBand {
  readonly fromCents: number;
  /** The top of the band; where `openEnded`, the figure the guide writes before its "+". */
  readonly toCents: number;
  readonly openEnded: boolean;
  /** As the guide writes it ("$20-100/month"). */
  readonly label: string;
}

export interface ScalingPhase {
  readonly number: ScalingPhaseNumber;
  /** The guide's name: Startup, Growth, Enterprise. */
  readonly name: string;
  readonly fromUsers: number;
  /** The end of the range; phase 3 also covers every count beyond it. */
  readonly toUsers: number;
  /** The guide's range as it writes it in the phase heading ("1-1,000"). */
  readonly usersLabel: string;
  readonly platform: string;
  readonly database: string;
  /** The guide's **Cost** line ("$0/month"); costBand.label is the same text. */
  readonly cost: string;
  readonly costBand: CostBand;
  readonly features: readonly string[];
  /** The heading of the checklist to finish before the phase ends ("Before 1,000 Users"). */
  readonly checklistHeading: string;
}

/** One row of the guide's "Cost Breakdown by Scale" table, verbatim, with the cost also in cents. */
export interface CostBreakdownRow {
  readonly users: string;
  readonly platform: string;
  readonly database: string;
  readonly monthlyCost: string;
  readonly features: string;
  readonly fromCents: number;
  readonly toCents: number;
  readonly openEnded: boolean;
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
  | { readonly kind: 'guideIndexes' }
  | { readonly kind: 'monitoringScrapes' }
  | { readonly kind: 'loadBalancing' }
  | { readonly kind: 'cacheLookups' }
  | { readonly kind: 'loadTestUsers' }
  | { readonly kind: 'redisConfigured' }
  | { readonly kind: 'rateLimitSettings' }
  | { readonly kind: 'sensitiveFiles' };

export type ItemSource = 'guide' | 'pulse';
export type ItemSection = 'checklist' | 'security';

interface ItemText {
  readonly id: string;
  /** The guide's own words for a guide item. */
  readonly title: string;
  readonly why: string;
  readonly source: ItemSource;
  /** The guide's heading the item stands under ("Before 1,000 Users", "Rate Limiting", "Data Encryption"). */
  readonly heading: string;
  /** The guide's lines under the item, verbatim ("API: 100 requests/15min"); empty when none. */
  readonly guideLines: readonly string[];
}

interface ChecklistText extends ItemText {
  readonly section: 'checklist';
  readonly phase: ScalingPhaseNumber;
}

interface SecurityText extends ItemText {
  readonly section: 'security';
  readonly phase: null;
}

type How =
  | { readonly how: 'detected'; readonly signal: DetectionSignal }
  /** `recordHint`: what a person should write in the record's note as evidence. */
  | { readonly how: 'manual'; readonly recordHint: string };

export type ScalingItem = (ChecklistText | SecurityText) & How;
export type ChecklistItem = ChecklistText & How;
export type SecurityItem = SecurityText & How;

export const scalingPhases: readonly ScalingPhase[] = [
  {
    number: 1,
    name: 'Startup',
    fromUsers: 0,
    toUsers: 1_000,
    usersLabel: '1-1,000',
    platform: 'Render.com, Railway.app, or Vercel',
    database: 'Supabase (Free tier)',
    cost: '$0/month',
    costBand: { fromCents: 0, toCents: 0, openEnded: false, label: '$0/month' },
    features: [
      'Auto-scaling up to 50,000 users',
      'Built-in authentication',
      'Real-time subscriptions',
      'Automatic backups',
    ],
    checklistHeading: 'Before 1,000 Users',
  },
  {
    number: 2,
    name: 'Growth',
    fromUsers: 1_000,
    toUsers: 10_000,
    usersLabel: '1,000-10,000',
    platform: 'DigitalOcean, Linode, or AWS',
    database: 'Managed PostgreSQL',
    cost: '$20-100/month',
    costBand: { fromCents: 2_000, toCents: 10_000, openEnded: false, label: '$20-100/month' },
    features: ['Dedicated resources', 'Custom domain', 'SSL certificates', 'Monitoring & alerts'],
    checklistHeading: 'Before 10,000 Users',
  },
  {
    number: 3,
    name: 'Enterprise',
    fromUsers: 10_000,
    toUsers: 100_000,
    usersLabel: '10,000+',
    platform: 'AWS, Google Cloud, or Azure',
    database: 'RDS, Cloud SQL, or Aurora',
    cost: '$200-2000+/month',
    costBand: { fromCents: 20_000, toCents: 200_000, openEnded: true, label: '$200-2000+/month' },
    features: ['Global CDN', 'Multi-region deployment', 'Auto-scaling', 'Professional support'],
    checklistHeading: 'Before 100,000 Users',
  },
];

export const costBreakdownHeading = 'Cost Breakdown by Scale';

export const costBreakdown: readonly CostBreakdownRow[] = [
  {
    users: '1-1K',
    platform: 'Render (Free)',
    database: 'Supabase (Free)',
    monthlyCost: '$0',
    features: 'Basic scaling',
    fromCents: 0,
    toCents: 0,
    openEnded: false,
  },
  {
    users: '1K-10K',
    platform: 'DigitalOcean',
    database: 'Managed PG',
    monthlyCost: '$20-100',
    features: 'Dedicated resources',
    fromCents: 2_000,
    toCents: 10_000,
    openEnded: false,
  },
  {
    users: '10K+',
    platform: 'AWS/GCP',
    database: 'RDS/Cloud SQL',
    monthlyCost: '$200+',
    features: 'Enterprise features',
    fromCents: 20_000,
    toCents: 20_000,
    openEnded: true,
  },
];

/** The guide's "Security at Scale" heading. */
export const securityHeading = 'Security at Scale';

/** The guide's rate limits ("Rate Limiting": API 100 requests/15min, Auth 5 requests/15min), as numbers. */
export const guideRateLimits = {
  api: { limit: 100, windowSeconds: 900 },
  auth: { limit: 5, windowSeconds: 900 },
} as const;

/** DESIGN.md, "Pledge tables": `-- indexes named in the scaling guide:` (the guide's "Database Indexes"). */
export const guideIndexes: readonly GuideIndex[] = [
  { name: 'idx_users_email', table: 'users', column: 'email' },
  { name: 'idx_pledges_user_id', table: 'pledges', column: 'user_id' },
  { name: 'idx_pledges_artist_id', table: 'pledges', column: 'artist_id' },
];

const before = (phase: ScalingPhaseNumber) => ({
  section: 'checklist' as const,
  phase,
  heading: (scalingPhases[phase - 1] as ScalingPhase).checklistHeading,
  guideLines: [],
});

// Ids are kept from earlier versions where the item is the same, so manual records stay attached.
const beforeOneThousand: readonly ChecklistItem[] = [
  {
    ...before(1),
    id: 'postgresql',
    title: 'Migrate to PostgreSQL',
    why: 'The embedded single-file database runs one statement at a time in one process: it cannot be shared by replicas, backed up online or tuned.',
    source: 'guide',
    how: 'detected',
    signal: { kind: 'databaseType' },
  },
  {
    ...before(1),
    id: 'connection-pool',
    title: 'Implement connection pooling',
    why: 'A bounded pool keeps PostgreSQL below its connection limit; timeouts free idle connections and fail fast instead of queueing forever.',
    source: 'guide',
    how: 'detected',
    signal: { kind: 'connectionPool' },
  },
  {
    ...before(1),
    id: 'database-indexes',
    title: 'Add database indexes',
    why: 'The guide names three: idx_users_email (every login looks a user up by email), idx_pledges_user_id (a fan’s pledges) and idx_pledges_artist_id (an artist’s pledgers).',
    source: 'guide',
    how: 'detected',
    signal: { kind: 'guideIndexes' },
  },
  {
    ...before(1),
    id: 'monitoring',
    title: 'Set up monitoring',
    why: 'Without live metrics a slowdown or an error spike is first reported by users.',
    source: 'guide',
    how: 'detected',
    signal: { kind: 'monitoringScrapes' },
  },
  {
    ...before(1),
    id: 'automated-backups',
    title: 'Configure backups',
    why: 'Pledges are money: a lost disk must not lose them. Backups run on a schedule, not by memory.',
    source: 'guide',
    how: 'manual',
    recordHint: 'where backups go, how often, and the date of the last one',
  },
];

const beforeTenThousand: readonly ChecklistItem[] = [
  {
    ...before(2),
    id: 'load-balancer',
    title: 'Load balancing',
    why: 'Two or more instances behind a balancer: one restarts while the other serves, an unhealthy one leaves rotation (via /readyz), and the rate limits see each client once the agents trust the balancer (TRUST_PROXY).',
    source: 'guide',
    how: 'detected',
    signal: { kind: 'loadBalancing' },
  },
  {
    ...before(2),
    id: 'cdn',
    title: 'CDN implementation',
    why: 'Serving images and scripts from the edge takes that traffic off the API servers and speeds up pages far from them.',
    source: 'guide',
    how: 'manual',
    recordHint: 'the CDN and the hostnames it serves',
  },
  {
    ...before(2),
    id: 'advanced-caching',
    title: 'Advanced caching',
    why: 'The guide’s caching strategy: user profiles cached in Redis, so the hottest reads skip the database.',
    source: 'guide',
    how: 'detected',
    signal: { kind: 'cacheLookups' },
  },
  {
    ...before(2),
    id: 'load-test',
    title: 'Performance testing',
    why: 'Knowing the throughput and latency at which the API degrades tells you how much growth is left before the next change (`pulse load`).',
    source: 'guide',
    how: 'detected',
    signal: { kind: 'loadTestUsers' },
  },
  {
    ...before(2),
    id: 'disaster-recovery-plan',
    title: 'Disaster recovery plan',
    why: 'A written, rehearsed plan (who does what, recovery time and data-loss targets) for losing a region or the database.',
    source: 'guide',
    how: 'manual',
    recordHint: 'where the plan is kept and when it was last rehearsed',
  },
];

const beforeHundredThousand: readonly ChecklistItem[] = [
  {
    ...before(3),
    id: 'microservices',
    title: 'Microservices architecture',
    why: 'Parts that scale differently (payments, notifications, the API) deploy and scale on their own.',
    source: 'guide',
    how: 'manual',
    recordHint: 'which services were split out',
  },
  {
    ...before(3),
    id: 'database-sharding',
    title: 'Database sharding',
    why: 'When one primary can no longer take the writes, data is split over several databases by a key.',
    source: 'guide',
    how: 'manual',
    recordHint: 'the shard key and the number of shards',
  },
  {
    ...before(3),
    id: 'global-deployment',
    title: 'Global deployment',
    why: 'Instances in more than one region serve fans near them and survive losing a region.',
    source: 'guide',
    how: 'manual',
    recordHint: 'the regions served',
  },
  {
    ...before(3),
    id: 'autoscaling',
    title: 'Auto-scaling groups',
    why: 'Instances follow the load instead of being sized for the peak by hand.',
    source: 'guide',
    how: 'manual',
    recordHint: 'the group, its minimum and maximum size and what it scales on',
  },
  {
    ...before(3),
    id: 'professional-support',
    title: 'Professional support',
    why: 'A support contract with the platform and database vendors, so an outage at night has someone to call.',
    source: 'guide',
    how: 'manual',
    recordHint: 'the vendor, the plan and how to reach them',
  },
];

/** Pulse's own items, beside the guide's (none duplicates a guide item). */
const pulseItems: readonly ChecklistItem[] = [
  {
    ...before(2),
    id: 'redis',
    title: 'Redis configured',
    why: 'With several instances, rate-limit counters and caches must be shared, or each instance grants its own window.',
    source: 'pulse',
    how: 'detected',
    signal: { kind: 'redisConfigured' },
  },
  {
    ...before(3),
    id: 'read-replicas',
    title: 'Read replicas',
    why: 'Reads (artist pages, KPI reports) move to replicas so the primary keeps its capacity for writes.',
    source: 'pulse',
    how: 'manual',
    recordHint: 'the replicas and what reads from them (DATABASE_READ_URL)',
  },
  {
    ...before(3),
    id: 'background-workers',
    title: 'Queue and background workers',
    why: 'Slow work (emails, payouts, reports) leaves the request path, so a spike queues instead of timing out.',
    source: 'pulse',
    how: 'manual',
    recordHint: 'the queue and the jobs moved to it',
  },
  {
    ...before(3),
    id: 'backups-tested',
    title: 'Backups tested by a restore',
    why: 'A backup that has never been restored is a hope, not a backup.',
    source: 'pulse',
    how: 'manual',
    recordHint: 'the date of the last restore and how long it took',
  },
];

const security = (heading: string, guideLines: readonly string[] = []) => ({
  section: 'security' as const,
  phase: null,
  heading,
  guideLines,
});

export const securityItems: readonly SecurityItem[] = [
  {
    ...security('Rate Limiting', ['API: 100 requests/15min', 'Auth: 5 requests/15min']),
    id: 'rate-limiting',
    title: 'Rate Limiting',
    why: 'Limits per client address stop scrapers and password guessing before they load the database.',
    source: 'guide',
    how: 'detected',
    signal: { kind: 'rateLimitSettings' },
  },
  {
    ...security('DDoS Protection', ['Cloudflare (Free tier)', 'AWS Shield (Advanced)']),
    id: 'ddos-protection',
    title: 'DDoS Protection',
    why: 'A flood of requests is absorbed at the edge, before it reaches the servers.',
    source: 'guide',
    how: 'manual',
    recordHint: 'the service (Cloudflare, AWS Shield) and the hostnames behind it',
  },
  {
    ...security('Data Encryption'),
    id: 'tls-transport',
    title: 'TLS 1.3 for transport',
    why: 'Tokens and passwords cross the network encrypted; older TLS versions have known weaknesses.',
    source: 'guide',
    how: 'manual',
    recordHint: 'the TLS versions the public endpoint accepts, e.g. from `openssl s_client -tls1_3`',
  },
  {
    ...security('Data Encryption'),
    id: 'aes-256-storage',
    title: 'AES-256 for storage',
    why: 'A stolen disk or backup holds password hashes and payment history: it must be unreadable.',
    source: 'guide',
    how: 'manual',
    recordHint: 'which volumes and backups are encrypted, and with what',
  },
  {
    ...security('Data Encryption'),
    id: 'key-rotation',
    title: 'Key rotation policies',
    why: 'Keys and secrets (JWT secret, database passwords) that never change stay valid forever once leaked.',
    source: 'guide',
    how: 'manual',
    recordHint: 'which keys rotate, how often, and the date of the last rotation',
  },
  {
    ...security('Files served by the app'),
    id: 'no-sensitive-files-served',
    title: 'No database, .env or .git file served by the app',
    why: 'An app that serves its own folder as static files hands out its database (password hashes included) and secrets to anyone who asks: GET /pledgr.db.',
    source: 'pulse',
    how: 'detected',
    signal: { kind: 'sensitiveFiles' },
  },
];

/** The three checklists in the guide's order, then Pulse's own items. */
export const checklistItems: readonly ChecklistItem[] = [
  ...beforeOneThousand,
  ...beforeTenThousand,
  ...beforeHundredThousand,
  ...pulseItems,
];

export const scalingItems: readonly ScalingItem[] = [...checklistItems, ...securityItems];

export function findScalingItem(id: string): ScalingItem | undefined {
  return scalingItems.find((item) => item.id === id);
}

/** A phase's checklist: the guide's items under its "Before …" heading, then Pulse's own. */
export function phaseItems(phase: ScalingPhaseNumber): readonly ChecklistItem[] {
  return checklistItems.filter((item) => item.phase === phase);
}

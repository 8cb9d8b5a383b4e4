// The scaling checklist's contract: the inputs the collector passes in (what the database cannot tell) and
// the shape of GET /api/scaling and POST /api/scaling/items/:id, which the dashboard reads.
import type { PoolSettings } from '../../core/db/postgres-db.ts';
import type {
  CostBreakdownRow,
  ItemSection,
  ItemSource,
  ScalingPhaseNumber,
} from '../../core/scaling/scaling-guide.ts';
import type { LegacyFollowRow } from './legacy-follow.ts';

export type ItemStatus = 'done' | 'todo' | 'unknown';

/** The collector's database settings; `config.database` (DatabaseConfig) fits as it is. */
export type ScalingDatabaseSettings =
  | { readonly kind: 'embedded' }
  | { readonly kind: 'postgres'; readonly pool: PoolSettings };

/** What the live health source knows, read at each evaluation. */
export interface ScalingHealthInputs {
  /** Distinct agent instances (service.instance.id) currently answering scrapes. */
  readonly instanceCount: number;
  /** Epoch ms of the last successful scrape of any agent (or Prometheus answer); null when none yet. */
  readonly lastSuccessAt: number | null;
  /**
   * Instances among them that export pledgr_rate_limit_rejections_total: the agent creates the series (at
   * 0) exactly when a rate limiter is on, so its presence means "on" and its absence "off".
   */
  readonly instancesWithRateLimiter: number;
  /**
   * Instances among them that export pledgr_cache_lookups_total{cache="user_profile"}: the agent creates
   * the family (at 0) exactly when its profile cache is on (REDIS_URL set), as for the rate limiter.
   */
  readonly instancesWithCache: number;
  /** The profile cache's look-ups over the look-back window; null when no instance exports them. */
  readonly profileCache: {
    readonly hits: number;
    readonly misses: number;
    readonly errors: number;
    readonly lookups: number;
    readonly hitRatio: number | null;
  } | null;
}

/** Facts the service reads from the database for one evaluation. */
export interface DatabaseSignals {
  readonly users: number;
  /** The guide's indexes found in pg_indexes, by name. */
  readonly indexes: ReadonlyMap<string, FoundIndex>;
  /** Users registered by `pulse load` (load-…@load.pledgr.test) within the look-back window. */
  readonly loadTestUsers: number;
  readonly latestLoadTestAt: Date | null;
  /** The rows of legacy_follow (`pulse import-sqlite FILE --follow`), ordered by path; empty when none. */
  readonly legacyFollow: readonly LegacyFollowRow[];
}

export interface FoundIndex {
  readonly table: string;
  /** The key columns (or expressions) in order, e.g. ['user_id'] or ['user_id', 'created_at']. */
  readonly columns: readonly string[];
  /** False for an index left invalid by a failed CREATE INDEX CONCURRENTLY. */
  readonly valid: boolean;
}

export interface ItemState {
  readonly status: ItemStatus;
  /** Short, readable, no personal data. */
  readonly evidence: string;
}

export interface ScalingItemView extends ItemState {
  readonly id: string;
  /** For a guide item, the guide's own words. */
  readonly title: string;
  readonly why: string;
  readonly how: 'detected' | 'manual';
  /** 'guide': an item of SCALING-GUIDE.md; 'pulse': one Pulse adds of its own. */
  readonly source: ItemSource;
  readonly section: ItemSection;
  /** The guide's heading the item stands under ("Before 1,000 Users", "Rate Limiting"). */
  readonly heading: string;
  /** The guide's lines under the item, verbatim ("API: 100 requests/15min"); empty when none. */
  readonly guideLines: readonly string[];
  /** Manual items: what to write in the note as evidence. */
  readonly recordHint?: string;
  /** Manual items with a record: who recorded the latest state (an operator's own name), when, and why. */
  readonly recordedBy?: string;
  readonly recordedAt?: string;
  readonly note?: string;
}

export interface CostBandView {
  readonly fromCents: number;
  readonly toCents: number;
  /** The guide's "+": the band has no upper end (toCents is the figure before the "+"). */
  readonly openEnded: boolean;
  readonly label: string;
}

export interface PhaseSummary {
  readonly number: ScalingPhaseNumber;
  /** The guide's name: Startup, Growth, Enterprise. */
  readonly name: string;
  /** Half-open [from, to); phase 3 also covers every count beyond its `to`. */
  readonly userRange: { readonly from: number; readonly to: number };
  /** The range as the guide writes it ("1-1,000", "10,000+"). */
  readonly usersLabel: string;
  readonly platform: string;
  readonly database: string;
  /** The guide's **Cost** line ("$20-100/month"); costBand has it in cents. */
  readonly cost: string;
  readonly costBand: CostBandView;
  readonly features: readonly string[];
  /** The guide's checklist heading for the phase ("Before 1,000 Users"). */
  readonly checklistHeading: string;
}

export interface PhaseView extends PhaseSummary {
  readonly counts: Readonly<Record<ItemStatus, number>>;
  /** The guide's items under checklistHeading, in its order, then Pulse's own (source 'pulse'). */
  readonly items: readonly ScalingItemView[];
}

/** The guide's "Security at Scale" section, and Pulse's outside look at the monitored app. */
export interface SecurityView {
  readonly heading: string;
  readonly counts: Readonly<Record<ItemStatus, number>>;
  readonly items: readonly ScalingItemView[];
}

export interface NextMilestone {
  /** The user count at which the next phase starts (100,000 in phase 3: the end of the guide's range). */
  readonly users: number;
  readonly usersToGo: number;
  /** The phase that starts there; null past phase 3. */
  readonly phase: { readonly number: ScalingPhaseNumber; readonly name: string } | null;
  /** Ids of that phase's checklist items not yet done: what to prepare now. */
  readonly prepare: readonly string[];
}

export interface ScalingReport {
  readonly generatedAt: string;
  readonly phase: PhaseSummary;
  readonly users: number;
  /** null once users reach 100,000, the end of the guide. */
  readonly nextMilestone: NextMilestone | null;
  readonly phases: readonly PhaseView[];
  /** The guide's "Cost Breakdown by Scale" table, row by row, verbatim (with the cost in cents). */
  readonly costBreakdown: readonly CostBreakdownRow[];
  readonly security: SecurityView;
  /**
   * Data followed from a legacy SQLite file (`pulse import-sqlite FILE --follow`): one entry per followed
   * file, ordered by its path; null when no file is followed.
   */
  readonly legacyFollow: readonly LegacyFollowView[] | null;
}

/**
 * following: synced within the last 3 intervals; stale: no successful sync for longer (the follower stopped
 * or is stuck); failing: the newest attempt failed (an error after the last successful sync).
 */
export type LegacyFollowState = 'following' | 'stale' | 'failing';

/** One followed legacy file, as GET /api/scaling sends it. Times are ISO-8601 UTC. */
export interface LegacyFollowView {
  /** The file's base name (`pledgr.db`): never the full path. */
  readonly file: string;
  readonly state: LegacyFollowState;
  readonly intervalSeconds: number;
  readonly startedAt: string;
  readonly lastSyncAt: string;
  readonly fileModifiedAt: string;
  /** Whole seconds from lastSyncAt to the report's generatedAt. */
  readonly freshnessSeconds: number;
  readonly syncs: number;
  readonly rowsImported: number;
  readonly rowsSkipped: number;
  readonly cancelsObserved: number;
  /** Why the last failed sync failed (the file's path cut down to its name); null after a successful one. */
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
}

/** One manual record, as kept in scaling_records (history is never overwritten). */
export interface ScalingRecord {
  readonly itemId: string;
  readonly done: boolean;
  readonly recordedBy: string;
  readonly note: string | null;
  readonly recordedAt: Date;
}

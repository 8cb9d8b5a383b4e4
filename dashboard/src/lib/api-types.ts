// The collector's API shapes, as the dashboard reads them: type-only re-exports of the server's own types
// (the one thing the dashboard takes from the server side), plus the few response envelopes.
import type { AlertHistoryEntry } from '../../../collector/alerts/alert-service.ts';
import type { AlertStatus, AlertTransition } from '../../../collector/alerts/types.ts';
import type { HealthPoint } from '../../../collector/health/types.ts';
import type { ScalingItemView, ScalingRecord } from '../../../collector/scaling/scaling-types.ts';
import type { AlertUnit } from '../../../core/alerts/rules.ts';
import type { KpiDefinition } from '../../../core/kpi/catalog.ts';
import type { ScalingPhase } from '../../../core/scaling/scaling-guide.ts';

export type {
  HealthResponse,
  RolloutReport,
  RolloutStep,
  RolloutWalk,
} from '../../../collector/health/rollout.ts';
export type {
  CanaryComparison,
  HealthPoint,
  HealthReport,
  InstanceHealth,
  ProfileCacheWindow,
} from '../../../collector/health/types.ts';
export type {
  LegacyFollowState,
  LegacyFollowView,
  ScalingItemView,
  ScalingRecord,
  ScalingReport,
} from '../../../collector/scaling/scaling-types.ts';
// GET /api/slo (operator role): per objective the SLI, the error budget left and the burn rate per window.
export type {
  BurnAlertFigures,
  FigureSource,
  SloFigures,
  SloReport,
  WindowFigures,
} from '../../../collector/slo/slo-report.ts';
export type { AlertInput, AlertUnit } from '../../../core/alerts/rules.ts';
export type { ArtistKpis, ArtistReport } from '../../../core/kpi/artists.ts';
export type { Cohort, CohortMonth, CohortReport } from '../../../core/kpi/cohorts.ts';
export type { LtvReport } from '../../../core/kpi/ltv.ts';
// KpiPeriod: the DESIGN.md fields, then the added estimatedChurnMovements (churn and contraction movements
// resting on an estimated cancellation instant; see core/kpi/types.ts).
export type { KpiInterval, KpiPeriod, KpiReport } from '../../../core/kpi/types.ts';
export type { RolloutStrategy } from '../../../core/scaling/rollout-guide.ts';
export type { AlertHistoryEntry, AlertStatus, AlertTransition };

export type Role = 'founder' | 'operator';

/** GET /api/session */
export interface SessionInfo {
  readonly role: Role;
  readonly currency: string;
}

export type CatalogKpi = Pick<KpiDefinition, 'field' | 'label' | 'unit' | 'help' | 'role' | 'metric'>;

export interface CatalogAlertRule {
  readonly name: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly audience: 'operator' | 'founder' | 'both';
  readonly input: string;
  readonly comparison: string;
  readonly threshold: number;
  readonly forSeconds: number;
  readonly summary: string;
  readonly action: readonly string[];
  /** The unit of the rule's input (from the server's alert-input list). */
  readonly unit: AlertUnit;
  /** Hysteresis: once firing, it resolves only when the input is back past this (same comparison); null: none. */
  readonly resolveThreshold: number | null;
  /** Once firing, it stays firing this long after its condition last held; 0: none. */
  readonly keepFiringForSeconds: number;
}

/** GET /api/catalog */
export interface Catalog {
  readonly kpis: readonly CatalogKpi[];
  readonly alertRules: readonly CatalogAlertRule[];
  readonly scalingPhases: readonly ScalingPhase[];
}

/** GET /api/alerts */
export interface AlertsResponse {
  readonly active: readonly AlertStatus[];
  readonly history: readonly AlertHistoryEntry[];
  /** Whether this collector evaluates the alerts (holds the alert lease) or shows its peer's states. */
  readonly leader?: boolean;
}

/** GET /api/scaling/items/:id/records */
export interface ScalingRecordsResponse {
  readonly records: readonly ScalingRecord[];
}

/** One record of GET /api/scaling/items/:id/records as sent: the time is an ISO string on the wire. */
export interface ScalingRecordEntry {
  readonly done: boolean;
  readonly recordedBy: string;
  readonly recordedAt: string;
  readonly note: string | null;
}

/** GET /api/scaling/items/:id/records, as sent (newest first). */
export interface ScalingItemRecords {
  readonly itemId: string;
  readonly records: readonly ScalingRecordEntry[];
}

/** POST /api/scaling/items/:id */
export interface ScalingRecordAnswer {
  readonly item: ScalingItemView;
}

/** A server-sent event as the live stream delivers it. */
export type LiveEvent =
  | { readonly name: 'health'; readonly data: HealthPoint | null }
  | { readonly name: 'alert'; readonly data: AlertTransition };

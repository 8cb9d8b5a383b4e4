// The scaling checklist service: evaluates every item of the guide (detected ones from the database, the
// collector's settings and the health source; manual ones from their latest record), places the user count
// in a phase, and records manual items. Routes call it; it knows nothing of HTTP beyond its typed errors.
import type { Db } from '../../core/db/types.ts';
import { HttpError } from '../../core/http/http-errors.ts';
import {
  costBreakdown,
  findScalingItem,
  type ScalingItem,
  scalingItems,
  scalingPhases,
  securityHeading,
} from '../../core/scaling/scaling-guide.ts';
import type { AgentSeriesReading } from './agent-series.ts';
import { readDatabaseSignals } from './database-signals.ts';
import { type DetectionFacts, detectItem, type HealthReading, type Reading } from './detect-items.ts';
import type { ExposedFilesProbe, ExposedFilesReading } from './exposed-files.ts';
import { type LegacyFollowRow, legacyFollowViews } from './legacy-follow.ts';
import { phaseAfter, phaseForUsers, summarizePhase } from './phase.ts';
import { addScalingRecord, latestScalingRecords, scalingRecordHistory } from './scaling-records.ts';
import type {
  ItemState,
  NextMilestone,
  PhaseView,
  ScalingDatabaseSettings,
  ScalingHealthInputs,
  ScalingItemView,
  ScalingRecord,
  ScalingReport,
} from './scaling-types.ts';

export interface ScalingServiceDeps {
  /** Scaling records are written and read back here (a record must show in the next report at once). */
  readonly db: Db;
  /** The database signals (users, indexes, load-test users, legacy follow) are read here; default `db`. */
  readonly readDb?: Db;
  /** The collector's database settings (type and pool): `config.database` as it is. */
  readonly database: ScalingDatabaseSettings;
  /** Whether REDIS_URL is set for the collector. */
  readonly redisConfigured: boolean;
  /** The live health source's view; absent or null when none is wired (its items are then 'unknown'). */
  readonly readHealth?: () => Promise<ScalingHealthInputs | null>;
  /** The agents' setting series (agent-series.ts); absent when no agent source is configured. */
  readonly readAgentSeries?: (() => Promise<AgentSeriesReading>) | null;
  /** The outside look at the monitored app (exposed-files.ts); absent when MONITORED_APP_URLS is unset. */
  readonly exposedFiles?: ExposedFilesProbe | null;
  readonly now?: () => Date;
  /** A scrape this recent counts as "monitoring receiving scrapes". Default 120 s. */
  readonly monitoringFreshSeconds?: number;
  /** Missed syncs after which a followed legacy file is stale: the configured alert threshold (default 3). */
  readonly legacyFollowStaleIntervals?: number;
}

export interface ManualRecordInput {
  readonly done: boolean;
  /** The operator's own name or initials, 1–100 characters. */
  readonly recordedBy: string;
  readonly note?: string | undefined;
}

export interface ScalingService {
  report(): Promise<ScalingReport>;
  /** Appends a record for a manual item; 404 for an unknown item, 409 for a detected one. */
  record(itemId: string, input: ManualRecordInput): Promise<ScalingItemView>;
  /** A manual item's records, newest first. */
  history(itemId: string, limit?: number): Promise<ScalingRecord[]>;
}

export const defaultMonitoringFreshSeconds = 120;
const defaultHistoryLimit = 50;

export class UnknownScalingItemError extends HttpError {
  constructor(itemId: string) {
    super(404, 'unknown_item', `no scaling checklist item "${itemId}"`);
  }
}

export class DetectedScalingItemError extends HttpError {
  constructor(itemId: string) {
    super(409, 'detected_item', `${itemId} is detected by Pulse and cannot be recorded by hand`);
  }
}

/** The manual item with this id; 404 when there is none, 409 when Pulse detects it instead. */
export function requireManualItem(itemId: string): ScalingItem {
  const item = findScalingItem(itemId);
  if (!item) throw new UnknownScalingItemError(itemId);
  if (item.how === 'detected') throw new DetectedScalingItemError(itemId);
  return item;
}

export function createScalingService(deps: ScalingServiceDeps): ScalingService {
  const now = deps.now ?? (() => new Date());

  return {
    async report() {
      const at = now();
      const [signals, records, health, agentSeries, exposedFiles] = await Promise.all([
        readDatabaseSignals(deps.readDb ?? deps.db, at),
        latestScalingRecords(deps.db),
        readHealth(deps.readHealth),
        readOptional(
          deps.readAgentSeries ?? null,
          'no agent metrics source is configured (AGENT_METRICS_URLS or PROMETHEUS_URL)',
          'no agent answered',
        ),
        readOptional(
          deps.exposedFiles ? () => (deps.exposedFiles as ExposedFilesProbe).check() : null,
          'MONITORED_APP_URLS is not set: the app is not looked at from outside',
          'the monitored app could not be checked',
        ),
      ]);
      const facts: DetectionFacts = {
        database: deps.database,
        redisConfigured: deps.redisConfigured,
        health,
        agentSeries,
        exposedFiles: exposedFiles as Reading<ExposedFilesReading>,
        signals,
        now: at,
        monitoringFreshSeconds: deps.monitoringFreshSeconds ?? defaultMonitoringFreshSeconds,
      };
      const views = scalingItems.map((item) =>
        item.how === 'detected'
          ? viewOf(item, detectItem(item.signal, facts))
          : manualView(item, records.get(item.id)),
      );
      return assembleReport(signals.users, views, signals.legacyFollow, at, deps.legacyFollowStaleIntervals);
    },

    async record(itemId, input) {
      const item = requireManualItem(itemId);
      const note = input.note?.trim() ? input.note.trim() : null;
      const saved = await addScalingRecord(deps.db, {
        itemId: item.id,
        done: input.done,
        recordedBy: input.recordedBy.trim(),
        note,
        recordedAt: now(),
      });
      return manualView(item, saved);
    },

    async history(itemId, limit = defaultHistoryLimit) {
      return scalingRecordHistory(deps.db, requireManualItem(itemId).id, limit);
    },
  };
}

async function readHealth(read: ScalingServiceDeps['readHealth']): Promise<HealthReading> {
  if (!read) return { ok: false, reason: 'no health source is configured' };
  try {
    const inputs = await read();
    return inputs ? { ok: true, inputs } : { ok: false, reason: 'no health source is configured' };
  } catch {
    return { ok: false, reason: 'the health source did not answer' };
  }
}

async function readOptional<T>(
  read: (() => Promise<T>) | null,
  absent: string,
  failed: string,
): Promise<Reading<T>> {
  if (!read) return { ok: false, reason: absent };
  try {
    return { ok: true, value: await read() };
  } catch {
    return { ok: false, reason: failed };
  }
}

function viewOf(item: ScalingItem, itemState: ItemState): ScalingItemView {
  return {
    id: item.id,
    title: item.title,
    why: item.why,
    how: item.how,
    source: item.source,
    section: item.section,
    heading: item.heading,
    guideLines: [...item.guideLines],
    ...(item.how === 'manual' ? { recordHint: item.recordHint } : {}),
    ...itemState,
  };
}

/** No record yet: still to do. The evidence carries no name; who recorded it is its own field. */
function manualView(item: ScalingItem, record: ScalingRecord | undefined): ScalingItemView {
  if (!record) return viewOf(item, { status: 'todo', evidence: 'not recorded yet' });
  const day = record.recordedAt.toISOString().slice(0, 10);
  return {
    ...viewOf(item, {
      status: record.done ? 'done' : 'todo',
      evidence: `recorded ${record.done ? 'done' : 'not done'} on ${day}`,
    }),
    recordedBy: record.recordedBy,
    recordedAt: record.recordedAt.toISOString(),
    ...(record.note !== null ? { note: record.note } : {}),
  };
}

function assembleReport(
  users: number,
  views: readonly ScalingItemView[],
  legacyFollow: readonly LegacyFollowRow[],
  at: Date,
  staleIntervals?: number,
): ScalingReport {
  const phaseOfItem = new Map(scalingItems.map((item) => [item.id, item.phase]));
  const counts = (items: readonly ScalingItemView[]) => {
    const count = (status: ItemState['status']) => items.filter((view) => view.status === status).length;
    return { done: count('done'), todo: count('todo'), unknown: count('unknown') };
  };
  const phases: PhaseView[] = scalingPhases.map((phase) => {
    const items = views.filter((view) => phaseOfItem.get(view.id) === phase.number);
    return { ...summarizePhase(phase), counts: counts(items), items };
  });
  const securityViews = views.filter((view) => view.section === 'security');
  const current = phaseForUsers(users);
  return {
    generatedAt: at.toISOString(),
    phase: summarizePhase(current),
    users,
    nextMilestone: milestoneAfter(users, current, phases),
    phases,
    costBreakdown: costBreakdown.map((row) => ({ ...row })),
    security: { heading: securityHeading, counts: counts(securityViews), items: securityViews },
    legacyFollow: legacyFollowViews(legacyFollow, at, staleIntervals),
  };
}

function milestoneAfter(
  users: number,
  current: ReturnType<typeof phaseForUsers>,
  phases: readonly PhaseView[],
): NextMilestone | null {
  if (users >= current.toUsers) return null;
  const next = phaseAfter(current);
  const nextView = next && phases.find((phase) => phase.number === next.number);
  return {
    users: current.toUsers,
    usersToGo: current.toUsers - users,
    phase: next ? { number: next.number, name: next.name } : null,
    prepare: (nextView?.items ?? []).filter((item) => item.status !== 'done').map((item) => item.id),
  };
}

/** Every item's status by id, for the milestone alerts' text. */
export function checklistStatuses(report: ScalingReport): Map<string, ItemState['status']> {
  const items = [...report.phases.flatMap((phase) => phase.items), ...report.security.items];
  return new Map(items.map((item) => [item.id, item.status]));
}

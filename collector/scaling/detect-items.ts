// Evaluates the detected items of the scaling checklist from facts already gathered (database signals,
// the collector's settings, the live health source): pure, so each rule is tested on its own.
// A rule answers 'unknown' when its source cannot tell, never a guess.
import type { DetectionSignal, GuideIndex } from '../../core/scaling/scaling-guide.ts';
import type {
  DatabaseSignals,
  ItemState,
  ScalingDatabaseSettings,
  ScalingHealthInputs,
} from './scaling-types.ts';

/** The health source's answer, or why there is none (no source wired, or it failed). */
export type HealthReading =
  | { readonly ok: true; readonly inputs: ScalingHealthInputs }
  | { readonly ok: false; readonly reason: string };

export interface DetectionFacts {
  readonly database: ScalingDatabaseSettings;
  readonly redisConfigured: boolean;
  readonly health: HealthReading;
  readonly signals: DatabaseSignals;
  readonly now: Date;
  /** The last successful scrape counts as recent up to this age. */
  readonly monitoringFreshSeconds: number;
}

const state = (status: ItemState['status'], evidence: string): ItemState => ({ status, evidence });

export function detectItem(signal: DetectionSignal, facts: DetectionFacts): ItemState {
  switch (signal.kind) {
    case 'databaseType':
      return facts.database.kind === 'postgres'
        ? state('done', 'the collector runs on PostgreSQL')
        : state('todo', 'the collector runs on the embedded database (PGlite): set DATABASE_URL');
    case 'connectionPool':
      return detectPool(facts.database);
    case 'index':
      return detectIndex(signal.index, facts.signals);
    case 'monitoringScrapes':
      return detectScrapes(facts);
    case 'rateLimitSeries':
      return withHealth(facts.health, detectRateLimiting);
    case 'agentInstances':
      return withHealth(facts.health, detectInstances);
    case 'redisConfigured':
      return facts.redisConfigured
        ? state('done', 'REDIS_URL is set')
        : state('todo', 'REDIS_URL is not set: each instance keeps its own rate-limit counters');
    case 'loadTestUsers':
      return detectLoadTest(facts.signals);
  }
}

function detectPool(database: ScalingDatabaseSettings): ItemState {
  if (database.kind === 'embedded') {
    return state('todo', 'the embedded database has no connection pool (one connection and a queue)');
  }
  const { max, idleTimeoutMillis, connectionTimeoutMillis } = database.pool;
  const settings = `max ${max}, idle timeout ${seconds(idleTimeoutMillis)}, connection timeout ${seconds(connectionTimeoutMillis)}`;
  // node-postgres reads 0 as "never": idle connections are never closed, a caller waits forever.
  if (idleTimeoutMillis === 0) return state('todo', `pool ${settings}: set DB_POOL_IDLE_TIMEOUT_MS above 0`);
  if (connectionTimeoutMillis === 0) {
    return state('todo', `pool ${settings}: set DB_POOL_CONNECTION_TIMEOUT_MS above 0`);
  }
  return state('done', `pool ${settings}`);
}

function detectIndex(index: GuideIndex, signals: DatabaseSignals): ItemState {
  const found = signals.indexes.get(index.name);
  const wanted = `${index.table}(${index.column})`;
  if (!found) return state('todo', `${index.name} is missing: CREATE INDEX ${index.name} ON ${wanted}`);
  const onColumns = `${found.table}(${found.columns.join(', ')})`;
  if (found.table !== index.table || found.columns[0] !== index.column) {
    return state('todo', `${index.name} is on ${onColumns}, not ${wanted}`);
  }
  if (!found.valid)
    return state('todo', `${index.name} on ${onColumns} is invalid: REINDEX INDEX ${index.name}`);
  return state('done', `${index.name} on ${onColumns}`);
}

function detectScrapes(facts: DetectionFacts): ItemState {
  if (!facts.health.ok) return state('unknown', facts.health.reason);
  const { lastSuccessAt } = facts.health.inputs;
  if (lastSuccessAt === null) return state('todo', 'no successful scrape yet');
  const ageMs = Math.max(0, facts.now.getTime() - lastSuccessAt);
  const ago = `last successful scrape ${duration(ageMs)} ago`;
  return ageMs <= facts.monitoringFreshSeconds * 1000
    ? state('done', ago)
    : state('todo', `${ago} (older than ${duration(facts.monitoringFreshSeconds * 1000)})`);
}

function withHealth(health: HealthReading, rule: (inputs: ScalingHealthInputs) => ItemState): ItemState {
  if (!health.ok) return state('unknown', health.reason);
  if (health.inputs.instanceCount === 0) return state('unknown', 'no agent instance is being scraped');
  return rule(health.inputs);
}

function detectInstances({ instanceCount }: ScalingHealthInputs): ItemState {
  const seen = `${instanceCount} agent instance${instanceCount === 1 ? '' : 's'} answering scrapes`;
  return instanceCount > 1 ? state('done', seen) : state('todo', seen);
}

/**
 * The agent exports pledgr_rate_limit_rejections_total (from 0) exactly when a limiter is on (agent/
 * rate-limit.ts), so every answering instance exporting it means "on"; with no instance answering the item
 * is 'unknown' (withHealth), and any instance without it is a gap.
 */
function detectRateLimiting(inputs: ScalingHealthInputs): ItemState {
  const { instanceCount, instancesWithRateLimiter: limited } = inputs;
  const of = `${limited} of ${instanceCount} instance${instanceCount === 1 ? '' : 's'}`;
  if (instanceCount > 0 && limited === instanceCount) {
    return state('done', `${of} run a rate limiter (pledgr_rate_limit_rejections_total is exported)`);
  }
  return state(
    'todo',
    `${of} run a rate limiter: the others export no pledgr_rate_limit_rejections_total (RATE_LIMIT_API=off?)`,
  );
}

function detectLoadTest(signals: DatabaseSignals): ItemState {
  if (signals.loadTestUsers === 0 || !signals.latestLoadTestAt) {
    return state('todo', 'no pulse load users registered in this database in the last 30 days');
  }
  const latest = signals.latestLoadTestAt.toISOString().slice(0, 10);
  const users = `${signals.loadTestUsers} pulse load user${signals.loadTestUsers === 1 ? '' : 's'}`;
  return state('done', `${users} registered in the last 30 days, the latest on ${latest}`);
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function duration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 600) return `${totalSeconds} s`;
  const minutes = Math.round(totalSeconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}

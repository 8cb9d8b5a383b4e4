// Evaluates the detected items of the scaling checklist from facts already gathered (database signals,
// the collector's settings, the live health source, the agents' setting series, the outside look at the
// monitored app): pure, so each rule is tested on its own.
// A rule answers 'unknown' when its source cannot tell, never a guess.
import {
  type DetectionSignal,
  type GuideIndex,
  guideIndexes,
  guideRateLimits,
} from '../../core/scaling/scaling-guide.ts';
import type { AgentSeriesReading, LimiterName } from './agent-series.ts';
import type { ExposedFilesReading } from './exposed-files.ts';
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

/** A reading from an optional source, or why there is none. */
export type Reading<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

export interface DetectionFacts {
  readonly database: ScalingDatabaseSettings;
  readonly redisConfigured: boolean;
  readonly health: HealthReading;
  /** The agents' setting series (rate-limit settings, trusted proxies, cache lookups). */
  readonly agentSeries: Reading<AgentSeriesReading>;
  /** The outside look at the monitored app (MONITORED_APP_URLS). */
  readonly exposedFiles: Reading<ExposedFilesReading>;
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
    case 'guideIndexes':
      return detectIndexes(facts.signals);
    case 'monitoringScrapes':
      return detectScrapes(facts);
    case 'loadBalancing':
      return withHealth(facts.health, (inputs) => detectLoadBalancing(inputs, facts.agentSeries));
    case 'cacheLookups':
      return withHealth(facts.health, detectCache);
    case 'redisConfigured':
      return facts.redisConfigured
        ? state('done', 'REDIS_URL is set')
        : state('todo', 'REDIS_URL is not set: each instance keeps its own rate-limit counters');
    case 'loadTestUsers':
      return detectLoadTest(facts.signals);
    case 'rateLimitSettings':
      return withHealth(facts.health, (inputs) => detectRateLimits(inputs, facts.agentSeries));
    case 'sensitiveFiles':
      return detectExposedFiles(facts.exposedFiles);
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

/** The guide's three indexes: done when all three exist on their columns and are valid. */
function detectIndexes(signals: DatabaseSignals): ItemState {
  const states = guideIndexes.map((index) => detectIndex(index, signals));
  const evidence = states.map((one) => one.evidence).join('; ');
  return state(states.every((one) => one.status === 'done') ? 'done' : 'todo', evidence);
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

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * Instances counted for an "every instance" rule: those answering (health source) or, if more, those whose
 * setting series were read. An instance exports a family only while its feature is on, so an instance can
 * be missing from the reading: it counts as "off".
 */
function instanceTotal(inputs: ScalingHealthInputs, reading: AgentSeriesReading): number {
  return Math.max(inputs.instanceCount, reading.instances.length);
}

/**
 * The guide's load balancing: more than one instance answering AND the instances trusting a proxy
 * (TRUST_PROXY, exported as pledgr_http_trusted_proxies), the sign that a balancer forwards to them. Without
 * that series (the drop-in agent on another app) "behind a proxy" cannot be observed: 'unknown', saying what
 * was seen.
 */
function detectLoadBalancing(
  inputs: ScalingHealthInputs,
  agentSeries: Reading<AgentSeriesReading>,
): ItemState {
  const seen = `${plural(inputs.instanceCount, 'agent instance')} answering scrapes`;
  if (inputs.instanceCount < 2) return state('todo', `${seen}: load balancing needs more than one`);
  if (!agentSeries.ok) return state('unknown', `${seen}; whether they trust a proxy: ${agentSeries.reason}`);
  const reporting = agentSeries.value.instances.filter((one) => one.trustedProxies !== null);
  if (reporting.length === 0) {
    return state(
      'unknown',
      `${seen}; whether they sit behind a proxy cannot be observed (no instance exports pledgr_http_trusted_proxies)`,
    );
  }
  const trusting = reporting.filter((one) => (one.trustedProxies ?? 0) > 0).length;
  if (trusting >= instanceTotal(inputs, agentSeries.value)) {
    return state('done', `${seen}, each trusting a proxy (TRUST_PROXY set)`);
  }
  return state(
    'todo',
    `${seen}; ${trusting} of ${plural(reporting.length, 'instance')} reporting trust a proxy: set TRUST_PROXY to the load balancer's address on every instance`,
  );
}

/**
 * The guide's caching strategy: the agents export pledgr_cache_lookups_total{cache="user_profile"} (from 0)
 * while the profile cache is on (REDIS_URL set), so the series on every answering instance means "on", as
 * for the rate limiter. The hit ratio over the look-back window is shown when there were look-ups.
 */
function detectCache(inputs: ScalingHealthInputs): ItemState {
  const { instanceCount, instancesWithCache: caching, profileCache } = inputs;
  const of = `${caching} of ${plural(instanceCount, 'instance')}`;
  if (caching === 0) {
    return state(
      'todo',
      'no instance caches user profiles (no pledgr_cache_lookups_total{cache="user_profile"}): set REDIS_URL on the agents',
    );
  }
  const ratio =
    profileCache && profileCache.lookups > 0 && profileCache.hitRatio !== null
      ? `, hit ratio ${percent(profileCache.hitRatio)} over the last hour (${count(profileCache.lookups)} look-ups: ${count(profileCache.hits)} hits, ${count(profileCache.misses)} misses, ${count(profileCache.errors)} errors)`
      : ', no look-ups in the last hour';
  return caching >= instanceCount
    ? state('done', `${of} cache user profiles in Redis${ratio}`)
    : state('todo', `${of} cache user profiles in Redis${ratio}: set REDIS_URL on the others`);
}

const count = (value: number) => Math.round(value).toLocaleString('en-US');

/**
 * The guide's "Rate Limiting": API 100 requests/15min, Auth 5 requests/15min. Each instance exports its
 * limiters' settings (pledgr_rate_limit_limit, pledgr_rate_limit_window_seconds) while they are on; every
 * answering instance must run both with the guide's numbers (stricter counts too: fewer requests, or the
 * same requests over a longer window).
 */
function detectRateLimits(inputs: ScalingHealthInputs, agentSeries: Reading<AgentSeriesReading>): ItemState {
  if (!agentSeries.ok) return state('unknown', agentSeries.reason);
  const series = agentSeries.value.instances;
  const total = instanceTotal(inputs, agentSeries.value);
  const problems: string[] = [];
  const seen: string[] = [];
  for (const limiter of ['api', 'auth'] as const satisfies readonly LimiterName[]) {
    const wanted = guideRateLimits[limiter];
    const settings = series.map((one) => one.rateLimits[limiter]).filter((one) => one !== undefined);
    const off = total - settings.length;
    if (off > 0) {
      problems.push(
        `${off} of ${plural(total, 'instance')} run no ${limiter} limiter (RATE_LIMIT_${limiter.toUpperCase()}=off, or no pledgr_rate_limit_limit: drop-in agent?)`,
      );
      continue;
    }
    const distinct = new Set(settings.map((one) => describeLimit(one.limit, one.windowSeconds)));
    seen.push(`${limiter} ${[...distinct].join(' / ')}`);
    const loose = settings.filter(
      (one) =>
        one.limit === null ||
        one.windowSeconds === null ||
        one.limit / one.windowSeconds > wanted.limit / wanted.windowSeconds ||
        one.limit > wanted.limit,
    ).length;
    if (loose > 0) {
      problems.push(
        `${limiter} allows more than the guide's ${describeLimit(wanted.limit, wanted.windowSeconds)} on ${plural(loose, 'instance')}`,
      );
    }
  }
  if (problems.length > 0) return state('todo', [...seen, ...problems].join('; '));
  return state(
    'done',
    `${plural(total, 'instance')}: ${seen.join(', ')} (the guide: API 100 requests/15min, Auth 5 requests/15min)`,
  );
}

function describeLimit(limit: number | null, windowSeconds: number | null): string {
  if (limit === null || windowSeconds === null) return 'unknown';
  const window = windowSeconds % 60 === 0 ? `${windowSeconds / 60}min` : `${windowSeconds}s`;
  return `${limit}/${window}`;
}

/** The outside look: any sensitive file served is a failure, named by URL path, never by content. */
function detectExposedFiles(reading: Reading<ExposedFilesReading>): ItemState {
  if (!reading.ok) return state('unknown', reading.reason);
  const { exposed, reachable, unreachable, pathsChecked } = reading.value;
  if (exposed.length > 0) {
    const served = exposed.map(
      (file) => `${file.origin}${file.path} (${file.looksLike}, HTTP ${file.status})`,
    );
    return state(
      'todo',
      `served to anyone: ${served.join(', ')}: stop serving the app's folder as static files; serve only a public/ folder`,
    );
  }
  if (reachable.length === 0) {
    return state('unknown', `the monitored app did not answer (${unreachable.join(', ')})`);
  }
  const skipped = unreachable.length > 0 ? `; no answer from ${unreachable.join(', ')}` : '';
  return state(
    unreachable.length > 0 ? 'unknown' : 'done',
    `${reachable.join(', ')} served none of ${pathsChecked.join(', ')}${skipped}`,
  );
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(1))} %`;
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

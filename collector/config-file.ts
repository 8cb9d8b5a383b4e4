// The collector's one configuration file (PULSE_CONFIG=path/to/pulse.config.json): the alert thresholds and
// the service-level objectives, read once at start and validated strictly, like every other setting
// (collector/config.ts reads it). `alerts` overrides any subset of core/alerts/thresholds.ts (same keys,
// same units: seconds, bytes, shares where 0.01 = 1 %, per-second rates, counts); `slo` holds the SLO_*
// settings in their own units (objectives as percentages, the latency threshold and window as text).
// Precedence: environment variable, then this file, then the defaults. An unknown key, a wrong type, a
// number out of range or a resolve threshold on the wrong side of its threshold stops the start with the
// file and the key path named. Example, equal to the defaults: collector/pulse.config.example.json.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { buildAlertRules } from '../core/alerts/rules.ts';
import type { AlertThresholds } from '../core/alerts/thresholds.ts';
import { duration } from '../core/config/env-types.ts';
import { ConfigError } from '../core/errors.ts';
import { buildSloCatalog, latencyBucketBounds, type SloSettings } from '../core/slo/slo-catalog.ts';

// --- SLO values: what both the SLO_* variables and the file's `slo` section accept ---
/** An objective as a percentage (99.9), read as a share (0.999); 100 % would leave no error budget. */
export function sloObjective(example: string) {
  return z
    .string()
    .regex(/^\d{1,2}(\.\d{1,4})?$/, `must be a percentage from 50 to 99.9999, e.g. ${example}`)
    .transform(Number)
    .refine(
      (n) => n >= 50 && n < 100,
      `must be from 50 to 99.9999 (100 leaves no error budget), e.g. ${example}`,
    )
    .transform((n) => Math.round(n * 10_000) / 1_000_000);
}

/** One of the agent's latency bucket bounds, as `500ms`; read as seconds. */
export function sloLatencyThreshold() {
  return z
    .enum(
      latencyBucketBounds.map((bound) => `${bound * 1000}ms`) as [string, ...string[]],
      `must be one of the agent's latency bucket bounds: ${latencyBucketBounds.map((b) => `${b * 1000}ms`).join(', ')}`,
    )
    .transform((text) => Number(text.slice(0, -2)) / 1000);
}

/** 1 to 90 days, as milliseconds; the burn-rate factors scale with it (14.4 × 1 h is 2 % of 30 days). */
export function sloWindow() {
  return duration(86_400_000, 90 * 86_400_000, '30d');
}
// --- end of SLO values ---

/** The file's `slo` section, read: each setting given, in SloSettings' units. */
export type SloFileSettings = Partial<SloSettings>;

function fileObjective(example: string) {
  // A JSON number written as in SLO_*_OBJECTIVE (99.9), checked by the same rules.
  return z
    .number({ error: `must be a number: a percentage from 50 to 99.9999, e.g. ${example}` })
    .transform(String)
    .pipe(sloObjective(example));
}

const sloFileSchema = z.strictObject({
  availabilityObjective: fileObjective('99.9').optional(),
  latencyObjective: fileObjective('99').optional(),
  latencyThreshold: sloLatencyThreshold().optional(),
  pledgeWritesObjective: fileObjective('99.9').optional(),
  window: sloWindow().optional(),
});

// --- Alert thresholds: every number of AlertThresholds, by kind ---
function numberIn(min: number, max: number, example: number, kind: string, whole = false) {
  const must = `must be ${whole ? 'a whole number' : 'a number'} from ${min} to ${max} (${kind}), e.g. ${example}`;
  return z
    .number({ error: must })
    .refine((n) => n >= min && n <= max && (!whole || Number.isInteger(n)), must)
    .optional();
}

const week = 7 * 86_400;
/** How long a condition must hold: whole seconds, 0 (at once) to a week. */
const forSeconds = () => numberIn(0, week, 300, 'seconds', true);
/** A keep-firing time: at least 1 s, since the rule has no resolve threshold and 0 would let it flap. */
const keepFiring = () => numberIn(1, week, 300, 'seconds; the rule has no resolve threshold', true);
const latencySeconds = (example: number) => numberIn(0.001, 60, example, 'seconds');
const share = (example: number) => numberIn(0, 1, example, 'a share: 0.01 is 1 %');
const count = (min: number, max: number, example: number) => numberIn(min, max, example, 'a count', true);
const bytes = (example: number) => numberIn(1, 2 ** 50, example, 'bytes', true);
const perSecond = (example: number) => numberIn(0, 1_000_000, example, 'per second');

const alertsFileSchema = z.strictObject({
  milestones: z
    .strictObject({
      nearShare: share(0.8),
      resolveShare: share(0.98),
      forSeconds: forSeconds(),
    })
    .optional(),
  embeddedDatabase: z
    .strictObject({
      maxUsers: count(1, 1_000_000, 100),
      resolveUsers: count(0, 1_000_000, 90),
      forSeconds: forSeconds(),
    })
    .optional(),
  pool: z
    .strictObject({
      pendingAbove: count(0, 1_000_000, 0),
      pendingForSeconds: forSeconds(),
      pendingKeepFiringSeconds: keepFiring(),
      usedShare: share(0.8),
      usedResolveShare: share(0.7),
      usedForSeconds: forSeconds(),
    })
    .optional(),
  databaseConnections: z
    .strictObject({
      warningShare: share(0.8),
      warningResolveShare: share(0.7),
      warningForSeconds: forSeconds(),
      criticalShare: share(0.95),
      criticalResolveShare: share(0.85),
      criticalForSeconds: forSeconds(),
    })
    .optional(),
  latency: z
    .strictObject({
      p95WarningSeconds: latencySeconds(0.5),
      p95WarningResolveSeconds: latencySeconds(0.4),
      p95CriticalSeconds: latencySeconds(1),
      p95CriticalResolveSeconds: latencySeconds(0.8),
      forSeconds: forSeconds(),
    })
    .optional(),
  errors: z
    .strictObject({
      warningRatio: share(0.01),
      warningResolveRatio: share(0.005),
      warningForSeconds: forSeconds(),
      criticalRatio: share(0.05),
      criticalResolveRatio: share(0.025),
      criticalForSeconds: forSeconds(),
      minRequestsPerSecond: perSecond(1),
    })
    .optional(),
  eventLoop: z
    .strictObject({
      p99Seconds: latencySeconds(0.1),
      resolveP99Seconds: latencySeconds(0.08),
      forSeconds: forSeconds(),
    })
    .optional(),
  memory: z
    .strictObject({
      heapUsedBytes: bytes(1_073_741_824),
      heapResolveBytes: bytes(939_524_096),
      rssBytes: bytes(1_610_612_736),
      rssResolveBytes: bytes(1_476_395_008),
      forSeconds: forSeconds(),
    })
    .optional(),
  rateLimit: z
    .strictObject({
      rejectionsPerSecond: perSecond(1),
      forSeconds: forSeconds(),
      keepFiringSeconds: keepFiring(),
    })
    .optional(),
  exposure: z.strictObject({ keepFiringSeconds: keepFiring() }).optional(),
  staleness: z
    .strictObject({
      healthStaleIntervals: count(1, 1_000, 3),
      kpiMaxAgeSeconds: numberIn(60, week, 900, 'seconds', true),
      forSeconds: forSeconds(),
      healthKeepFiringSeconds: keepFiring(),
      kpiKeepFiringSeconds: keepFiring(),
    })
    .optional(),
  legacyFollow: z
    .strictObject({
      staleIntervals: count(1, 1_000, 3),
      forSeconds: forSeconds(),
      keepFiringSeconds: keepFiring(),
    })
    .optional(),
  sloBurn: z
    .strictObject({
      forSeconds: forSeconds(),
      pageKeepFiringSeconds: keepFiring(),
      ticketKeepFiringSeconds: keepFiring(),
    })
    .optional(),
  business: z
    .strictObject({
      logoChurnMonthly: share(0.08),
      logoChurnResolveMonthly: share(0.06),
      minPledgersAtStart: count(0, 1_000_000, 30),
      conversionRelativeDrop: share(0.2),
      conversionResolveRelativeDrop: share(0.1),
      conversionTrailingPeriods: count(1, 24, 3),
      minConversionCohort: count(0, 1_000_000, 30),
      forSeconds: forSeconds(),
    })
    .optional(),
});

/** Keys of AlertThresholds the file may not set, and why. */
const notInFile: Readonly<Record<string, string>> = {
  'alerts.milestones.users':
    "not configurable: the scaling guide's phase boundaries (1K, 10K, 100K) name the milestone alerts and their checklists",
  'alerts.staleness.healthIntervalSeconds': 'set by HEALTH_SCRAPE_INTERVAL, not by the file',
};

/**
 * Each resolve threshold and the threshold it must stay below (every such rule fires above its line, so it
 * resolves under it). `1` stands for a share of the threshold itself. buildAlertRules' checkNoFlapping checks
 * the built rules too; this names the key.
 */
const resolveBelow: readonly (readonly [resolve: string, threshold: string | 1])[] = [
  ['milestones.resolveShare', 1],
  ['embeddedDatabase.resolveUsers', 'embeddedDatabase.maxUsers'],
  ['pool.usedResolveShare', 'pool.usedShare'],
  ['databaseConnections.warningResolveShare', 'databaseConnections.warningShare'],
  ['databaseConnections.criticalResolveShare', 'databaseConnections.criticalShare'],
  ['latency.p95WarningResolveSeconds', 'latency.p95WarningSeconds'],
  ['latency.p95CriticalResolveSeconds', 'latency.p95CriticalSeconds'],
  ['errors.warningResolveRatio', 'errors.warningRatio'],
  ['errors.criticalResolveRatio', 'errors.criticalRatio'],
  ['eventLoop.resolveP99Seconds', 'eventLoop.p99Seconds'],
  ['memory.heapResolveBytes', 'memory.heapUsedBytes'],
  ['memory.rssResolveBytes', 'memory.rssBytes'],
  ['business.logoChurnResolveMonthly', 'business.logoChurnMonthly'],
  ['business.conversionResolveRelativeDrop', 'business.conversionRelativeDrop'],
];

export const configFileSchema = z.strictObject({
  alerts: alertsFileSchema.optional(),
  slo: sloFileSchema.optional(),
});

export interface ConfigFile {
  /** The file as given (absolute), for messages. */
  readonly path: string;
  /** The defaults with the file's `alerts` laid over them. */
  readonly thresholds: AlertThresholds;
  readonly slo: SloFileSettings;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The keys the schema accepts at a path of the file (an object section). */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = configFileSchema;
  for (const key of path) {
    const inner: z.ZodType = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
    if (!(inner instanceof z.ZodObject)) return [];
    schema = (inner.shape as Record<PropertyKey, z.ZodType>)[key] as z.ZodType;
  }
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function fail(path: string, lines: readonly string[]): never {
  throw new ConfigError(`Invalid configuration file ${path} (PULSE_CONFIG):\n${lines.join('\n')}`);
}

/** The defaults with each section of `file` laid over its own (a deep merge, two levels). */
export function mergeThresholds(
  defaults: AlertThresholds,
  file: z.output<typeof alertsFileSchema> | undefined,
): AlertThresholds {
  const sections = Object.entries(defaults).map(([name, section]) => [
    name,
    { ...section, ...((file as Record<string, object> | undefined)?.[name] ?? {}) },
  ]);
  return Object.fromEntries(sections) as AlertThresholds;
}

function numberAt(thresholds: AlertThresholds, dotted: string): number {
  return valueAt(thresholds, dotted.split('.')) as number;
}

/** Resolve thresholds past their thresholds, one line each, naming the key the file set. */
function resolveProblems(thresholds: AlertThresholds, raw: unknown): string[] {
  const lines: string[] = [];
  const inFile = (dotted: string) => valueAt(raw, ['alerts', ...dotted.split('.')]) !== undefined;
  for (const [resolveKey, thresholdKey] of resolveBelow) {
    const resolveValue = numberAt(thresholds, resolveKey);
    const limit = thresholdKey === 1 ? 1 : numberAt(thresholds, thresholdKey);
    if (resolveValue < limit) continue;
    const other = thresholdKey === 1 ? '1 (the threshold itself)' : `alerts.${thresholdKey} (${limit})`;
    const named = thresholdKey !== 1 && !inFile(resolveKey) ? thresholdKey : resolveKey;
    const fix =
      named === resolveKey
        ? `must be below ${other}`
        : `must be above alerts.${resolveKey} (${resolveValue}), where the alert resolves`;
    lines.push(
      `  alerts.${named} (${numberAt(thresholds, named)}): ${fix}: an alert resolves on the lenient side of its threshold, or it would flap`,
    );
  }
  return lines;
}

/**
 * Reads and validates the file. Throws a ConfigError naming the file and each bad key: unreadable, not
 * JSON, unknown keys, wrong types, numbers out of range, resolve thresholds past their thresholds.
 */
export function readConfigFile(given: string, defaults: AlertThresholds): ConfigFile {
  const path = resolve(given);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return fail(path, [`  cannot be read: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail(path, [`  is not valid JSON: ${(error as Error).message}`]);
  }
  const result = configFileSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') {
        const known = knownKeys(issue.path).join(', ');
        return issue.keys.map((key) => {
          const dotted = [...issue.path, key].join('.');
          return `  ${dotted}: ${notInFile[dotted] ?? `unknown key; known here: ${known}`}`;
        });
      }
      const dotted = issue.path.length > 0 ? issue.path.join('.') : '(the whole file)';
      const message =
        issue.path.length === 0 ? 'must be a JSON object with "alerts" and/or "slo"' : issue.message;
      return [`  ${dotted} (${shown(valueAt(raw, issue.path))}): ${message}`];
    });
    return fail(path, lines);
  }
  const thresholds = mergeThresholds(defaults, result.data.alerts);
  const problems = resolveProblems(thresholds, raw);
  if (problems.length > 0) fail(path, problems);
  const s = result.data.slo ?? {};
  const slo: SloFileSettings = {
    ...(s.availabilityObjective !== undefined ? { availabilityObjective: s.availabilityObjective } : {}),
    ...(s.latencyObjective !== undefined ? { latencyObjective: s.latencyObjective } : {}),
    ...(s.latencyThreshold !== undefined ? { latencyThresholdSeconds: s.latencyThreshold } : {}),
    ...(s.pledgeWritesObjective !== undefined ? { pledgeWritesObjective: s.pledgeWritesObjective } : {}),
    ...(s.window !== undefined ? { windowSeconds: s.window / 1000 } : {}),
  };
  return { path, thresholds, slo };
}

/**
 * The alert catalog the configured thresholds and objectives make, built once at start to fail early: the
 * no-flapping check (checkNoFlapping) and the SLO catalog's own checks, with the file named when one is used.
 */
export function checkAlertCatalog(
  thresholds: AlertThresholds,
  slo: SloSettings,
  file: string | undefined,
): void {
  try {
    buildAlertRules(thresholds, buildSloCatalog(slo));
  } catch (error) {
    const where = file ? `configuration file ${file} (PULSE_CONFIG)` : 'configuration';
    throw new ConfigError(`Invalid ${where}:\n  alerts: ${(error as Error).message}`);
  }
}

// The built-in health source: every interval it fetches each agent's /metrics (with a timeout), turns the
// counter deltas since the previous scrape into one HealthPoint per instance and one for the total, and
// keeps them in fixed-capacity ring buffers sized retention / interval, so memory stays flat.

import type { WindowTraffic } from '../slo/window-traffic.ts';
import { BoundsInterner, type CompactBuckets, compactEntries } from './bucket-counts.ts';
import { type CanaryOptions, compareCanary, defaultCanaryOptions } from './canary.ts';
import { ratio } from './counter-delta.ts';
import { type InstanceSnapshot, parseExposition, snapshotsFrom } from './exposition.ts';
import {
  addCacheCounts,
  type CacheCounts,
  cacheLookupCount,
  type PointPart,
  pointFromParts,
  type StepDeltas,
  stepBetween,
} from './health-step.ts';
import { pollLoop } from './poll-loop.ts';
import { RingBuffer } from './ring-buffer.ts';
import type { HealthPoint, HealthSource, InstanceHealth, ProfileCacheWindow } from './types.ts';
import { addWindows, summarize, type WindowStats, type WindowSummary } from './window-stats.ts';

export interface ScrapeSettings {
  /** Agent metrics URLs (`http://host:9464/metrics`). */
  readonly targets: readonly string[];
  readonly intervalMs: number;
  /** How long a fetch may take before the target counts as down (default: the interval, at most 4 s). */
  readonly timeoutMs?: number;
  /** How long points are kept; capacity per series = retention / interval. */
  readonly retentionMs: number;
  readonly canary?: CanaryOptions;
}

export interface ScrapeDeps {
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
}

/** One stored interval: the derived point and the raw sums a window statistic needs. */
interface Slot {
  readonly point: HealthPoint;
  readonly seconds: number;
  readonly requests: number;
  readonly serverErrors: number;
  readonly pledgeWrites: number;
  readonly pledgeWritesSucceeded: number;
  readonly latency: CompactBuckets | null;
  /** Profile-cache look-ups in the interval; null when no instance served the cache counter. */
  readonly cache: CacheCounts | null;
}

/** The profile cache over stored intervals; null when none of them had the cache counter. */
function cacheWindow(slots: readonly Slot[]): ProfileCacheWindow | null {
  const sum = addCacheCounts(slots.map((slot) => slot.cache));
  if (!sum) return null;
  const lookups = cacheLookupCount(sum);
  return { ...sum, lookups, hitRatio: ratio(sum.hits, lookups) };
}

interface InstanceState {
  readonly instance: string;
  target: string;
  version: string | null;
  color: string | null;
  canary: boolean;
  up: boolean;
  readonly firstSeen: number;
  lastSeen: number;
  previous: { readonly t: number; readonly snapshot: InstanceSnapshot } | null;
  readonly slots: RingBuffer<Slot>;
}

export interface ScrapeSource extends HealthSource {
  readonly kind: 'scrape';
  /** One scrape round of every target now (the timer calls it; tests and benchmarks call it directly). */
  scrapeOnce(): Promise<void>;
  /** Requests, errors and latency summed over the window, in total and per instance. */
  summarize(windowSeconds: number): { total: WindowSummary; instances: ReadonlyMap<string, WindowSummary> };
  /** Ring-buffer capacity per series (retention / interval). */
  readonly capacity: number;
  /** Counts over the window, all instances (the SLO report); the window is clamped to the retention. */
  traffic(windowSeconds: number): WindowTraffic;
  /** Called after every scrape round that counted deltas, with their sum over all instances (the SLO ledger). */
  onTotalStep(listener: (step: TotalStep) => void): () => void;
}

/** One scrape round's counts, all instances together: its instant, the longest step it sums, the counts. */
export interface TotalStep {
  readonly t: number;
  readonly seconds: number;
  readonly traffic: WindowTraffic;
}

export const defaultScrapeIntervalMs = 5000;
export const defaultRetentionMs = 6 * 3_600_000;

export function createScrapeSource(settings: ScrapeSettings, deps: ScrapeDeps = {}): ScrapeSource {
  const now = deps.now ?? Date.now;
  const fetchImpl = deps.fetch ?? fetch;
  const timeoutMs = settings.timeoutMs ?? Math.min(settings.intervalMs, 4000);
  const capacity = Math.max(1, Math.ceil(settings.retentionMs / settings.intervalMs));
  const canaryOptions = settings.canary ?? defaultCanaryOptions;
  const interner = new BoundsInterner();
  const instances = new Map<string, InstanceState>();
  const total = new RingBuffer<Slot>(capacity);
  const listeners = new Set<(latest: HealthPoint | null) => void>();
  const stepListeners = new Set<(step: TotalStep) => void>();
  let lastSuccessAt: number | null = null;

  const slotFrom = (point: HealthPoint, steps: readonly StepDeltas[]): Slot => {
    const latency = new Map<number, number>();
    let requests = 0;
    let serverErrors = 0;
    let pledgeWrites = 0;
    let pledgeWritesSucceeded = 0;
    let seconds = 0;
    for (const step of steps) {
      requests += step.requests;
      serverErrors += step.serverErrors;
      pledgeWrites += step.pledgeWrites;
      pledgeWritesSucceeded += step.pledgeWritesSucceeded;
      seconds = Math.max(seconds, step.seconds);
      for (const [le, count] of step.latency) latency.set(le, (latency.get(le) ?? 0) + count);
    }
    return {
      point,
      seconds,
      requests,
      serverErrors,
      pledgeWrites,
      pledgeWritesSucceeded,
      latency: steps.length > 0 ? interner.compact(latency) : null,
      cache: addCacheCounts(steps.map((step) => step.cache)),
    };
  };

  async function fetchTarget(target: string): Promise<InstanceSnapshot[] | null> {
    try {
      const response = await fetchImpl(target, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) {
        await response.body?.cancel();
        return null;
      }
      return snapshotsFrom(await parseExposition(await response.text()), target);
    } catch {
      return null; // down, timed out, or not exposition text: the target is marked down, nothing invented
    }
  }

  async function scrapeRound(): Promise<void> {
    const t = now();
    const results = await Promise.all(
      settings.targets.map(async (target) => [target, await fetchTarget(target)] as const),
    );
    const parts: PointPart[] = [];
    const steps: StepDeltas[] = [];
    const seen = new Set<string>();
    for (const [target, snapshots] of results) {
      if (snapshots === null) {
        for (const state of instances.values()) if (state.target === target) state.up = false;
        continue;
      }
      for (const snapshot of snapshots) {
        seen.add(snapshot.instance);
        let state = instances.get(snapshot.instance);
        if (!state) {
          state = {
            instance: snapshot.instance,
            target,
            version: null,
            color: null,
            canary: false,
            up: true,
            firstSeen: t,
            lastSeen: t,
            previous: null,
            slots: new RingBuffer<Slot>(capacity),
          };
          instances.set(snapshot.instance, state);
        }
        const step = state.previous
          ? stepBetween(state.previous.snapshot, snapshot, (t - state.previous.t) / 1000)
          : null;
        const part: PointPart = { gauges: snapshot.gauges, step };
        state.slots.push(slotFrom(pointFromParts(t, [part]), step ? [step] : []));
        Object.assign(state, {
          target,
          version: snapshot.version,
          color: snapshot.color,
          canary: snapshot.canary,
          up: true,
          lastSeen: t,
          previous: { t, snapshot },
        });
        parts.push(part);
        if (step) steps.push(step);
      }
    }
    // An instance its target no longer reports (restarted under a new id) is down too.
    for (const state of instances.values()) if (!seen.has(state.instance)) state.up = false;
    evictAgedOut(t);
    let latestTotal: HealthPoint | null = null;
    if (parts.length > 0) {
      latestTotal = pointFromParts(t, parts);
      const slot = slotFrom(latestTotal, steps);
      total.push(slot);
      lastSuccessAt = t;
      if (steps.length > 0) {
        const step: TotalStep = { t, seconds: slot.seconds, traffic: trafficOf([slot]) };
        for (const listener of stepListeners) listener(step);
      }
    }
    for (const listener of listeners) listener(latestTotal);
  }

  /** Instances that are down and whose newest point left the retention are forgotten (bounded memory). */
  function evictAgedOut(t: number): void {
    for (const [id, state] of instances) {
      if (!state.up && state.lastSeen <= t - settings.retentionMs) instances.delete(id);
    }
  }

  const inWindow = (from: number) => (slot: Slot) => slot.point.t > from;

  /** Sums over stored intervals; `seconds` is the time they cover, so rates are per second of that time. */
  function statsOf(slots: readonly Slot[]): WindowStats {
    const sums = addWindows(
      slots.map((slot) => ({
        seconds: 0,
        requests: slot.requests,
        serverErrors: slot.serverErrors,
        latency: slot.latency ? [...compactEntries(slot.latency)] : [],
      })),
    );
    return { ...sums, seconds: slots.reduce((sum, slot) => sum + slot.seconds, 0) };
  }

  function trafficOf(slots: readonly Slot[]): WindowTraffic {
    const stats = statsOf(slots);
    return {
      requests: stats.requests,
      serverErrors: stats.serverErrors,
      latency: stats.latency,
      pledgeWrites: slots.reduce((sum, slot) => sum + slot.pledgeWrites, 0),
      pledgeWritesSucceeded: slots.reduce((sum, slot) => sum + slot.pledgeWritesSucceeded, 0),
    };
  }

  const clampWindow = (windowSeconds: number) => Math.min(windowSeconds, settings.retentionMs / 1000);

  function instanceHealth(state: InstanceState, points: readonly HealthPoint[]): InstanceHealth {
    return {
      instance: state.instance,
      version: state.version,
      color: state.color,
      canary: state.canary,
      target: state.target,
      up: state.up,
      lastSeen: state.lastSeen,
      points,
    };
  }

  const loop = pollLoop(settings.intervalMs, scrapeRound);
  const source: ScrapeSource = {
    kind: 'scrape',
    capacity,
    start: loop.start,
    stop: loop.stop,
    scrapeOnce: scrapeRound,
    async report(windowSeconds) {
      const seconds = clampWindow(windowSeconds);
      const generatedAt = now();
      const keep = inWindow(generatedAt - seconds * 1000);
      const members = [...instances.values()].map((state) => ({
        state,
        slots: state.slots.newestWhile(keep),
      }));
      const totalSlots = total.newestWhile(keep);
      return {
        source: 'scrape',
        windowSeconds: seconds,
        stepSeconds: settings.intervalMs / 1000,
        generatedAt,
        lastSuccessAt,
        total: totalSlots.map((slot) => slot.point),
        instances: members
          .filter(({ state, slots }) => state.up || slots.length > 0)
          .map(({ state, slots }) =>
            instanceHealth(
              state,
              slots.map((slot) => slot.point),
            ),
          ),
        canary: compareCanary(
          members
            .filter(({ state, slots }) => state.up || slots.length > 0)
            .map(({ state, slots }) => ({
              version: state.version,
              color: state.color,
              canary: state.canary,
              firstSeen: state.firstSeen,
              stats: statsOf(slots),
            })),
          canaryOptions,
        ),
        profileCache: cacheWindow(totalSlots),
      };
    },
    async latest() {
      const newest = total.newest();
      if (!newest || lastSuccessAt === null) return null;
      return {
        total: newest.point,
        lastSuccessAt,
        instances: [...instances.values()].map((state) => {
          const point = state.slots.newest()?.point;
          return instanceHealth(state, point ? [point] : []);
        }),
      };
    },
    onTick(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    traffic(windowSeconds) {
      return trafficOf(total.newestWhile(inWindow(now() - clampWindow(windowSeconds) * 1000)));
    },
    onTotalStep(listener) {
      stepListeners.add(listener);
      return () => stepListeners.delete(listener);
    },
    summarize(windowSeconds) {
      const keep = inWindow(now() - clampWindow(windowSeconds) * 1000);
      const byInstance = new Map<string, WindowSummary>();
      for (const state of instances.values())
        byInstance.set(state.instance, summarize(statsOf(state.slots.newestWhile(keep))));
      return { total: summarize(statsOf(total.newestWhile(keep))), instances: byInstance };
    },
  };
  return source;
}

// The agent's cache instruments, beside (not inside) agent/metrics/meter.ts: `pledgr.cache.lookups`, served
// as `pledgr_cache_lookups_total{cache, result}`. Its presence in a scrape is how the collector and the
// scaling checklist tell that the profile cache is on, so its name and labels are a contract, written once in
// core/telemetry/agent-metric-names.ts: cache is the cache's name (`user_profile`), result one of hit, miss,
// error. No user id or other personal data in labels.
import { attribute, instrument, type profileCache } from '../../core/telemetry/agent-metric-names.ts';
import { agentMeter } from '../metrics/meter.ts';

export type CacheName = typeof profileCache;
export type LookupResult = 'hit' | 'miss' | 'error';
export const lookupResults: readonly LookupResult[] = ['hit', 'miss', 'error'];

/** Counts one look-up of `cache` by result. */
export type LookupRecorder = (result: LookupResult) => void;

/**
 * The recorder of `cache`, with its three series created at 0, so the family is in the scrape from the start
 * (while the cache is on) and `rate()` has a starting point.
 */
export function cacheLookupRecorder(cache: CacheName): LookupRecorder {
  const lookups = agentMeter().createCounter(instrument.cacheLookups, {
    description:
      'Look-ups in the agent Redis caches by result: hit, miss (read from the database), error (Redis unavailable: read from the database)',
    unit: '{lookup}',
  });
  for (const result of lookupResults)
    lookups.add(0, { [attribute.cache]: cache, [attribute.cacheResult]: result });
  return (result) => lookups.add(1, { [attribute.cache]: cache, [attribute.cacheResult]: result });
}

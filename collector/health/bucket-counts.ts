// Cumulative histogram buckets keyed by upper bound, as deltas are summed across series and instances
// (Prometheus `sum by (le)`), and a compact form for the ring buffer whose bound list is shared between slots.
import type { Bucket } from './histogram-quantile.ts';

/** Upper bound → cumulative count; mutable while a step is being summed. */
export type BucketSums = Map<number, number>;

export function addBucket(sums: BucketSums, le: number, count: number): void {
  sums.set(le, (sums.get(le) ?? 0) + count);
}

export function addBuckets(into: BucketSums, from: Iterable<Bucket>): void {
  for (const bucket of from) addBucket(into, bucket.le, bucket.count);
}

export function toBuckets(sums: BucketSums): Bucket[] {
  return [...sums].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/** Buckets stored with their bounds array shared by every slot that has the same bounds. */
export interface CompactBuckets {
  readonly bounds: readonly number[];
  readonly counts: Float64Array;
}

export function* compactEntries(compact: CompactBuckets): Generator<Bucket> {
  for (let i = 0; i < compact.bounds.length; i++) {
    yield { le: compact.bounds[i] as number, count: compact.counts[i] as number };
  }
}

/** Interns bound lists so thousands of slots share a handful of arrays (bounded: a histogram has few layouts). */
export class BoundsInterner {
  private readonly known = new Map<string, readonly number[]>();
  constructor(private readonly limit = 64) {}

  compact(sums: BucketSums): CompactBuckets {
    const buckets = toBuckets(sums);
    const bounds = buckets.map((bucket) => bucket.le);
    const key = bounds.join(',');
    let shared = this.known.get(key);
    if (!shared) {
      shared = Object.freeze(bounds);
      if (this.known.size < this.limit) this.known.set(key, shared);
    }
    return { bounds: shared, counts: Float64Array.from(buckets, (bucket) => bucket.count) };
  }
}

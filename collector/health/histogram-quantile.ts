// histogram_quantile exactly as Prometheus computes it (promql/quantile.go, bucketQuantile): cumulative
// buckets sorted by upper bound, linear interpolation inside the bucket holding the rank, the lowest bucket
// starting at 0, and a rank that falls in the +Inf bucket answered with the highest finite upper bound.

/** One cumulative bucket: how many observations were ≤ `le`. */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of cumulative buckets, or null where Prometheus answers NaN: no observations,
 * fewer than two buckets, or no +Inf bucket.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | null {
  if (Number.isNaN(q)) return null;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const sorted = coalesce([...buckets].sort((a, b) => a.le - b.le));
  const last = sorted.at(-1);
  if (last === undefined || last.le !== Number.POSITIVE_INFINITY) return null;
  const counts = monotonic(sorted.map((bucket) => bucket.count));
  if (sorted.length < 2) return null;
  const observations = counts[counts.length - 1] as number;
  if (!(observations > 0)) return null;

  let rank = q * observations;
  // sort.Search over every bucket but +Inf: the first whose cumulative count reaches the rank.
  let b = 0;
  while (b < sorted.length - 1 && (counts[b] as number) < rank) b++;
  if (b === sorted.length - 1) return (sorted[sorted.length - 2] as Bucket).le;
  const bucketEnd = (sorted[b] as Bucket).le;
  if (b === 0 && bucketEnd <= 0) return bucketEnd;
  let bucketStart = 0;
  let count = counts[b] as number;
  if (b > 0) {
    bucketStart = (sorted[b - 1] as Bucket).le;
    count -= counts[b - 1] as number;
    rank -= counts[b - 1] as number;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/** Buckets with the same upper bound are added together (Prometheus coalesceBuckets). */
function coalesce(sorted: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  for (const bucket of sorted) {
    const previous = out.at(-1);
    if (previous && previous.le === bucket.le)
      out[out.length - 1] = { le: bucket.le, count: previous.count + bucket.count };
    else out.push(bucket);
  }
  return out;
}

/** Cumulative counts never decrease; a dip (from a partially scraped or summed histogram) is flattened. */
function monotonic(counts: number[]): number[] {
  let max = Number.NEGATIVE_INFINITY;
  return counts.map((count) => {
    max = Math.max(max, count);
    return max;
  });
}

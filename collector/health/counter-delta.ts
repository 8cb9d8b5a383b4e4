// Increase of a Prometheus counter between two scrapes, treating a decrease as a restart the way `rate` and
// `increase` do: after a reset the counter counted up from zero, so the increase is the new value.

/** How much a counter grew from `previous` to `current`; `current` itself when the counter was reset. */
export function counterIncrease(previous: number, current: number): number {
  return current < previous ? current : current - previous;
}

/** Per-second rate of an increase over `seconds`; null when the interval is empty. */
export function perSecond(increase: number, seconds: number): number | null {
  return seconds > 0 ? increase / seconds : null;
}

/** numerator / denominator, or null when there is nothing to divide by (a ratio of no requests). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

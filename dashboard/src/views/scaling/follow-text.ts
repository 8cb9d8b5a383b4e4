// The legacy follow panel in words: what is followed and how fresh it is ("Data followed from the legacy
// SQLite file pledgr.db — last sync 42 s ago (every 60 s); 3 syncs, 1,234 rows imported, 5 cancels
// observed"), and its state with what to do about it. Ages are as of the report's generatedAt.
import type { LegacyFollowState, LegacyFollowView } from '../../lib/api-types.ts';
import { formatAge, formatCount } from '../../lib/format.ts';

const age = (seconds: number) => formatAge(seconds).text;
const counted = (count: number, one: string, many: string) =>
  `${formatCount(count).text} ${count === 1 ? one : many}`;

export function followSummary(follow: LegacyFollowView): string {
  const figures = [
    counted(follow.syncs, 'sync', 'syncs'),
    counted(follow.rowsImported, 'row imported', 'rows imported'),
    ...(follow.rowsSkipped > 0 ? [counted(follow.rowsSkipped, 'row skipped', 'rows skipped')] : []),
    counted(follow.cancelsObserved, 'cancel observed', 'cancels observed'),
  ];
  return (
    `Data followed from the legacy SQLite file ${follow.file} — last sync ${age(follow.freshnessSeconds)} ago ` +
    `(every ${age(follow.intervalSeconds)}); ${figures.join(', ')}`
  );
}

/** Icon and word, never colour alone. */
export const followStateLabel: Record<LegacyFollowState, string> = {
  following: '✓ following',
  stale: '⚠ stale',
  failing: '✕ failing',
};

/** What the state means for this file; `generatedAt` is the report's instant (ISO). */
export function followStateDetail(follow: LegacyFollowView, generatedAt: string): string {
  switch (follow.state) {
    case 'following':
      return `synced within the last ${age(3 * follow.intervalSeconds)}`;
    case 'stale':
      return `no sync for ${age(follow.freshnessSeconds)} — is the follower running? Restart pulse import-sqlite FILE --follow`;
    case 'failing': {
      const since = follow.lastErrorAt
        ? ` ${age(Math.max(0, (Date.parse(generatedAt) - Date.parse(follow.lastErrorAt)) / 1000))} ago`
        : '';
      return `the last sync failed${since}: ${follow.lastError ?? 'no error message was recorded'}`;
    }
  }
}

// The legacy follow panel's words, without a browser: ages in s / min / h / d (rounded down), the summary
// sentence with its counts and plurals, and each state's detail (stale asks whether the follower runs,
// failing gives the last error and how long ago).
import { describe, expect, it } from 'vitest';
import type { LegacyFollowView } from '../../dashboard/src/lib/api-types.ts';
import { formatAge } from '../../dashboard/src/lib/format.ts';
import { followStateDetail, followSummary } from '../../dashboard/src/views/scaling/follow-text.ts';

describe('formatAge', () => {
  it.each([
    [0, '0 s'],
    [42.9, '42 s'],
    [119, '119 s'],
    [120, '2 min'],
    [7_199, '119 min'],
    [7_200, '2 h'],
    [172_799, '47 h'],
    [172_800, '2 d'],
  ])('shows %d s as %s', (seconds, text) => {
    expect(formatAge(seconds)).toEqual({ text });
  });

  it('shows a missing or negative age as missing, with the reason', () => {
    expect(formatAge(null)).toEqual({ text: '—', reason: 'not yet' });
    expect(formatAge(-1, 'clock skew')).toEqual({ text: '—', reason: 'clock skew' });
    expect(formatAge(Number.NaN).text).toBe('—');
  });
});

const generatedAt = '2026-06-01T00:00:00.000Z';
const follow = (overrides: Partial<LegacyFollowView> = {}): LegacyFollowView => ({
  file: 'pledgr.db',
  state: 'following',
  intervalSeconds: 60,
  startedAt: '2026-05-31T23:00:00.000Z',
  lastSyncAt: '2026-05-31T23:59:18.000Z',
  fileModifiedAt: '2026-05-31T23:59:10.000Z',
  freshnessSeconds: 42,
  syncs: 3,
  rowsImported: 1_234,
  rowsSkipped: 0,
  cancelsObserved: 5,
  lastError: null,
  lastErrorAt: null,
  ...overrides,
});

describe('the legacy follow panel in words', () => {
  it('says what is followed, how fresh it is and the counts', () => {
    expect(followSummary(follow())).toBe(
      'Data followed from the legacy SQLite file pledgr.db — last sync 42 s ago (every 60 s); 3 syncs, 1,234 rows imported, 5 cancels observed',
    );
    expect(
      followSummary(
        follow({
          intervalSeconds: 300,
          freshnessSeconds: 3_700,
          syncs: 1,
          rowsImported: 1,
          rowsSkipped: 2,
          cancelsObserved: 1,
        }),
      ),
    ).toBe(
      'Data followed from the legacy SQLite file pledgr.db — last sync 61 min ago (every 5 min); 1 sync, 1 row imported, 2 rows skipped, 1 cancel observed',
    );
  });

  it('tells each state', () => {
    expect(followStateDetail(follow(), generatedAt)).toBe('synced within the last 3 min');
    expect(followStateDetail(follow({ state: 'stale', freshnessSeconds: 600 }), generatedAt)).toBe(
      'no sync for 10 min — is the follower running? Restart pulse import-sqlite FILE --follow',
    );
    expect(
      followStateDetail(
        follow({
          state: 'failing',
          lastError: 'SQLITE_BUSY: database is locked',
          lastErrorAt: '2026-05-31T23:59:50.000Z',
        }),
        generatedAt,
      ),
    ).toBe('the last sync failed 10 s ago: SQLITE_BUSY: database is locked');
  });
});

// The per-artist view (queries/kpi/artists.sql): for a range, each artist's fans, MRR, new and churned,
// largest first, with the logo churn rate and the sample it rests on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineQuery } from '../db/query.ts';
import type { Db } from '../db/types.ts';
import { queriesDir } from '../queries-dir.ts';
import { ratio } from './assemble.ts';
import type { ParsedRange } from './kpi-request.ts';

export interface ArtistKpis {
  readonly artistId: number;
  readonly name: string;
  readonly pledgersAtStart: number;
  readonly pledgersAtEnd: number;
  readonly mrrStartCents: number;
  readonly mrrEndCents: number;
  readonly newPledgers: number;
  readonly newMrrCents: number;
  readonly reactivationMrrCents: number;
  readonly expansionMrrCents: number;
  readonly contractionMrrCents: number;
  readonly churnedPledgers: number;
  readonly churnedMrrCents: number;
  readonly logoChurnRate: number | null;
}

export interface ArtistReport {
  readonly from: string;
  readonly to: string;
  readonly currency: string;
  /** Artists with any fan in the range; `artists` holds the first `limit` of them. */
  readonly sampleSize: number;
  readonly artists: readonly ArtistKpis[];
}

type ArtistRow = Omit<ArtistKpis, 'logoChurnRate'> & { artistCount: number };

const artistsQuery = defineQuery<{ rangeStart: Date; rangeEnd: Date; limit: number }, ArtistRow>(
  'kpi.artists',
  readFileSync(join(queriesDir, 'kpi', 'artists.sql'), 'utf8'),
);

export const maxArtistsPerRequest = 500;

export async function artistReport(
  db: Db,
  range: ParsedRange,
  limit: number,
  currency: string,
): Promise<ArtistReport> {
  const rows = await db.query(artistsQuery, { rangeStart: range.from, rangeEnd: range.to, limit });
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    currency,
    sampleSize: rows[0]?.artistCount ?? 0,
    artists: rows.map(({ artistCount: _, ...row }) => ({
      ...row,
      logoChurnRate: ratio(row.churnedPledgers, row.pledgersAtStart),
    })),
  };
}

// Artists: keyset-paginated listing, one artist with its current number of fans, and creation.
import { defineQuery } from '../../core/db/query.ts';
import type { Queryable } from '../../core/db/types.ts';

export interface ArtistRow {
  id: number;
  name: string;
  userId: number | null;
  createdAt: Date;
}

const listArtists = defineQuery<{ after: number; limit: number }, ArtistRow>(
  'artists.list',
  `SELECT id, name, user_id AS "userId", created_at AS "createdAt" FROM artists
    WHERE id > :after ORDER BY id LIMIT :limit`,
);
const findArtist = defineQuery<{ id: number }, ArtistRow & { activePledgers: number }>(
  'artists.find',
  `SELECT a.id, a.name, a.user_id AS "userId", a.created_at AS "createdAt",
          (SELECT count(DISTINCT p.user_id) FROM pledges p
            WHERE p.artist_id = a.id AND p.cancelled_at IS NULL) AS "activePledgers"
     FROM artists a WHERE a.id = :id`,
);
const insertArtist = defineQuery<{ name: string; userId: number }, ArtistRow>(
  'artists.insert',
  `INSERT INTO artists (name, user_id) VALUES (:name, :userId)
   RETURNING id, name, user_id AS "userId", created_at AS "createdAt"`,
);

export function listArtistsAfter(db: Queryable, after: number, limit: number) {
  return db.query(listArtists, { after, limit });
}

export async function getArtist(db: Queryable, id: number) {
  const [row] = await db.query(findArtist, { id });
  return row ?? null;
}

export async function createArtist(db: Queryable, name: string, userId: number): Promise<ArtistRow> {
  const [row] = await db.query(insertArtist, { name, userId });
  if (!row) throw new Error('artists.insert returned no row');
  return row;
}

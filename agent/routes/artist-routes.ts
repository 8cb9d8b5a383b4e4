// Artists: public listing (keyset pagination: ?after=<last id>&limit=) and detail; creation by a signed-in
// user, who becomes the artist's owner.
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../core/db/types.ts';
import { HttpError } from '../../core/http/http-errors.ts';
import { parseInput, parseQuery } from '../../core/http/parse-input.ts';
import { createArtist, getArtist, listArtistsAfter } from '../stores/artist-store.ts';
import { pathId } from './id-param.ts';
import { presentArtist } from './present.ts';
import { requireUser, signedInUser } from './require-user.ts';

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`);

const listSchema = z.strictObject({
  after: wholeNumber(0, Number.MAX_SAFE_INTEGER).default(0),
  limit: wholeNumber(1, 100).default(20),
});
const createSchema = z.strictObject({
  name: z
    .string({ error: 'is required, as text' })
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters'),
});

export function artistRoutes(db: Db): Router {
  const router = Router();

  router.get('/api/artists', async (req, res) => {
    const { after, limit } = parseQuery(listSchema, req.query);
    const artists = await listArtistsAfter(db, after, limit);
    const last = artists.at(-1);
    res.json({
      artists: artists.map(presentArtist),
      nextAfter: artists.length === limit && last ? last.id : null,
    });
  });

  router.get('/api/artists/:id', async (req, res) => {
    const id = pathId(req.params.id, 'artist');
    const artist = await getArtist(db, id);
    if (!artist) throw new HttpError(404, 'not_found', `no artist with id ${id}`);
    res.json({ artist: presentArtist(artist) });
  });

  router.post('/api/artists', requireUser(db), async (req, res) => {
    const { name } = parseInput(createSchema, req.body);
    res.status(201).json({ artist: presentArtist(await createArtist(db, name, signedInUser(res))) });
  });

  return router;
}

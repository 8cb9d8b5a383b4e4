// The signed-in user (their profile through the profile cache: Redis when REDIS_URL is set) and their pledges
// (always from the database: pledge data is never cached).
import { Router } from 'express';
import type { Db } from '../../core/db/types.ts';
import { HttpError } from '../../core/http/http-errors.ts';
import type { ProfileCache } from '../cache/profile-cache.ts';
import { listUserPledges } from '../stores/pledge-store.ts';
import { presentPledge } from './present.ts';
import { requireUser, signedInUser } from './require-user.ts';

export function meRoutes(db: Db, profiles: ProfileCache): Router {
  const router = Router();
  router.use('/api/me', requireUser(db));

  router.get('/api/me', async (_req, res) => {
    const user = await profiles.profile(db, signedInUser(res));
    if (!user) throw new HttpError(401, 'unauthorized', 'the account no longer exists');
    res.json({
      user: { id: user.id, email: user.email, name: user.name, createdAt: user.createdAt.toISOString() },
    });
  });

  router.get('/api/me/pledges', async (_req, res) => {
    res.json({ pledges: (await listUserPledges(db, signedInUser(res))).map(presentPledge) });
  });

  return router;
}

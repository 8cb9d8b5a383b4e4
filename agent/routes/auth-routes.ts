// Registration, login and logout. Passwords are hashed with scrypt; a wrong email and a wrong password get
// the same 401 after the same work (an unknown email is checked against a fixed dummy hash), so neither the
// answer nor its timing tells whether an account exists. Registration's 409 does say an email is taken: that
// is accepted, as on every sign-up form, and the auth rate limit bounds how fast anyone can ask.
//
// Users imported from the legacy app keep their bcrypt hash until their first successful login, which
// re-hashes the password with scrypt (as it does for scrypt hashes below the current parameters). The dummy
// hash is scrypt, like every registered and upgraded user's: a login for an imported user who has not signed
// in since the import costs bcrypt time instead (bcryptjs at cost 10: about twice scrypt's), which is the one
// timing difference left, and it disappears with that user's first login.
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../core/db/types.ts';
import { HttpError } from '../../core/http/http-errors.ts';
import { parseInput } from '../../core/http/parse-input.ts';
import { hashPassword, needsRehash, verifyPassword } from '../../core/password.ts';
import type { ProfileCache } from '../cache/profile-cache.ts';
import { createSession, revokeToken } from '../stores/session-store.ts';
import { createUser, findCredentialsByEmail, upgradePasswordHash } from '../stores/user-store.ts';
import { bearerToken } from './require-user.ts';

const email = z
  .string({ error: 'is required, as text' })
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email({ error: 'must be an email address' }));
const password = z
  .string({ error: 'is required, as text' })
  .min(8, 'must be at least 8 characters')
  .max(200, 'must be at most 200 characters');

const registerSchema = z.strictObject({
  email,
  password,
  name: z
    .string({ error: 'must be text' })
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .nullish(),
});
const loginSchema = z.strictObject({ email, password: z.string({ error: 'is required, as text' }).max(200) });

let dummy: Promise<string> | undefined;
/** A hash of a random secret, made on first use and verified for unknown emails so they cost what known ones do. */
const dummyHash = () => (dummy ??= hashPassword(randomBytes(32).toString('base64url')));

export function authRoutes(db: Db, sessionTtlHours: number, profiles: ProfileCache): Router {
  const router = Router();

  router.post('/api/auth/register', async (req, res) => {
    const input = parseInput(registerSchema, req.body);
    const user = await createUser(db, {
      email: input.email,
      passwordHash: await hashPassword(input.password),
      name: input.name ?? null,
    });
    if (!user) throw new HttpError(409, 'email_taken', 'an account with this email already exists');
    const token = await createSession(db, user.id, sessionTtlHours);
    res.status(201).json({ user: { id: user.id, email: user.email, name: user.name }, token });
  });

  router.post('/api/auth/login', async (req, res) => {
    const input = parseInput(loginSchema, req.body);
    const candidates = await findCredentialsByEmail(db, input.email);
    if (candidates.length === 0) await verifyPassword(input.password, await dummyHash());
    let credentials: (typeof candidates)[number] | undefined;
    // Case variants from a legacy import each keep their own password: the first account it opens signs in.
    for (const candidate of candidates) {
      if (await verifyPassword(input.password, candidate.passwordHash)) {
        credentials = candidate;
        break;
      }
    }
    if (!credentials) throw new HttpError(401, 'invalid_credentials', 'wrong email or password');
    if (needsRehash(credentials.passwordHash)) {
      // Compare-and-set on the old hash: of two concurrent first logins, one replaces it and the other's
      // update matches no row (so a password changed meanwhile is never overwritten). Losing is not an error.
      const replaced = await upgradePasswordHash(db, {
        id: credentials.id,
        expected: credentials.passwordHash,
        replacement: await hashPassword(input.password),
      });
      // The cached profile holds no hash, but a write to the user's row always invalidates it.
      if (replaced) await profiles.invalidate(credentials.id);
    }
    res.json({ token: await createSession(db, credentials.id, sessionTtlHours) });
  });

  router.post('/api/auth/logout', async (req, res) => {
    const token = bearerToken(req.get('authorization'));
    if (token) await revokeToken(db, token);
    res.status(204).end();
  });

  return router;
}

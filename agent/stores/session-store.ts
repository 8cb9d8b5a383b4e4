// Sessions: opaque random bearer tokens. Only a SHA-256 hash is stored, so a database read never yields a
// usable token; each has an expiry and can be revoked.
import { createHash, randomBytes } from 'node:crypto';
import { defineQuery } from '../../core/db/query.ts';
import type { Queryable } from '../../core/db/types.ts';

const insertSession = defineQuery<{ tokenHash: string; userId: number; ttlHours: number }, never>(
  'sessions.insert',
  `INSERT INTO sessions (token_hash, user_id, expires_at)
   VALUES (:tokenHash, :userId, now() + make_interval(hours => :ttlHours::int))`,
);
const findSessionUser = defineQuery<{ tokenHash: string }, { userId: number }>(
  'sessions.findUser',
  `SELECT user_id AS "userId" FROM sessions
    WHERE token_hash = :tokenHash AND revoked_at IS NULL AND expires_at > now()`,
);
const revokeSession = defineQuery<{ tokenHash: string }, never>(
  'sessions.revoke',
  'UPDATE sessions SET revoked_at = now() WHERE token_hash = :tokenHash AND revoked_at IS NULL',
);

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export async function createSession(db: Queryable, userId: number, ttlHours: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(insertSession, { tokenHash: hashToken(token), userId, ttlHours });
  return token;
}

/** The user a live (unexpired, unrevoked) token belongs to, or null. */
export async function userOfToken(db: Queryable, token: string): Promise<number | null> {
  const [row] = await db.query(findSessionUser, { tokenHash: hashToken(token) });
  return row?.userId ?? null;
}

export async function revokeToken(db: Queryable, token: string): Promise<void> {
  await db.query(revokeSession, { tokenHash: hashToken(token) });
}

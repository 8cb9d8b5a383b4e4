// Users of the pledge API: registration (emails are unique, compared lower-cased), look-ups, and the upgrade of
// a stored password hash to the current scheme.
import { defineQuery } from '../../core/db/query.ts';
import type { Queryable } from '../../core/db/types.ts';

export interface UserRow {
  id: number;
  email: string;
  name: string | null;
  createdAt: Date;
}

const insertUser = defineQuery<{ email: string; passwordHash: string; name: string | null }, UserRow>(
  'users.insert',
  `INSERT INTO users (email, password_hash, name) VALUES (:email, :passwordHash, :name)
   ON CONFLICT (email) DO NOTHING
   RETURNING id, email, name, created_at AS "createdAt"`,
);
// Every account whose email matches without regard to case: the exact (lower-case) spelling first, then the
// case variants a legacy import kept (the old app compared emails case-sensitively), oldest first.
const findCredentials = defineQuery<{ email: string }, { id: number; passwordHash: string }>(
  'users.findCredentials',
  `SELECT id, password_hash AS "passwordHash" FROM users
   WHERE lower(email) = :email
   ORDER BY email = :email DESC, id
   LIMIT 8`,
);
const replacePasswordHash = defineQuery<
  { id: number; expected: string; replacement: string },
  { id: number }
>(
  'users.replacePasswordHash',
  `UPDATE users SET password_hash = :replacement
   WHERE id = :id AND password_hash = :expected
   RETURNING id`,
);
const findUser = defineQuery<{ id: number }, UserRow>(
  'users.find',
  'SELECT id, email, name, created_at AS "createdAt" FROM users WHERE id = :id',
);

/** Null when the email is taken. */
export async function createUser(
  db: Queryable,
  input: { email: string; passwordHash: string; name: string | null },
) {
  const [row] = await db.query(insertUser, input);
  return row ?? null;
}

/** The accounts a login with `email` (lower-cased) may be for, in the order a password is tried on them. */
export function findCredentialsByEmail(db: Queryable, email: string) {
  return db.query(findCredentials, { email });
}

/**
 * Replaces the user's password hash only if it is still `expected` (compare-and-set), so two concurrent logins
 * that both upgrade the same old hash cannot overwrite each other's result, nor a password change made
 * meanwhile. True when this call replaced it.
 */
export async function upgradePasswordHash(
  db: Queryable,
  input: { id: number; expected: string; replacement: string },
): Promise<boolean> {
  const rows = await db.query(replacePasswordHash, input);
  return rows.length > 0;
}

export async function getUser(db: Queryable, id: number): Promise<UserRow | null> {
  const [row] = await db.query(findUser, { id });
  return row ?? null;
}

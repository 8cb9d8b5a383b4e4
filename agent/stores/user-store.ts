// Users of the pledge API: registration (emails are unique, compared lower-cased) and look-ups.
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
const findCredentials = defineQuery<{ email: string }, { id: number; passwordHash: string }>(
  'users.findCredentials',
  'SELECT id, password_hash AS "passwordHash" FROM users WHERE email = :email',
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

export async function findCredentialsByEmail(db: Queryable, email: string) {
  const [row] = await db.query(findCredentials, { email });
  return row ?? null;
}

export async function getUser(db: Queryable, id: number): Promise<UserRow | null> {
  const [row] = await db.query(findUser, { id });
  return row ?? null;
}

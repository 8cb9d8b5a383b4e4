// Pledges: create (idempotent under a key), change the amount (cancel + create at the same instant, in one
// transaction), cancel, and list. Writes lock the pledge row so two changes cannot both win.
import { defineQuery } from '../../core/db/query.ts';
import type { Queryable } from '../../core/db/types.ts';

export interface PledgeRow {
  id: number;
  userId: number;
  artistId: number;
  amountCents: number;
  createdAt: Date;
  cancelledAt: Date | null;
}

const columns = `id, user_id AS "userId", artist_id AS "artistId", amount_cents AS "amountCents",
                 created_at AS "createdAt", cancelled_at AS "cancelledAt"`;

const insertPledge = defineQuery<{ userId: number; artistId: number; amountCents: number }, PledgeRow>(
  'pledges.insert',
  `INSERT INTO pledges (user_id, artist_id, amount_cents) VALUES (:userId, :artistId, :amountCents)
   RETURNING ${columns}`,
);
const lockPledge = defineQuery<{ id: number }, PledgeRow>(
  'pledges.lock',
  `SELECT ${columns} FROM pledges WHERE id = :id FOR UPDATE`,
);
const cancelPledge = defineQuery<{ id: number }, PledgeRow>(
  'pledges.cancel',
  `UPDATE pledges SET cancelled_at = now() WHERE id = :id AND cancelled_at IS NULL RETURNING ${columns}`,
);
/** The replacement starts at the transaction's now(): the very instant the old pledge was cancelled. */
const insertReplacement = defineQuery<{ userId: number; artistId: number; amountCents: number }, PledgeRow>(
  'pledges.insertReplacement',
  `INSERT INTO pledges (user_id, artist_id, amount_cents, created_at) VALUES (:userId, :artistId, :amountCents, now())
   RETURNING ${columns}`,
);
const listForUser = defineQuery<{ userId: number }, PledgeRow>(
  'pledges.listForUser',
  `SELECT ${columns} FROM pledges WHERE user_id = :userId ORDER BY created_at DESC, id DESC`,
);
const artistExists = defineQuery<{ id: number }, { id: number }>(
  'artists.exists',
  'SELECT id FROM artists WHERE id = :id',
);
const lockIdempotencyKey = defineQuery<{ lockKey: string }, { locked: string }>(
  'idempotency.lock',
  'SELECT pg_advisory_xact_lock(hashtextextended(:lockKey, 0))::text AS locked',
);
const findIdempotencyKey = defineQuery<
  { userId: number; key: string },
  { requestHash: string; pledgeId: number }
>(
  'idempotency.find',
  `SELECT request_hash AS "requestHash", pledge_id AS "pledgeId" FROM idempotency_keys
    WHERE user_id = :userId AND key = :key`,
);
const insertIdempotencyKey = defineQuery<
  { userId: number; key: string; requestHash: string; pledgeId: number },
  never
>(
  'idempotency.insert',
  'INSERT INTO idempotency_keys (user_id, key, request_hash, pledge_id) VALUES (:userId, :key, :requestHash, :pledgeId)',
);
const findPledge = defineQuery<{ id: number }, PledgeRow>(
  'pledges.find',
  `SELECT ${columns} FROM pledges WHERE id = :id`,
);

export type CreateOutcome =
  | { kind: 'created' | 'replayed'; pledge: PledgeRow }
  | { kind: 'unknownArtist' }
  | { kind: 'keyReused' };

export interface CreateRequest {
  readonly userId: number;
  readonly artistId: number;
  readonly amountCents: number;
  readonly idempotencyKey?: string | undefined;
}

/** Must run in a transaction: the advisory lock makes concurrent retries under one key wait for the first. */
export async function createPledge(tx: Queryable, request: CreateRequest): Promise<CreateOutcome> {
  const { userId, artistId, amountCents, idempotencyKey } = request;
  const requestHash = `${artistId}:${amountCents}`;
  if (idempotencyKey !== undefined) {
    await tx.query(lockIdempotencyKey, { lockKey: `${userId}:${idempotencyKey}` });
    const [previous] = await tx.query(findIdempotencyKey, { userId, key: idempotencyKey });
    if (previous) {
      if (previous.requestHash !== requestHash) return { kind: 'keyReused' };
      const [pledge] = await tx.query(findPledge, { id: previous.pledgeId });
      if (pledge) return { kind: 'replayed', pledge };
    }
  }
  if ((await tx.query(artistExists, { id: artistId })).length === 0) return { kind: 'unknownArtist' };
  const [pledge] = await tx.query(insertPledge, { userId, artistId, amountCents });
  if (!pledge) throw new Error('pledges.insert returned no row');
  if (idempotencyKey !== undefined) {
    await tx.query(insertIdempotencyKey, { userId, key: idempotencyKey, requestHash, pledgeId: pledge.id });
  }
  return { kind: 'created', pledge };
}

export type ChangeOutcome =
  | { kind: 'changed' | 'cancelled' | 'alreadyCancelled'; pledge: PledgeRow }
  | { kind: 'notFound' | 'notOwner' | 'sameAmount' | 'inactive' };

/** Must run in a transaction: cancels the pledge and creates its replacement at the same instant. */
export async function changePledgeAmount(
  tx: Queryable,
  id: number,
  userId: number,
  amountCents: number,
): Promise<ChangeOutcome> {
  const [current] = await tx.query(lockPledge, { id });
  if (!current) return { kind: 'notFound' };
  if (current.userId !== userId) return { kind: 'notOwner' };
  if (current.cancelledAt !== null) return { kind: 'inactive' };
  if (current.amountCents === amountCents) return { kind: 'sameAmount' };
  await tx.query(cancelPledge, { id });
  const [pledge] = await tx.query(insertReplacement, { userId, artistId: current.artistId, amountCents });
  if (!pledge) throw new Error('pledges.insertReplacement returned no row');
  return { kind: 'changed', pledge };
}

/** Must run in a transaction. Cancelling twice is a no-op that returns the pledge as it is. */
export async function cancelOwnPledge(tx: Queryable, id: number, userId: number): Promise<ChangeOutcome> {
  const [current] = await tx.query(lockPledge, { id });
  if (!current) return { kind: 'notFound' };
  if (current.userId !== userId) return { kind: 'notOwner' };
  if (current.cancelledAt !== null) return { kind: 'alreadyCancelled', pledge: current };
  const [pledge] = await tx.query(cancelPledge, { id });
  if (!pledge) throw new Error('pledges.cancel returned no row');
  return { kind: 'cancelled', pledge };
}

export function listUserPledges(db: Queryable, userId: number) {
  return db.query(listForUser, { userId });
}

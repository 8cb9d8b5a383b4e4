// Pledges: create (Idempotency-Key makes a retry return the first result), change the amount (cancel +
// create at one instant), cancel (owner only; twice is a no-op). Each write is one transaction.
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../core/db/types.ts';
import { ParameterError } from '../../core/errors.ts';
import { HttpError } from '../../core/http/http-errors.ts';
import { parseInput } from '../../core/http/parse-input.ts';
import {
  type ChangeOutcome,
  cancelOwnPledge,
  changePledgeAmount,
  createPledge,
} from '../stores/pledge-store.ts';
import { pathId } from './id-param.ts';
import { presentPledge } from './present.ts';
import { requireUser, signedInUser } from './require-user.ts';

/** $10,000 a month: the largest pledge the platform accepts. */
export const maxAmountCents = 1_000_000;

const amountCents = z
  .number({ error: 'must be a whole number of cents' })
  .int('must be a whole number of cents')
  .min(1, 'must be at least 1')
  .max(maxAmountCents, `must be at most ${maxAmountCents}`);
const createSchema = z.strictObject({
  artistId: z
    .number({ error: 'must be an artist id (a number)' })
    .int('must be a whole number')
    .min(1)
    .max(Number.MAX_SAFE_INTEGER),
  amountCents,
});
const changeSchema = z.strictObject({ amountCents });

function idempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,128}$/.test(header)) {
    throw new ParameterError('Idempotency-Key', 'Idempotency-Key must be 1–128 visible ASCII characters');
  }
  return header;
}

function answerChange(outcome: ChangeOutcome, id: number) {
  switch (outcome.kind) {
    case 'notFound':
      throw new HttpError(404, 'not_found', `no pledge with id ${id}`);
    case 'notOwner':
      throw new HttpError(403, 'forbidden', 'only the pledge owner may change it');
    case 'inactive':
      throw new HttpError(409, 'pledge_cancelled', 'the pledge is cancelled; create a new one');
    case 'sameAmount':
      throw new ParameterError('amountCents', 'amountCents is already the pledge amount');
    default:
      return { pledge: presentPledge(outcome.pledge) };
  }
}

export function pledgeRoutes(db: Db): Router {
  const router = Router();
  router.use('/api/pledges', requireUser(db));

  router.post('/api/pledges', async (req, res) => {
    const input = parseInput(createSchema, req.body);
    const key = idempotencyKey(req.get('idempotency-key'));
    const outcome = await db.transaction((tx) =>
      createPledge(tx, { userId: signedInUser(res), ...input, idempotencyKey: key }),
    );
    if (outcome.kind === 'unknownArtist')
      throw new HttpError(404, 'artist_not_found', `no artist with id ${input.artistId}`);
    if (outcome.kind === 'keyReused') {
      throw new HttpError(
        422,
        'idempotency_key_reused',
        'this Idempotency-Key was used for a different pledge',
      );
    }
    if (outcome.kind === 'replayed') res.set('Idempotent-Replayed', 'true');
    res.status(201).json({ pledge: presentPledge(outcome.pledge) });
  });

  router.patch('/api/pledges/:id', async (req, res) => {
    const id = pathId(req.params.id, 'pledge');
    const { amountCents: amount } = parseInput(changeSchema, req.body);
    const outcome = await db.transaction((tx) => changePledgeAmount(tx, id, signedInUser(res), amount));
    res.json(answerChange(outcome, id));
  });

  router.delete('/api/pledges/:id', async (req, res) => {
    const id = pathId(req.params.id, 'pledge');
    const outcome = await db.transaction((tx) => cancelOwnPledge(tx, id, signedInUser(res)));
    res.json(answerChange(outcome, id));
  });

  return router;
}

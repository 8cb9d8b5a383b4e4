// The scaling checklist's routes: GET /api/scaling (the state of every item and the phase), POST
// /api/scaling/items/:id (a person records a manual item) and GET /api/scaling/items/:id/records (its
// history). Roles are checked where the router is mounted. Handlers read parse → query → respond.
import express, { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { ParameterError } from '../../core/errors.ts';
import { HttpError } from '../../core/http/http-errors.ts';
import { parseInput } from '../../core/http/parse-input.ts';
import { requireManualItem, type ScalingService } from './scaling-service.ts';

const manualRecordBody = z.strictObject({
  done: z.boolean({ error: 'is required, true or false' }),
  recordedBy: z
    .string({ error: 'is required: your name or initials, as text' })
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters'),
  note: z.string({ error: 'must be text' }).trim().max(1000, 'must be at most 1000 characters').optional(),
});

const historyQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number from 1 to 200')
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, 'must be a whole number from 1 to 200')
        .max(200, 'must be a whole number from 1 to 200'),
    )
    .optional(),
});

/** Bodies must say they are JSON; anything else is refused before it is parsed. */
const requireJson: RequestHandler = (req, _res, next) => {
  if (!req.is('application/json')) {
    return next(
      new HttpError(415, 'unsupported_media_type', 'send the body as JSON (Content-Type: application/json)'),
    );
  }
  next();
};

function refuseQuery(query: Record<string, unknown>): void {
  const [name] = Object.keys(query);
  if (name !== undefined) throw new ParameterError(name, `${name} is not a parameter of this route`);
}

export function scalingRoutes(service: ScalingService): Router {
  const router = Router();

  router.get('/api/scaling', async (req, res) => {
    refuseQuery(req.query);
    res.json(await service.report());
  });

  router.post(
    '/api/scaling/items/:id',
    requireJson,
    express.json({ limit: '16kb', strict: true }),
    async (req, res) => {
      const itemId = String(req.params.id);
      requireManualItem(itemId);
      const input = parseInput(manualRecordBody, req.body);
      res.json({ item: await service.record(itemId, input) });
    },
  );

  router.get('/api/scaling/items/:id/records', async (req, res) => {
    const itemId = String(req.params.id);
    requireManualItem(itemId);
    const { limit } = parseInput(historyQuery, req.query);
    const records = await service.history(itemId, limit);
    res.json({
      itemId,
      records: records.map((record) => ({
        done: record.done,
        recordedBy: record.recordedBy,
        recordedAt: record.recordedAt.toISOString(),
        note: record.note,
      })),
    });
  });

  return router;
}

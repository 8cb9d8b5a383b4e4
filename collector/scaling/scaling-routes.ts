// The scaling checklist's routes: GET /api/scaling (the state of every item and the phase), POST
// /api/scaling/items/:id (a person records a manual item) and GET /api/scaling/items/:id/records (its
// history). Roles are checked where the router is mounted. Handlers read parse → query → respond.
import express, { Router } from 'express';
import { z } from 'zod';
import { parseInput, parseQuery, wholeNumberParameter } from '../../core/http/parse-input.ts';
import { requireJson } from '../../core/http/require-json.ts';
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

const reportQuery = z.object({});

const historyQuery = z.object({ limit: wholeNumberParameter(1, 200).optional() });

export function scalingRoutes(service: ScalingService): Router {
  const router = Router();

  router.get('/api/scaling', async (req, res) => {
    parseQuery(reportQuery, req.query);
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
    const { limit } = parseQuery(historyQuery, req.query);
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

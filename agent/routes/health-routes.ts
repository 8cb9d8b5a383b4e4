// Liveness (the process answers) and readiness (the database answers: 503 while it cannot be reached).
import { Router } from 'express';
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';

const ping = defineQuery<Record<string, never>, { ok: number }>('health.ping', 'SELECT 1 AS ok');

export function healthRoutes(db: Db, isShuttingDown: () => boolean): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (isShuttingDown()) {
      res.status(503).json({ status: 'shutting_down' });
      return;
    }
    try {
      await db.query(ping, {});
      res.json({ status: 'ready', database: db.kind });
    } catch {
      res.status(503).json({ status: 'database_unreachable', database: db.kind });
    }
  });
  return router;
}

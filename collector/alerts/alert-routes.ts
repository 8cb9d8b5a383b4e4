// GET /api/alerts: the active alerts (pending and firing, from memory) and the transition history (from
// the database, newest first, ?limit= 1–1000, default 100). The lead mounts it behind
// requireRole(tokens, 'operator'). Business alerts (audience 'founder': churn, conversion) carry founder
// figures, so they are shown to a founder only; an operator sees 'operator' and 'both' alerts. Without a
// roleOf the caller is taken to be an operator — hiding too much, never showing too much.
// `leader` says whether this collector evaluates the alerts (holds the lease) or shows the states its peer
// recorded in the database (two collectors on one database).
// Handler: parse → authorize (role checked by the router; audience here) → query → respond.
import { type Request, Router } from 'express';
import { z } from 'zod';
import type { AlertAudience } from '../../core/alerts/rules.ts';
import { parseQuery, wholeNumberParameter } from '../../core/http/parse-input.ts';
import type { AlertService } from './alert-service.ts';

export const defaultHistoryLimit = 100;
export const maxHistoryLimit = 1000;

export type AlertReaderRole = 'operator' | 'founder';

export interface AlertRouteOptions {
  /** The caller's role, e.g. (req) => roleOf(req.get('authorization'), tokens) from collector/http/auth.ts. */
  readonly roleOf?: (req: Request) => AlertReaderRole | null;
}

/** The audiences a role may read. */
export function audiencesFor(role: AlertReaderRole | null): readonly AlertAudience[] {
  return role === 'founder' ? ['operator', 'founder', 'both'] : ['operator', 'both'];
}

/** GET /api/alerts's one parameter: how many history entries, newest first. */
const historyQuery = z.object({
  limit: wholeNumberParameter(1, maxHistoryLimit).default(defaultHistoryLimit),
});

export function alertRoutes(
  service: Pick<AlertService, 'active' | 'history'> & Partial<Pick<AlertService, 'leader'>>,
  options: AlertRouteOptions = {},
): Router {
  const router = Router();
  router.get('/api/alerts', async (req, res) => {
    const { limit } = parseQuery(historyQuery, req.query);
    const audiences = audiencesFor(options.roleOf?.(req) ?? null);
    res.json({
      active: service.active(audiences),
      history: await service.history(limit, audiences),
      ...(service.leader ? { leader: service.leader() } : {}),
    });
  });
  return router;
}

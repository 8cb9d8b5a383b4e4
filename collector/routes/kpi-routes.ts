// The founder's KPI routes: each handler reads parse → (role checked by the router) → query → respond.
import { Router } from 'express';
import type { Db } from '../../core/db/types.ts';
import { ParameterError } from '../../core/errors.ts';
import { artistReport, maxArtistsPerRequest } from '../../core/kpi/artists.ts';
import { cohortReport, maxCohortMonths } from '../../core/kpi/cohorts.ts';
import type { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { parseAsOf, parseKpiRequest, parseRange } from '../../core/kpi/kpi-request.ts';
import { ltvReport } from '../../core/kpi/ltv.ts';
import { countPeriods } from '../../core/kpi/periods.ts';

export interface KpiRouteDeps {
  readonly db: Db;
  readonly engine: KpiEngine;
  readonly currency: string;
}

/** A query parameter given twice (`?from=a&from=b`) arrives as an array: refuse it by name. */
function single(query: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const known = new Set(names);
  for (const [name, value] of Object.entries(query)) {
    if (!known.has(name))
      throw new ParameterError(name, `${name} is not a parameter of this route (${names.join(', ')})`);
    if (typeof value !== 'string') throw new ParameterError(name, `${name} must be given once, as text`);
  }
  return query;
}

const defaultArtistLimit = 50;

function parseLimit(raw: unknown): number {
  if (raw === undefined) return defaultArtistLimit;
  const limit = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= maxArtistsPerRequest)) {
    throw new ParameterError('limit', `limit must be a whole number from 1 to ${maxArtistsPerRequest}`);
  }
  return limit;
}

export function kpiRoutes({ db, engine, currency }: KpiRouteDeps): Router {
  const router = Router();

  router.get('/api/kpis', async (req, res) => {
    const request = parseKpiRequest(single(req.query, ['from', 'to', 'interval', 'asOf']));
    res.json(await engine.reportParsed(request));
  });

  router.get('/api/kpis/artists', async (req, res) => {
    const query = single(req.query, ['from', 'to', 'limit']);
    const range = parseRange(query);
    res.json(await artistReport(db, range, parseLimit(query.limit), currency));
  });

  router.get('/api/kpis/cohorts', async (req, res) => {
    const range = parseRange(single(req.query, ['from', 'to', 'asOf']));
    if (countPeriods(range.from, range.to, 'month') > maxCohortMonths) {
      throw new ParameterError(
        'to',
        `from..to covers more than ${maxCohortMonths} cohort months`,
        'too_many_periods',
      );
    }
    res.json(await cohortReport(db, range, currency));
  });

  router.get('/api/kpis/ltv', async (req, res) => {
    const asOf = parseAsOf(single(req.query, ['asOf']).asOf);
    res.json(await ltvReport(engine, asOf, currency));
  });

  return router;
}

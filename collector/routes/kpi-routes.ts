// The founder's KPI routes: each handler reads parse → (role checked by the router) → query → respond.
// The queries are the heaviest work the collector does, on the event loop and the database pool it shares
// with the pledge API under `pulse start`: they run a few at a time (ConcurrencyLimit), a short line waits,
// and past it the answer is 503 kpi_busy with Retry-After. The big daily report is sent in slices.
import { type Response, Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../core/db/types.ts';
import { ParameterError } from '../../core/errors.ts';
import { HttpError } from '../../core/http/http-errors.ts';
import { parseQuery, wholeNumberParameter } from '../../core/http/parse-input.ts';
import { artistReport, maxArtistsPerRequest } from '../../core/kpi/artists.ts';
import { cohortReport, maxCohortMonths } from '../../core/kpi/cohorts.ts';
import type { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { checkRange, kpiRequestQuery, rangeFields } from '../../core/kpi/kpi-request.ts';
import { ltvReport } from '../../core/kpi/ltv.ts';
import { countPeriods } from '../../core/kpi/periods.ts';
import { BusyError, type ConcurrencyLimit } from '../http/concurrency-limit.ts';
import { sendJsonInSlices } from '../http/send-json-in-slices.ts';

export interface KpiRouteDeps {
  readonly db: Db;
  /** The read database (a replica when DATABASE_READ_URL is set) for artists and cohorts; default `db`. */
  readonly readDb?: Db | undefined;
  readonly engine: KpiEngine;
  readonly currency: string;
  /** Shared by every /api/kpis* route. */
  readonly kpiLimit: ConcurrencyLimit;
}

const defaultArtistLimit = 50;

/** The artists view takes no asOf (it reads the range alone). */
const artistsQuery = z
  .object({
    from: rangeFields.from,
    to: rangeFields.to,
    limit: wholeNumberParameter(1, maxArtistsPerRequest).default(defaultArtistLimit),
  })
  .transform(({ limit, ...range }) => ({ range: checkRange(range), limit }));

const cohortsQuery = z.object(rangeFields).transform((fields) => {
  const range = checkRange(fields);
  if (countPeriods(range.from, range.to, 'month') > maxCohortMonths) {
    throw new ParameterError(
      'to',
      `from..to covers more than ${maxCohortMonths} cohort months`,
      'too_many_periods',
    );
  }
  return range;
});

const ltvQuery = z.object({ asOf: rangeFields.asOf }).transform(({ asOf }) => ({ asOf: asOf ?? new Date() }));

/**
 * Runs `respond` in a slot of `limit`, the slot held until the answer is written. A full line: 503 kpi_busy
 * with Retry-After. A caller who leaves while waiting gives up the place in line, and gets no answer.
 */
async function inSlot(limit: ConcurrencyLimit, res: Response, respond: () => Promise<void>): Promise<void> {
  const gone = new AbortController();
  const leave = () => gone.abort();
  res.once('close', leave);
  try {
    await limit.run(respond, gone.signal);
  } catch (error) {
    if (error instanceof BusyError) {
      res.set('Retry-After', String(error.retryAfterSeconds));
      throw new HttpError(
        503,
        'kpi_busy',
        `too many KPI requests at once; retry in ${error.retryAfterSeconds} s`,
      );
    }
    if (!(gone.signal.aborted && error === gone.signal.reason)) throw error;
  } finally {
    res.off('close', leave);
  }
}

export function kpiRoutes({ db, readDb = db, engine, currency, kpiLimit }: KpiRouteDeps): Router {
  const router = Router();

  router.get('/api/kpis', async (req, res) => {
    const request = parseQuery(kpiRequestQuery, req.query);
    await inSlot(kpiLimit, res, async () => {
      const { periods, ...head } = await engine.reportParsed(request);
      await sendJsonInSlices(res, head, 'periods', periods);
    });
  });

  router.get('/api/kpis/artists', async (req, res) => {
    const { range, limit } = parseQuery(artistsQuery, req.query);
    await inSlot(kpiLimit, res, async () => {
      res.json(await artistReport(readDb, range, limit, currency));
    });
  });

  router.get('/api/kpis/cohorts', async (req, res) => {
    const range = parseQuery(cohortsQuery, req.query);
    await inSlot(kpiLimit, res, async () => {
      res.json(await cohortReport(readDb, range, currency));
    });
  });

  router.get('/api/kpis/ltv', async (req, res) => {
    const { asOf } = parseQuery(ltvQuery, req.query);
    await inSlot(kpiLimit, res, async () => {
      res.json(await ltvReport(engine, asOf, currency));
    });
  });

  return router;
}

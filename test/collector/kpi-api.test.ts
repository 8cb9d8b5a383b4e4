// The collector's KPI API over HTTP: access by role, a 400 naming the parameter for every bad input, the
// JSON error shape everywhere, and the founder's views (artists, cohorts, LTV) with their sample sizes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../collector/server.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { getJson, startTestCollector } from '../support/collector.ts';

const kpiPath = '/api/kpis?from=2026-01-01&to=2026-03-01&interval=month&asOf=2026-10-01T00:00:00Z';
const founderPaths = [
  kpiPath,
  '/api/kpis/artists?from=2026-01-01&to=2026-03-01',
  '/api/kpis/cohorts?from=2026-01-01&to=2026-03-01&asOf=2026-10-01T00:00:00Z',
  '/api/kpis/ltv?asOf=2026-10-01T00:00:00Z',
];

let collector: RunningCollector;

beforeAll(async () => {
  collector = await startTestCollector({ kind: 'embedded', dataDir: 'memory://' });
  await seedDemoData(collector.db, {
    users: 3000,
    months: 18,
    seed: 4,
    until: new Date('2026-10-01T00:00:00Z'),
    append: false,
  });
});

afterAll(async () => {
  await collector?.stop();
});

function expectError(
  response: { status: number; body: unknown },
  status: number,
  code: string,
  pattern: RegExp,
) {
  expect(response.status).toBe(status);
  expect(response.body).toEqual({ error: { code, message: expect.stringMatching(pattern) } });
}

describe('collector access', () => {
  it('answers /healthz without a token', async () => {
    expect(await getJson(collector, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  for (const path of founderPaths) {
    const route = path.split('?')[0];
    it(`refuses ${route} without a token (401), with a wrong one (401) and to an operator (403)`, async () => {
      const none = await getJson(collector, path);
      expectError(none, 401, 'unauthorized', /Bearer/);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expectError(await getJson(collector, path, 'wrong'), 401, 'unauthorized', /Bearer/);
      expectError(await getJson(collector, path, 'operator'), 403, 'forbidden', /founder role/);
    });

    it(`serves ${route} to a founder`, async () => {
      expect((await getJson(collector, path, 'founder')).status).toBe(200);
    });
  }

  it('answers an unknown route with a JSON 404', async () => {
    expectError(
      await getJson(collector, '/api/nothing-here', 'founder'),
      404,
      'not_found',
      /^no route for GET at this path$/,
    );
  });
});

describe('GET /api/kpis parameters', () => {
  const bad: [string, string, RegExp][] = [
    ['to=2026-03-01&interval=month', 'invalid_parameter', /^from is required/],
    ['from=2026-1-1&to=2026-03-01&interval=month', 'invalid_parameter', /^from must be a date YYYY-MM-DD/],
    [
      'from=2026-02-30&to=2026-03-01&interval=month',
      'invalid_parameter',
      /^from is not a real calendar date/,
    ],
    ['from=2026-01-01&interval=month', 'invalid_parameter', /^to is required/],
    ['from=2026-03-01&to=2026-03-01&interval=month', 'invalid_parameter', /^to must be after from/],
    ['from=2026-01-01&to=2026-03-01', 'invalid_parameter', /^interval must be one of day, week, month/],
    ['from=2026-01-01&to=2026-03-01&interval=year', 'invalid_parameter', /^interval must be one of/],
    ['from=2026-01-01&to=2026-03-01&interval=month&asOf=soon', 'invalid_parameter', /^asOf must be ISO-8601/],
    [
      'from=2026-01-01&to=2026-03-01&interval=month&asOf=2026-01-01T00:00:00',
      'invalid_parameter',
      /^asOf must/,
    ],
    [
      'from=2026-01-01&to=2026-03-01&interval=month&colour=red',
      'invalid_parameter',
      /^colour is not a parameter of this route \(from, to, interval, asOf\)$/,
    ],
    [
      'from=2026-01-01&from=2026-02-01&to=2026-03-01&interval=month',
      'invalid_parameter',
      /^from must be given once/,
    ],
    [
      'from=2020-01-01&to=2026-01-01&interval=day',
      'too_many_periods',
      /spans 2192 day periods; at most 1100/,
    ],
    [
      "from=2026-01-01'%20OR%201=1--&to=2026-03-01&interval=month",
      'invalid_parameter',
      /^from must be a date/,
    ],
  ];
  for (const [query, code, message] of bad) {
    it(`answers 400 ${code} for ${query}`, async () => {
      expectError(await getJson(collector, `/api/kpis?${query}`, 'founder'), 400, code, message);
    });
  }

  it('returns exactly the DESIGN.md document for a good request', async () => {
    const { status, body } = await getJson(collector, kpiPath, 'founder');
    expect(status).toBe(200);
    const report = body as { periods: Record<string, unknown>[] };
    expect(Object.keys(report).sort()).toEqual(['asOf', 'currency', 'interval', 'periods', 'stale']);
    expect(report).toMatchObject({
      interval: 'month',
      currency: 'USD',
      asOf: '2026-10-01T00:00:00.000Z',
      stale: false,
    });
    expect(report.periods.map((p) => p.periodStart)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
    ]);
  });
});

describe('founder views', () => {
  it('lists artists largest MRR first with their churn and the sample size', async () => {
    const { body } = await getJson(
      collector,
      '/api/kpis/artists?from=2026-01-01&to=2026-07-01&limit=5',
      'founder',
    );
    const report = body as {
      sampleSize: number;
      artists: {
        mrrEndCents: number;
        pledgersAtStart: number;
        churnedPledgers: number;
        logoChurnRate: number | null;
      }[];
    };
    expect(report.artists).toHaveLength(5);
    expect(report.sampleSize).toBeGreaterThan(5);
    const mrr = report.artists.map((a) => a.mrrEndCents);
    expect(mrr).toEqual([...mrr].sort((a, b) => b - a));
    for (const artist of report.artists) {
      expect(artist.logoChurnRate).toBe(
        artist.pledgersAtStart === 0 ? null : artist.churnedPledgers / artist.pledgersAtStart,
      );
    }
  });

  it('refuses a bad artist limit by name', async () => {
    for (const limit of ['0', '501', 'ten']) {
      expectError(
        await getJson(collector, `/api/kpis/artists?from=2026-01-01&to=2026-03-01&limit=${limit}`, 'founder'),
        400,
        'invalid_parameter',
        /^limit must be a whole number from 1 to 500/,
      );
    }
  });

  it('builds cohorts whose month-0 MRR is the base of retention and whose shares rest on the cohort size', async () => {
    const { body } = await getJson(
      collector,
      '/api/kpis/cohorts?from=2026-01-01&to=2026-04-01&asOf=2026-06-15T00:00:00Z',
      'founder',
    );
    const report = body as {
      sampleSize: number;
      cohorts: {
        cohort: string;
        size: number;
        months: {
          monthsSince: number;
          pledgers: number;
          pledgingShare: number;
          mrrRetained: number | null;
        }[];
      }[];
    };
    expect(report.cohorts.map((c) => c.cohort)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ]);
    expect(report.sampleSize).toBe(report.cohorts.reduce((t, c) => t + c.size, 0));
    // January's users have complete months ending 1 Feb … 1 Jun: five of them.
    expect(report.cohorts[0]?.months.map((m) => m.monthsSince)).toEqual([0, 1, 2, 3, 4]);
    expect(report.cohorts[2]?.months).toHaveLength(3);
    for (const cohort of report.cohorts) {
      expect(cohort.months[0]?.mrrRetained).toBe(1);
      for (const month of cohort.months) expect(month.pledgingShare).toBe(month.pledgers / cohort.size);
    }
  });

  it('refuses more than 36 cohort months', async () => {
    expectError(
      await getJson(collector, '/api/kpis/cohorts?from=2020-01-01&to=2026-01-01', 'founder'),
      400,
      'too_many_periods',
      /more than 36 cohort months/,
    );
  });

  it('estimates LTV as ARPPU over the mean logo churn of the last six complete months', async () => {
    const { body } = await getJson(collector, '/api/kpis/ltv?asOf=2026-09-20T00:00:00Z', 'founder');
    const ltv = body as {
      ltvCents: number;
      arppuCents: number;
      averageMonthlyLogoChurn: number;
      reason: null;
      sampleSize: number;
      months: { periodStart: string; pledgersAtStart: number; logoChurnRate: number }[];
    };
    expect(ltv.months.map((m) => m.periodStart.slice(0, 7))).toEqual([
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
    ]);
    const mean = ltv.months.reduce((t, m) => t + m.logoChurnRate, 0) / 6;
    expect(ltv.averageMonthlyLogoChurn).toBeCloseTo(mean, 12);
    expect(ltv.ltvCents).toBeCloseTo(ltv.arppuCents / mean, 6);
    expect(ltv.reason).toBeNull();
    expect(ltv.sampleSize).toBe(ltv.months.reduce((t, m) => t + m.pledgersAtStart, 0));
  });

  it('withholds LTV with a reason when a month has fewer than 30 pledgers at its start', async () => {
    const { body } = await getJson(collector, '/api/kpis/ltv?asOf=2025-06-01T00:00:00Z', 'founder');
    expect(body).toMatchObject({
      ltvCents: null,
      reason: expect.stringMatching(/^sample too small: 2024-12 began with \d+ pledgers/),
    });
  });

  it('refuses a bad asOf for LTV by name', async () => {
    expectError(
      await getJson(collector, '/api/kpis/ltv?asOf=tomorrow', 'founder'),
      400,
      'invalid_parameter',
      /^asOf must be/,
    );
  });
});

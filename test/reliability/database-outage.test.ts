// Database outage: a private PostgreSQL is stopped (`pg_ctl stop -m fast`) under pledge write load and
// started again. While it is down the agent says 503 on /readyz and on writes (the JSON error shape, within
// the pool's connection timeout), nothing crashes, the collector serves the last KPIs marked stale and its
// KPI-source alert goes active; afterwards the agent is ready again on its own and every pledge that got a
// 2xx has its row — exactly one per Idempotency-Key, and the current month's MRR is their sum.
import { describe, expect, it } from 'vitest';
import { type OutageResult, runOutageScenario } from '../support/outage-scenario.ts';
import { describeWithPrivatePostgres } from '../support/private-postgres-suite.ts';
import { answersMatching } from '../support/write-load.ts';

const connectionTimeoutMs = 1_000;
const amountCents = 700;

describeWithPrivatePostgres('PostgreSQL stopped and started under write load', () => {
  let result: OutageResult;

  it('runs the outage', { timeout: 60_000 }, async () => {
    result = await runOutageScenario({
      clients: 6,
      amountCents,
      beforeMs: 1_500,
      outageMs: 2_000,
      afterMs: 1_500,
      connectionTimeoutMs,
    });
    console.info(
      `[outage] tried ${result.tally.tried}, acknowledged ${result.tally.acknowledged.size}, ` +
        `answers ${JSON.stringify(Object.fromEntries(result.tally.answers))}, ` +
        `ready again ${result.readyAfterMs} ms and first write ${result.firstWriteAfterMs} ms after pg_ctl start ` +
        `(which took ${result.postgresStartMs} ms), alerts during ${result.alertsDuring.join(' ')}, slowest ms per phase ${JSON.stringify(Object.fromEntries(result.tally.slowestMs))}`,
    );
    expect(result.readyBefore).toBe(200);
  });

  describe('while the database is down', () => {
    it('/readyz answers 503 naming the database', () => {
      expect(result.readyDuring.status).toBe(503);
      expect(result.readyDuring.body).toEqual({ status: 'database_unreachable', database: 'postgres' });
    });

    it('a write answers 503 database_unavailable in the JSON error shape, within the connection timeout', () => {
      expect(result.writeDuring).toMatchObject({
        status: 503,
        body: { error: { code: 'database_unavailable', message: expect.stringMatching(/unavailable/) } },
      });
      expect(result.writeDuring.ms).toBeLessThan(connectionTimeoutMs + 1_000);
      // Every write the load sent during the outage got a 503 or a 201 (in flight when it stopped), no 500.
      expect(
        answersMatching(result.tally, (phase, answer) => phase === 'outage' && answer === '503'),
      ).toBeGreaterThan(0);
      expect(result.tally.slowestMs.get('outage')).toBeLessThan(connectionTimeoutMs + 1_000);
    });

    it('no 5xx but 503 in the whole run, no refused connection, and the agent does not exit', () => {
      expect(answersMatching(result.tally, (_, answer) => answer === 'network')).toBe(0);
      expect(answersMatching(result.tally, (_, answer) => Number(answer) >= 500 && answer !== '503')).toBe(0);
      expect(
        answersMatching(
          result.tally,
          (phase, answer) => phase !== 'outage' && phase !== 'recovery' && answer !== '201',
        ),
      ).toBe(0);
      expect(result.agentExitCodeDuringRun).toBeNull();
      expect(result.agentExitCode).toBe(0);
    });

    it('the collector serves the last KPI report for the same request, marked stale', () => {
      expect(result.kpisBefore.stale).toBe(false);
      expect(result.kpisDuring.status).toBe(200);
      expect(result.kpisDuring.body.stale).toBe(true);
      expect(result.kpisDuring.body.periods).toEqual(result.kpisBefore.periods);
    });

    it('the KPI-source alert goes active (1 s threshold here, 900 s in production)', () => {
      const kpiAlert = (active: readonly string[]) => active.filter((a) => a.startsWith('KpiRefreshStale:'));
      expect(kpiAlert(result.alertsBefore)).toEqual([]);
      expect(kpiAlert(result.alertsDuring)).toEqual([
        expect.stringMatching(/^KpiRefreshStale:(pending|firing)$/),
      ]);
    });
  });

  describe('after the database is back', () => {
    it('the agent is ready and writes succeed within 10 s, on its own', () => {
      expect(result.readyAfterMs).toBeLessThan(10_000);
      expect(result.firstWriteAfterMs).toBeLessThan(10_000);
      expect(
        answersMatching(result.tally, (phase, answer) => phase === 'after' && answer === '201'),
      ).toBeGreaterThan(0);
    });

    it('every acknowledged pledge has its row, one per Idempotency-Key', () => {
      expect(result.tally.acknowledged.size).toBeGreaterThan(50);
      expect(result.lost).toEqual([]);
      expect(result.tally.conflictingReplays).toEqual([]);
      const ids = [...result.tally.acknowledged.values()];
      expect(new Set(ids).size).toBe(ids.length);
      // Rows = acknowledged + the recovery probe + at most one per client whose last answer was lost.
      expect(result.pledgeRows).toBeGreaterThanOrEqual(ids.length + 1);
      expect(result.pledgeRows).toBeLessThanOrEqual(ids.length + 1 + 6);
    });

    it('the collector reads fresh KPIs again: this month’s MRR is every pledge row at 700 cents', () => {
      expect(result.kpisAfter.stale).toBe(false);
      expect(result.kpisAfter.periods.at(-1)?.mrrEndCents).toBe(result.pledgeRows * amountCents);
    });
  });
});

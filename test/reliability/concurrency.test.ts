// Concurrent creations under Idempotency-Keys, on both databases: 100 keys, each sent twice at the same
// moment (200 requests in parallel) and once more afterwards, give exactly one pledge per key, every answer
// for a key names that pledge, a reused key with another amount is refused, and the KPI engine's MRR for
// the month equals the sum of the amounts: key i pledges 100 + i cents, so 100·100 + (0+…+99) = 14,950.
import { expect, it } from 'vitest';
import { defineQuery } from '../../core/db/query.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { migrate } from '../../core/migrate.ts';
import { startTestAgent } from '../support/agent-app.ts';
import { postJson } from '../support/agent-process.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { signUpWriter, type Writer } from '../support/write-load.ts';

const keys = 100;
const amountOf = (index: number) => 100 + index;
const expectedMrrCents = 14_950;

const pledgeRows = defineQuery<Record<string, never>, { id: number; amountCents: number }>(
  'test.pledgeRows',
  'SELECT id, amount_cents AS "amountCents" FROM pledges ORDER BY id',
);

function create(url: string, writer: Writer, index: number, amountCents = amountOf(index)) {
  return postJson(
    `${url}/api/pledges`,
    { artistId: writer.artistId, amountCents },
    { ...writer.auth, 'idempotency-key': `concurrent-${index}` },
  );
}

const pledgeId = (body: unknown) => (body as { pledge: { id: number } }).pledge.id;

describeEachDatabase('200 parallel pledge creations under 100 Idempotency-Keys', ({ db: suiteDb }) => {
  it('makes one pledge per key, and MRR is their sum', async () => {
    const db = suiteDb();
    await migrate(db);
    const agent = await startTestAgent(db);
    try {
      const writer = await signUpWriter(agent.url, 'concurrency');
      const indexes = Array.from({ length: keys }, (_, index) => index);
      const firstTwo = await Promise.all(
        indexes.flatMap((index) => [create(agent.url, writer, index), create(agent.url, writer, index)]),
      );
      const retries = await Promise.all(indexes.map((index) => create(agent.url, writer, index)));
      const reused = await create(agent.url, writer, 0, 999);

      expect(firstTwo.map((r) => r.status)).toEqual(Array(2 * keys).fill(201));
      expect(retries.map((r) => r.status)).toEqual(Array(keys).fill(201));
      for (const index of indexes) {
        const ids = [firstTwo[2 * index], firstTwo[2 * index + 1], retries[index]].map((r) =>
          pledgeId(r?.body),
        );
        expect(new Set(ids).size).toBe(1);
      }
      // Exactly one of each concurrent pair (and every retry) is a replay.
      const replays = [...firstTwo, ...retries].filter(
        (r) => r.headers.get('idempotent-replayed') === 'true',
      );
      expect(replays.length).toBe(2 * keys);
      expect(reused.status).toBe(422);
      expect(reused.body).toEqual({ error: { code: 'idempotency_key_reused', message: expect.any(String) } });

      const rows = await db.query(pledgeRows, {});
      expect(rows.length).toBe(keys);
      expect(rows.reduce((sum, row) => sum + row.amountCents, 0)).toBe(expectedMrrCents);

      const monthStart = new Date();
      monthStart.setUTCDate(1);
      const nextMonth = new Date(monthStart);
      nextMonth.setUTCMonth(nextMonth.getUTCMonth() + 1);
      const report = await new KpiEngine(db, { currency: 'USD', cache: false }).report({
        from: monthStart.toISOString().slice(0, 10),
        to: nextMonth.toISOString().slice(0, 10),
        interval: 'month',
      });
      expect(report.periods.at(-1)?.mrrEndCents).toBe(expectedMrrCents);
      expect(report.periods.at(-1)?.newMrrCents).toBe(expectedMrrCents);
    } finally {
      await agent.close();
    }
  });
});

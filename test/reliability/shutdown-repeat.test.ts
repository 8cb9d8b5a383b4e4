// SIGTERM under write load, five times over on one PostgreSQL database: each time the real agent process
// exits 0 and every pledge it acknowledged (2xx) is in the database; the counts are printed per round.
import { expect, it } from 'vitest';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import { startAgentProcess } from '../support/agent-process.ts';
import { testPool } from '../support/databases.ts';
import { createTempDatabase, describeWithPostgres } from '../support/postgres.ts';
import { answersMatching, missingPledges, signUpWriter, startWriteLoad } from '../support/write-load.ts';

const rounds = 5;

describeWithPostgres('SIGTERM under write load, repeated', () => {
  it(`loses no acknowledged write in ${rounds} restarts`, { timeout: 90_000 }, async () => {
    const temp = await createTempDatabase();
    const db = openPostgresDb({ url: temp.url, pool: testPool });
    const counts: string[] = [];
    try {
      for (let round = 1; round <= rounds; round++) {
        const agent = await startAgentProcess({
          DATABASE_URL: temp.url,
          RATE_LIMIT_API: 'off',
          RATE_LIMIT_AUTH: 'off',
          OTEL_SDK_DISABLED: 'true',
        });
        const writer = await signUpWriter(agent.url, `sigterm-${round}`);
        const load = startWriteLoad(agent.url, writer, {
          clients: 8,
          amountCents: 500,
          keyPrefix: `sigterm-${round}`,
          stopWhenRefused: true,
        });
        // A different moment in the write stream each round.
        await new Promise((resolve) => setTimeout(resolve, 400 + round * 150));
        const stopStarted = Date.now();
        const exitCode = await agent.stop();
        const stopMs = Date.now() - stopStarted;
        const tally = await load.stop();
        const ids = [...tally.acknowledged.values()];
        const lost = await missingPledges(db, ids);
        counts.push(
          `round ${round}: ${tally.tried} tried, ${ids.length} acknowledged, ${lost.length} lost, stopped in ${stopMs} ms`,
        );
        expect(exitCode).toBe(0);
        // Keep-alive sockets are closed as they turn idle, not waited out (~3–5 s each) or forced at 10 s.
        expect(stopMs).toBeLessThan(2_000);
        expect(ids.length).toBeGreaterThan(10);
        expect(lost).toEqual([]);
        expect(tally.conflictingReplays).toEqual([]);
        // The agent refuses new work by closing connections (or 503), never by answering 500.
        expect(answersMatching(tally, (_, answer) => !['201', '503', 'network'].includes(answer))).toBe(0);
      }
    } finally {
      console.info(`[shutdown] ${counts.join('; ')}`);
      await db.close();
      await temp.drop();
    }
  });
});

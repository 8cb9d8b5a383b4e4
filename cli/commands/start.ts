// `pulse start`: will run the agent and the collector in one process. Until those services exist it prepares
// the database (and demo data with --demo) and says plainly that nothing is being served yet.
import type { Command } from 'commander';
import { defineQuery } from '../../core/db/query.ts';
import { migrate } from '../../core/migrate.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { describeDb, withDb } from './with-db.ts';

/** Demo data for `npm start`: past the first milestone alerts, small enough to load in a few seconds. */
const demoSize = { users: 2_000, months: 18, seed: 1 } as const;

const countRows = defineQuery<Record<string, never>, { users: number; artists: number; pledges: number }>(
  'start.countRows',
  `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM artists) AS artists,
          (SELECT count(*) FROM pledges) AS pledges`,
);

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'prepare the database (with --demo: demo data when it is empty); the services are not built yet',
    )
    .option(
      '--demo',
      `add demo data (${demoSize.users} users, ${demoSize.months} months) when the database is empty`,
    )
    .action(async (flags: { demo?: boolean }) => {
      await withDb(program.opts(), async (db) => {
        await migrate(db);
        const [before] = await db.query(countRows, {});
        if (flags.demo && before?.users === 0) {
          await seedDemoData(db, { ...demoSize, until: new Date(), append: false });
        }
        const [counts] = await db.query(countRows, {});
        console.log(
          `Database ready: ${describeDb(db)} holds ${counts?.users} users, ${counts?.artists} artists,`,
        );
        console.log(`${counts?.pledges} pledges.`);
        console.log(
          'Not built yet: the pledge API (agent), the KPI collector and the dashboard. Nothing is being',
        );
        console.log('served; this command will start them once they exist. See `npx pulse --help`.');
      });
    });
}

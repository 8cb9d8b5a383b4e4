// `pulse start`: the whole system in one process, as far as it is built. Today that is the collector's KPI
// API over the configured database (with --demo: demo data when the database is empty); the pledge API,
// live health and the dashboard join it as their issues land. It says plainly what is and is not running.
import type { Command } from 'commander';
import { loadCollectorConfig } from '../../collector/config.ts';
import { startCollector } from '../../collector/server.ts';
import { defineQuery } from '../../core/db/query.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { wholeNumberFlag } from '../arguments.ts';

/** Demo data for `npm start`: past the first milestone alerts, small enough to load in a few seconds. */
const demoSize = { users: 2_000, months: 18, seed: 1 } as const;

const countRows = defineQuery<Record<string, never>, { users: number; pledges: number }>(
  'start.countRows',
  'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM pledges) AS pledges',
);

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the system in one process (today: the KPI collector); --demo adds demo data when empty')
    .option(
      '--demo',
      `add demo data (${demoSize.users} users, ${demoSize.months} months) when the database is empty`,
    )
    .option('--port <port>', 'collector port (overrides COLLECTOR_PORT)', wholeNumberFlag(0, 65_535))
    .action(async (flags: { demo?: boolean; port?: number }) => {
      const config = loadCollectorConfig(process.env, { ...program.opts(), port: flags.port });
      const collector = await startCollector(config);
      const [before] = await collector.db.query(countRows, {});
      if (flags.demo && before?.users === 0) {
        await seedDemoData(collector.db, { ...demoSize, until: new Date(), append: false });
      }
      const [counts] = await collector.db.query(countRows, {});
      const { tokens, generated, file } = collector.tokens;
      console.log(
        `Pledgr Pulse on ${collector.db.kind} database ${collector.db.location}: ${counts?.users} users, ${counts?.pledges} pledges.`,
      );
      console.log(`Running: KPI collector at ${collector.url}`);
      console.log(
        `  try:   curl -H "Authorization: Bearer <founder token>" "${collector.url}/api/kpis?from=${lastYear()}&to=${nextMonth()}&interval=month"`,
      );
      for (const role of ['founder', 'operator'] as const) {
        console.log(
          generated.includes(role)
            ? `  ${role} token (generated, stored in ${file}): ${tokens[role]}`
            : `  ${role} token: as set before (PULSE_${role.toUpperCase()}_TOKEN or ${file})`,
        );
      }
      console.log(
        'Not built yet: the pledge API (agent), synthetic traffic, live health, alerts and the dashboard.',
      );
      console.log('Stop with Ctrl-C.');
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', () => resolve());
        process.once('SIGINT', () => resolve());
      });
      await collector.stop();
    });
}

function lastYear(): string {
  const d = new Date();
  return `${d.getUTCFullYear() - 1}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

function nextMonth(): string {
  const d = new Date();
  d.setUTCMonth(d.getUTCMonth() + 1, 1);
  return d.toISOString().slice(0, 10);
}

// `pulse kpis`: the KPI report of DESIGN.md from the command line — the same numbers as GET /api/kpis.
// Bad parameters print the API's error document on stderr and exit 2. With --format table, a note on stderr
// says how many churn movements rest on estimated cancellation instants (legacy SQLite import), when any do.
// Declares the command only; the work is in ../actions/kpis.ts, imported when the command runs.
import type { Command } from 'commander';
import type { KpiFlags } from '../actions/kpis.ts';
import { kpiFormats } from '../kpi-output.ts';

export function registerKpis(program: Command): void {
  program
    .command('kpis')
    .description(
      'print KPIs per period (same JSON as GET /api/kpis) from DATABASE_URL or the embedded database',
    )
    .option('--from <date>', 'first day covered, YYYY-MM-DD (aligned down to the interval)')
    .option('--to <date>', 'periods start before this day, YYYY-MM-DD')
    .option('--interval <interval>', 'day, week (ISO, Monday) or month')
    .option('--as-of <instant>', 'ISO-8601 instant for conversion maturity (default: now)')
    .option('--format <format>', `output: ${kpiFormats.join(', ')}`, 'json')
    .action(async (flags: KpiFlags) => {
      const { runKpis } = await import('../actions/kpis.ts');
      await runKpis(program.opts(), flags);
    });
}

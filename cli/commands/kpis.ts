// `pulse kpis`: the KPI report of DESIGN.md from the command line — the same numbers as GET /api/kpis.
// Bad parameters print the API's error document on stderr and exit 2. With --format table, a note on stderr
// says how many churn movements rest on estimated cancellation instants (legacy SQLite import), when any do.
import type { Command } from 'commander';
import { ParameterError } from '../../core/errors.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { parseKpiRequest } from '../../core/kpi/kpi-request.ts';
import { estimatedChurnNote, type KpiFormat, kpiFormats, renderReport } from '../kpi-output.ts';
import { withDb } from './with-db.ts';

interface KpiFlags {
  readonly from?: string;
  readonly to?: string;
  readonly interval?: string;
  readonly asOf?: string;
  readonly format: string;
}

const flagName = (parameter: string) => `--${parameter.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

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
      const request = parseKpiRequest(flags, flagName);
      if (!kpiFormats.includes(flags.format as KpiFormat)) {
        throw new ParameterError('format', `--format must be one of ${kpiFormats.join(', ')}`);
      }
      await withDb(program.opts(), async (db, config) => {
        const report = await new KpiEngine(db, { currency: config.currency, cache: false }).reportParsed(
          request,
        );
        process.stdout.write(renderReport(report, flags.format as KpiFormat));
        // A person reading the table must see which churn rests on estimated instants; json and csv carry the
        // per-period count as a field, and their stdout stays the document alone.
        const note = flags.format === 'table' ? estimatedChurnNote(report) : null;
        if (note) process.stderr.write(note);
      });
    });
}

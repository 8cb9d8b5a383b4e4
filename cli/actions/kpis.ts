// What `pulse kpis` does (declared in ../commands/kpis.ts): parses the parameters as GET /api/kpis does,
// computes the report without the period cache, and prints it in the asked format.
import { ParameterError } from '../../core/errors.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { parseKpiRequest } from '../../core/kpi/kpi-request.ts';
import type { CliFlags } from '../config.ts';
import { estimatedChurnNote, type KpiFormat, kpiFormats, renderReport } from '../kpi-output.ts';
import { withDb } from './with-db.ts';

export interface KpiFlags {
  readonly from?: string;
  readonly to?: string;
  readonly interval?: string;
  readonly asOf?: string;
  readonly format: string;
}

const flagName = (parameter: string) => `--${parameter.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export async function runKpis(globals: CliFlags, flags: KpiFlags): Promise<void> {
  const request = parseKpiRequest(flags, flagName);
  if (!kpiFormats.includes(flags.format as KpiFormat)) {
    throw new ParameterError('format', `--format must be one of ${kpiFormats.join(', ')}`);
  }
  await withDb(globals, async (db, config) => {
    const report = await new KpiEngine(db, { currency: config.currency, cache: false }).reportParsed(request);
    process.stdout.write(renderReport(report, flags.format as KpiFormat));
    // A person reading the table must see which churn rests on estimated instants; json and csv carry the
    // per-period count as a field, and their stdout stays the document alone.
    const note = flags.format === 'table' ? estimatedChurnNote(report) : null;
    if (note) process.stderr.write(note);
  });
}

// `pulse instrument -- <command…>`: runs any command with the drop-in agent loaded into every Node process it
// starts, so an unmodified Express app — `node server.js`, `npm start` — serves Pulse's metrics on
// METRICS_PORT. Declares the command only; the work is in ../actions/instrument.ts.
import type { Command } from 'commander';

export function registerInstrument(program: Command): void {
  program
    .command('instrument')
    .description(
      'run a command (e.g. node server.js) with the drop-in agent: Express, pg and sqlite3 metrics on METRICS_PORT',
    )
    .argument('<command...>', 'the command and its arguments, after --')
    .allowUnknownOption()
    .action(async (command: string[]) => {
      const { runInstrument } = await import('../actions/instrument.ts');
      await runInstrument(command);
    });
}

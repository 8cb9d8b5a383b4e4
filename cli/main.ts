// The `pulse` command: parses arguments with commander and calls into core. Returns the exit code:
// 0 success, 1 the operation failed or was refused, 2 bad usage or configuration (a one-line message).
// Each command's module (commands/) only declares it; its work (actions/) is imported when it runs, so
// `pulse --help` loads no database driver, server or schema library, and a command only what it uses.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError, ParameterError, RefusedError, UsageError } from '../core/errors.ts';
import { fromPackageRoot } from '../core/package-root.ts';
import { registerAgent } from './commands/agent.ts';
import { registerCollector } from './commands/collector.ts';
import { registerImportSqlite } from './commands/import-sqlite.ts';
import { registerInstrument } from './commands/instrument.ts';
import { registerKpis } from './commands/kpis.ts';
import { registerLoad } from './commands/load.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerSeed } from './commands/seed.ts';
import { registerStart } from './commands/start.ts';

const { version } = JSON.parse(readFileSync(fromPackageRoot('package.json'), 'utf8')) as {
  version: string;
};

export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

export function buildProgram(): Command {
  const program = new Command('pulse')
    .description('Pledgr Pulse: observability and business metrics for the Pledgr pledge platform')
    .version(version)
    .option('--data-dir <dir>', 'embedded database directory (overrides PULSE_DATA_DIR)')
    .showSuggestionAfterError(true)
    // One line per error, suggestion included, so scripts and people read the same message.
    .configureOutput({ outputError: (text, write) => write(`${text.trimEnd().replaceAll('\n', ' ')}\n`) })
    .exitOverride()
    .addHelpText(
      'after',
      '\nDatabase: embedded PGlite under PULSE_DATA_DIR (default ./data) unless DATABASE_URL is set.\n' +
        'Exit codes: 0 done, 1 failed or refused, 2 bad usage or configuration.',
    );
  registerMigrate(program);
  registerSeed(program);
  registerStart(program);
  registerKpis(program);
  registerCollector(program);
  registerAgent(program);
  registerLoad(program);
  registerImportSqlite(program);
  registerInstrument(program);
  for (const command of program.commands) {
    command.exitOverride().configureOutput(program.configureOutput());
  }
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  if (argv.length <= 2) {
    program.outputHelp({ error: true });
    return exitCodes.usage;
  }
  try {
    await program.parseAsync([...argv]);
    return exitCodes.ok;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has already printed its one-line message (or the help/version text).
    const informational = ['commander.helpDisplayed', 'commander.help', 'commander.version'];
    return informational.includes(error.code) ? exitCodes.ok : exitCodes.usage;
  }
  if (error instanceof ParameterError) {
    // The API's error document, so scripts handle both doors alike.
    console.error(JSON.stringify({ error: { code: error.code, message: error.message } }));
    return exitCodes.usage;
  }
  if (error instanceof UsageError || error instanceof ConfigError) {
    console.error(`pulse: ${error.message}`);
    return exitCodes.usage;
  }
  if (error instanceof RefusedError) {
    console.error(`pulse: refused: ${error.message}`);
    return exitCodes.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error(`pulse: failed: ${message}`);
  if (process.env.PULSE_DEBUG && error instanceof Error) console.error(error.stack);
  return exitCodes.failed;
}

// `pulse import-sqlite FILE [--append] [--skip-invalid] [--report PATH] [--follow [--interval 60s]]`: imports a
// legacy Pledgr SQLite file into the configured database (applies migrations first), in one transaction. Two
// shapes are recognised: the current Pledgr app's file (users.password, amounts in dollars, pledges.status:
// core/import/import-pledgr.ts) and DESIGN.md's (core/import/import-sqlite.ts). `--follow` keeps importing the
// current app's file while it runs (core/import/follow-pledgr.ts) until Ctrl-C; `--end-follow` forgets the follow
// once the switch-over is done (the collector stops reporting it). Progress bars and bad rows go to
// stderr, the summary to stdout.
// Exit codes: 0 done (or stopped with Ctrl-C); 1 refused (the database has users and --append is missing), bad
// rows (nothing imported unless --skip-invalid), or an unusable file; 2 bad usage (including a missing FILE).
// Declares the command only; the work is in ../actions/import-sqlite.ts, imported when the command runs.
import type { Command } from 'commander';
import type { ImportFlags } from '../actions/import-sqlite.ts';
import { secondsFlag } from '../arguments.ts';

export function registerImportSqlite(program: Command): void {
  program
    .command('import-sqlite')
    .description(
      "import a Pledgr SQLite file (the current app's, or DESIGN.md-shaped) in one transaction; ids kept",
    )
    .argument('<file>', 'the SQLite database file')
    .option('--append', 'import into a database that already has users (ids must not collide)')
    .option('--skip-invalid', 'import the good rows, skip the bad ones and write them to a report file')
    .option('--report <path>', 'where --skip-invalid writes the skipped rows (JSON lines)')
    .option('--follow', "keep importing the current app's file while it runs (until Ctrl-C)")
    .option(
      '--interval <duration>',
      'with --follow: time between syncs, e.g. 60s, 5m',
      secondsFlag(1, 86_400),
    )
    .option('--end-follow', 'the switch-over is done: forget the follow of FILE (its data stays)')
    .action(async (path: string, flags: ImportFlags) => {
      const { runImportSqlite } = await import('../actions/import-sqlite.ts');
      await runImportSqlite(program.opts(), path, flags);
    });
}

// node-sqlite3: the duration of every statement — Database#run/get/all/each/map and prepared statements all
// execute through Statement#run/get/all/each, so patching the Statement counts each once — and of
// Database#exec, with a bounded db.query.summary from the statement's SQL. Callbacks keep their `this` (the
// app reads this.lastID and this.changes). A call without a completion callback gets one that behaves as
// sqlite3 does without it: an error is emitted as 'error' on the statement or database.
import type { EventEmitter } from 'node:events';
import { recordOperation } from './db-instruments.ts';
import { switchOff } from './fault-guard.ts';
import { createSummaryCache } from './query-summary.ts';

const patched = Symbol.for('pledgr.sqlite3.patched');
const summarize = createSummaryCache();

type Callback = (this: unknown, ...args: unknown[]) => unknown;
type Method = (this: EventEmitter & { sql?: unknown }, ...args: unknown[]) => unknown;

function record(sql: unknown, started: number, error: unknown): void {
  const { summary, operation } = summarize(typeof sql === 'string' ? sql : '');
  recordOperation('sqlite3', {
    system: 'sqlite',
    summary,
    operation,
    durationSeconds: (performance.now() - started) / 1000,
    errorType: error ? 'db_error' : undefined,
  });
}

/**
 * Wraps the completion callback of a call: the last argument when it is a function — for `each`, only when
 * the last two are (the first is then the row callback) — or a new one appended that re-emits errors.
 */
function withCompletion(
  target: EventEmitter,
  args: unknown[],
  rowCallbackFirst: boolean,
  onDone: (error: unknown) => void,
): unknown[] {
  const last = args.length - 1;
  const trailing = typeof args[last] === 'function';
  const hasCompletion = rowCallbackFirst ? trailing && typeof args[last - 1] === 'function' : trailing;
  if (hasCompletion) {
    const callback = args[last] as Callback;
    args[last] = function completed(this: unknown, ...results: unknown[]) {
      onDone(results[0]);
      return callback.apply(this, results);
    };
    return args;
  }
  args.push(function completed(error: unknown) {
    onDone(error);
    if (error) target.emit('error', error);
  });
  return args;
}

function patchMethod(
  proto: Record<string, unknown>,
  name: string,
  sqlOf: (self: { sql?: unknown }, args: unknown[]) => unknown,
): void {
  const original = proto[name] as Method | undefined;
  if (typeof original !== 'function') return;
  proto[name] = function instrumented(this: EventEmitter & { sql?: unknown }, ...args: unknown[]) {
    const started = performance.now();
    const sql = sqlOf(this, args);
    return original.apply(
      this,
      withCompletion(this, args, name === 'each', (error) => record(sql, started, error)),
    );
  };
}

/** Patches one loaded copy of sqlite3 (its exports object); a second call for the same copy does nothing. */
export function patchSqlite3(sqlite3: unknown): void {
  try {
    const exported = sqlite3 as {
      Statement?: { prototype?: Record<string, unknown> };
      Database?: { prototype?: Record<string, unknown> };
    };
    const statementProto = exported.Statement?.prototype;
    const databaseProto = exported.Database?.prototype;
    if (typeof statementProto?.run !== 'function' || typeof databaseProto?.exec !== 'function') {
      throw new Error('this version of sqlite3 is not recognised (no Statement.run or Database.exec)');
    }
    if ((statementProto as Record<symbol, unknown>)[patched]) return;
    (statementProto as Record<symbol, unknown>)[patched] = true;
    for (const name of ['run', 'get', 'all', 'each']) patchMethod(statementProto, name, (self) => self.sql);
    patchMethod(databaseProto, 'exec', (_self, args) => args[0]);
  } catch (error) {
    switchOff('sqlite3', error);
  }
}

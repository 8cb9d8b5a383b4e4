// node-sqlite3: the duration of every statement — Database#run/get/all/each/map and prepared statements all
// execute through Statement#run/get/all/each, so patching the Statement counts each once (a Database-level
// call with a callback is timed at that level instead, to see statements that fail to prepare) — and of
// Database#exec, with a bounded db.query.summary from the statement's SQL. Callbacks keep their `this` (the
// app reads this.lastID and this.changes). A call without a completion callback gets one that behaves as
// sqlite3 does without it: an error is emitted as 'error' on the statement or database.
import type { EventEmitter } from 'node:events';
import { recordOperation } from './db-instruments.ts';
import { switchOff } from './fault-guard.ts';
import { createSummaryCache } from './query-summary.ts';

const patched = Symbol.for('pledgr.sqlite3.patched');
/** On a completion callback that a Database-level call already times: the Statement leaves it alone. */
const timed = Symbol('pledgr.sqlite3.timed');
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
    const callback = args[last] as Callback & { [timed]?: boolean };
    if (callback[timed]) return args;
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

/**
 * Database#run/get/all/each with a completion callback: sqlite3 prepares a Statement and, if preparing fails
 * (no such table, a syntax error), calls that callback from the Statement's constructor and never runs the
 * Statement's method — so the call is timed here, once, by whichever way the callback is reached.
 */
function patchDatabaseMethod(proto: Record<string, unknown>, name: string): void {
  const original = proto[name] as Method | undefined;
  if (typeof original !== 'function') return;
  const rowCallbackFirst = name === 'each';
  proto[name] = function instrumented(this: EventEmitter, ...args: unknown[]) {
    const last = args.length - 1;
    const trailing = last >= 1 && typeof args[last] === 'function';
    const hasCompletion = rowCallbackFirst
      ? trailing && last >= 2 && typeof args[last - 1] === 'function'
      : trailing;
    if (!hasCompletion) return original.apply(this, args);
    const started = performance.now();
    const sql = args[0];
    const callback = args[last] as Callback;
    let done = false;
    const completed = function completed(this: unknown, ...results: unknown[]) {
      if (!done) {
        done = true;
        record(sql, started, results[0]);
      }
      return callback.apply(this, results);
    };
    args[last] = Object.assign(completed, { [timed]: true });
    return original.apply(this, args);
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
    for (const name of ['run', 'get', 'all', 'each']) patchDatabaseMethod(databaseProto, name);
    patchMethod(databaseProto, 'exec', (_self, args) => args[0]);
  } catch (error) {
    switchOff('sqlite3', error);
  }
}

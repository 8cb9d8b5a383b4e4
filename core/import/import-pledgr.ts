// `pulse import-sqlite` for the CURRENT Pledgr app's file (read-pledgr.ts), in ONE transaction: users (bcrypt
// hash kept, name, creator flag), artists, pledge levels, pledges (dollars → integer cents exactly; status →
// cancelled_at with its provenance), ids kept, bulk COPY in chunks straight from a streaming read, counts
// verified, sequences moved past the ids. Every bad row is named (table, id, column, why) through `onBadRow`;
// by default any bad row rolls the whole import back, with `skipInvalid` the rest is imported.
//
// Rules (the README's "Coming from the SQLite Pledgr" explains why):
// - amounts: REAL dollars; Math.round(dollars * 100) when within 1e-6 of a whole cent, else a bad row; text,
//   NULL, zero, negative, non-finite or > 2^31-1 cents are bad rows.
// - status 'active' → active; 'cancelled' and 'completed' → ended at the cancel estimate (the file's last
//   modification, never before created_at), cancelled_at_source = 'estimated_import'; any other → bad row.
// - a pledge whose user_id/artist_id is NULL, text, or names no (imported) row → bad row.
// - warnings (imported anyway, counted): level_id naming no level (stored NULL); emails equal but for case;
//   artists whose owner does not exist (user_id stored NULL); passwords that are not bcrypt hashes (that user
//   cannot sign in); 'completed' statuses; artists whose pledged/supporters counters disagree with the pledges.
// - emails are stored trimmed and lower-cased (the pledge API's login lower-cases what it is given); in a group
//   of case variants the exact lower-case spelling wins, else the lowest id; the others keep their original
//   spelling. Each still signs in with its own password: the login looks up lower(email) and tries the exact
//   lower-case spelling first, then the others by id. users.legacy_email keeps every original spelling.
import { defineQuery, type SqlValue } from '../db/query.ts';
import type { Db, Queryable } from '../db/types.ts';
import { RefusedError } from '../errors.ts';
import { type PledgrFile, type PledgrRow, type PledgrTable, pledgrTableOrder } from './read-pledgr.ts';
import { parseLegacyTimestamp, TimestampError } from './timestamps.ts';

export interface BadRow {
  readonly table: PledgrTable;
  readonly id: string;
  readonly column: string | null;
  readonly problem: string;
}

export interface PledgrProgress {
  readonly table: PledgrTable;
  readonly done: number;
  readonly total: number;
}

export interface PledgrImportOptions {
  readonly append: boolean;
  /** A follower's sync: only the rows after the ones taken before, which new rows may refer to. */
  readonly increment?: PledgrIncrement;
  /** Import the good rows and skip the bad ones (each still reported through onBadRow). */
  readonly skipInvalid: boolean;
  /** The instant given to cancels the file records no time for; default: the file's modification time. */
  readonly cancelEstimate?: Date;
  readonly onBadRow?: (bad: BadRow) => void;
  readonly onProgress?: (progress: PledgrProgress) => void;
}

export type PledgrCounts = Record<PledgrTable, number>;

export interface PledgrIncrement {
  /** The largest id taken from each table so far: only rows above are read. */
  readonly after: PledgrCounts;
  /** Ids the database holds from earlier syncs, which new rows may refer to. */
  readonly known: Readonly<Record<Exclude<PledgrTable, 'pledges'>, Iterable<number>>>;
}

export interface PledgrWarnings {
  /** Pledges whose level_id names no level: imported with level_id NULL. */
  readonly levelIdWithoutLevel: number;
  /** Users whose email equals another's but for case (every member of such a group). */
  readonly caseVariantEmails: number;
  /** Of those, the ones whose users.email keeps the original spelling (they still sign in: see the header). */
  readonly caseVariantsKeepingSpelling: number;
  /** Artists whose owner (user_id) names no imported user: imported with user_id NULL. */
  readonly artistsWithoutOwner: number;
  /** Users whose password is not a bcrypt hash: imported, but no password will match. */
  readonly passwordsNotBcrypt: number;
  /** Pledges with status 'completed': imported as ended, like cancelled ones. */
  readonly completedStatuses: number;
  /** Artists whose `pledged`/`supporters` counters differ from their active pledges (counters not imported). */
  readonly counterMismatches: number;
}

export interface PledgrSummary {
  readonly imported: PledgrCounts;
  readonly skipped: PledgrCounts;
  readonly warnings: PledgrWarnings;
  /** Pledges whose cancelled_at is the estimate (cancelled_at_source = 'estimated_import'). */
  readonly estimatedCancellations: number;
  /** A follower's sync: earlier users whose users.email it re-spelt (a new case variant took the lower case). */
  readonly respelledUsers: readonly number[];
  /** A sync's new pledges that were already ended when first read ('observed_follow'), by id. */
  readonly observedCancellations: readonly number[];
  readonly cancelEstimate: string;
  /** The largest id taken from each table (the `after` of the next sync). */
  readonly largestIds: PledgrCounts;
  readonly seconds: number;
}

/** The import found bad rows and wrote nothing (without skipInvalid). */
export class BadRowsError extends Error {
  override readonly name = 'BadRowsError';
  constructor(
    readonly count: number,
    readonly first: BadRow,
  ) {
    super(
      `${count} bad row${count === 1 ? '' : 's'} (first: ${describeBadRow(first)}); nothing was imported — ` +
        'fix them in the file, or pass --skip-invalid to import the rest and get a report of the skipped rows',
    );
  }
}

export function describeBadRow(bad: BadRow): string {
  return `${bad.table} row id ${bad.id}: ${bad.column ? `${bad.column}: ` : ''}${bad.problem}`;
}

const columns = {
  users: ['id', 'email', 'password_hash', 'name', 'is_creator', 'created_at', 'legacy_email'],
  artists: ['id', 'user_id', 'name', 'created_at'],
  pledge_levels: ['id', 'artist_id', 'name', 'amount_cents', 'description', 'benefits'],
  pledges: [
    'id',
    'user_id',
    'artist_id',
    'level_id',
    'amount_cents',
    'created_at',
    'cancelled_at',
    'cancelled_at_source',
  ],
} as const satisfies Record<PledgrTable, readonly string[]>;

const progressEvery = 10_000;
const noRows: PledgrCounts = { users: 0, artists: 0, pledge_levels: 0, pledges: 0 };
const maxCents = 2_147_483_647;
const bcryptHash = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;
const lockTables = 'LOCK TABLE users, artists, pledge_levels, pledges IN SHARE ROW EXCLUSIVE MODE';

/** Rows above the given ids per table (all rows with zeros): a follower's sync counts only its own range. */
const readCounts = defineQuery<
  { users: number; artists: number; levels: number; pledges: number },
  PledgrCounts
>(
  'import.readPledgrCounts',
  `SELECT (SELECT count(*) FROM users WHERE id > :users) AS users,
          (SELECT count(*) FROM artists WHERE id > :artists) AS artists,
          (SELECT count(*) FROM pledge_levels WHERE id > :levels) AS pledge_levels,
          (SELECT count(*) FROM pledges WHERE id > :pledges) AS pledges`,
);
const collidingIds = {
  users: defineQuery<{ ids: number[] }, { id: number }>(
    'import.pledgrCollidingUsers',
    'SELECT id FROM users WHERE id = ANY(:ids::bigint[]) ORDER BY id LIMIT 1',
  ),
  artists: defineQuery<{ ids: number[] }, { id: number }>(
    'import.pledgrCollidingArtists',
    'SELECT id FROM artists WHERE id = ANY(:ids::bigint[]) ORDER BY id LIMIT 1',
  ),
  pledge_levels: defineQuery<{ ids: number[] }, { id: number }>(
    'import.pledgrCollidingLevels',
    'SELECT id FROM pledge_levels WHERE id = ANY(:ids::bigint[]) ORDER BY id LIMIT 1',
  ),
  pledges: defineQuery<{ ids: number[] }, { id: number }>(
    'import.pledgrCollidingPledges',
    'SELECT id FROM pledges WHERE id = ANY(:ids::bigint[]) ORDER BY id LIMIT 1',
  ),
} satisfies Record<PledgrTable, unknown>;
const collidingEmail = defineQuery<{ emails: string[] }, { email: string }>(
  'import.pledgrCollidingEmail',
  'SELECT email FROM users WHERE email = ANY(:emails::text[]) LIMIT 1',
);
const respellEmail = defineQuery<{ id: number; email: string }, { id: number }>(
  'import.pledgrRespellEmail',
  'UPDATE users SET email = :email WHERE id = :id AND email <> :email RETURNING id',
);
const advanceSequence = defineQuery<{ table: string; lastId: number }, { value: number }>(
  'import.pledgrAdvanceSequence',
  `SELECT setval(pg_get_serial_sequence(:table, 'id'),
                 greatest(:lastId::bigint,
                          coalesce(pg_sequence_last_value(pg_get_serial_sequence(:table, 'id')::regclass), 0)))
          AS value`,
);

/** A problem with one value of the row being converted. */
class ValueError extends Error {
  constructor(
    readonly column: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** Ids per table: imported, and skipped as bad rows (so that dependants say why they fail). */
class Seen {
  readonly ok = new Set<number>();
  readonly bad = new Set<number>();
  largest = 0;
}

export function importPledgr(db: Db, file: PledgrFile, options: PledgrImportOptions): Promise<PledgrSummary> {
  return db.transaction((tx) => importPledgrIn(tx, file, options));
}

/** The import inside a transaction the caller owns (a follower's sync commits its own state with it). */
export async function importPledgrIn(
  tx: Queryable,
  file: PledgrFile,
  options: PledgrImportOptions,
): Promise<PledgrSummary> {
  const started = performance.now();
  const increment = options.increment;
  const afterId = (table: PledgrTable) => increment?.after[table] ?? 0;
  const estimate = parseLegacyTimestamp((options.cancelEstimate ?? file.modifiedAt).toISOString());
  const source = Object.fromEntries(
    pledgrTableOrder.map((t) => [t, file.count(t, afterId(t))]),
  ) as PledgrCounts;
  const skipped: PledgrCounts = { users: 0, artists: 0, pledge_levels: 0, pledges: 0 };
  const warnings = {
    levelIdWithoutLevel: 0,
    caseVariantEmails: 0,
    caseVariantsKeepingSpelling: 0,
    artistsWithoutOwner: 0,
    passwordsNotBcrypt: 0,
    completedStatuses: 0,
    // A whole-file aggregate: a follower's sync (which imports no counters either) skips it.
    counterMismatches: increment ? 0 : file.counterMismatches(),
  };
  let estimated = 0;
  const observed: number[] = [];
  let firstBad: BadRow | undefined;
  const seen: Record<PledgrTable, Seen> = {
    users: new Seen(),
    artists: new Seen(),
    pledge_levels: new Seen(),
    pledges: new Seen(),
  };
  for (const table of pledgrTableOrder) {
    seen[table].largest = afterId(table);
    if (table !== 'pledges') for (const id of increment?.known[table] ?? []) seen[table].ok.add(id);
  }

  // Case variants: id → the email users.email gets (the winner lower-cased, the others as they were).
  const emailFor = new Map<number, string>();
  // A follower's sync without new users has no email to assign and none to re-spell.
  const variants = !increment || source.users > 0 ? file.caseVariantEmails() : [];
  warnings.caseVariantEmails = variants.length;
  for (let i = 0; i < variants.length; ) {
    const key = variants[i]?.key;
    let j = i;
    while (j < variants.length && variants[j]?.key === key) j++;
    const group = variants.slice(i, j);
    const winner = group.find((v) => v.email === v.key) ?? group[0];
    for (const member of group) {
      emailFor.set(member.id, member === winner ? member.key : member.email);
      if (member !== winner) warnings.caseVariantsKeepingSpelling++;
    }
    i = j;
  }

  const convert: Record<PledgrTable, (row: PledgrRow) => SqlValue[]> = {
    users: ([id, email, password, name, isCreator, createdAt]) => {
      const original = required('email', email, text);
      if (original.trim() === '') throw new ValueError('email', 'is empty');
      const hash = required('password', password, text);
      if (!bcryptHash.test(hash)) warnings.passwordsNotBcrypt++;
      const userId = Number(id);
      return [
        userId,
        emailFor.get(userId) ?? original.trim().toLowerCase(),
        hash,
        name == null ? null : typeof name === 'number' ? String(name) : required('name', name, text),
        creatorFlag(isCreator),
        timestamp('created_at', createdAt),
        original,
      ];
    },
    artists: ([id, userId, name, createdAt]) => {
      let owner: number | null = null;
      if (userId != null) {
        const ownerId = typeof userId === 'number' && Number.isSafeInteger(userId) ? userId : null;
        if (ownerId !== null && seen.users.ok.has(ownerId)) owner = ownerId;
        else warnings.artistsWithoutOwner++;
      }
      return [Number(id), owner, required('name', name, text), timestamp('created_at', createdAt)];
    },
    pledge_levels: ([id, artistId, name, amount, description, benefits]) => [
      Number(id),
      reference('artist_id', artistId, 'artists', seen.artists),
      required('name', name, text),
      cents('amount', amount),
      optionalText(description),
      optionalText(benefits),
    ],
    pledges: ([id, userId, artistId, levelId, amount, status, createdAt]) => {
      const user = reference('user_id', userId, 'users', seen.users);
      const artist = reference('artist_id', artistId, 'artists', seen.artists);
      const amountCents = cents('amount', amount);
      const created = timestamp('created_at', createdAt);
      let level: number | null = null;
      if (levelId != null) {
        if (typeof levelId === 'number' && seen.pledge_levels.ok.has(levelId)) level = levelId;
        else warnings.levelIdWithoutLevel++;
      }
      if (status === 'active') return [Number(id), user, artist, level, amountCents, created, null, null];
      if (status !== 'cancelled' && status !== 'completed') {
        throw new ValueError(
          'status',
          `${show(status)} is not a known status (active, cancelled, completed)`,
        );
      }
      if (status === 'completed') warnings.completedStatuses++;
      // Canonical timestamps sort as text; an estimate before the pledge's creation would break the CHECK.
      const ended = created.localeCompare(estimate) > 0 ? created : estimate;
      // A follower's new row already ended: created and ended since its last read, so the instant is observed.
      if (increment) observed.push(Number(id));
      else estimated++;
      const provenance = increment ? 'observed_follow' : 'estimated_import';
      return [Number(id), user, artist, level, amountCents, created, ended, provenance];
    },
  };

  function* convertedRows(table: PledgrTable): Generator<SqlValue[]> {
    let done = 0;
    const ids = seen[table];
    for (const row of file.rows(table, afterId(table))) {
      done++;
      if (done % progressEvery === 0) options.onProgress?.({ table, done, total: source[table] });
      const rawId = row[0] ?? null;
      try {
        // INTEGER PRIMARY KEY: SQLite guarantees a unique integer; checked anyway for hand-made files.
        if (typeof rawId !== 'number' || !Number.isSafeInteger(rawId) || rawId < 1) {
          throw new ValueError('id', `${show(rawId)} is not a positive whole number`);
        }
        const values = convert[table](row);
        ids.ok.add(rawId);
        if (rawId > ids.largest) ids.largest = rawId;
        yield values;
      } catch (error) {
        if (!(error instanceof ValueError)) throw error;
        const bad: BadRow = { table, id: show(rawId), column: error.column, problem: error.message };
        firstBad ??= bad;
        skipped[table]++;
        if (typeof rawId === 'number') {
          ids.bad.add(rawId);
          // Behind the follower too: a skipped row is not read (nor reported) again by the next sync.
          if (Number.isSafeInteger(rawId) && rawId > ids.largest) ids.largest = rawId;
        }
        options.onBadRow?.(bad);
      }
    }
    options.onProgress?.({ table, done, total: source[table] });
  }

  await tx.runScript('import.lockPledgrTables', lockTables);
  const before = await counts(tx, increment?.after);
  if (before.users > 0 && !options.append && !increment) {
    throw new RefusedError(
      `the database already has ${before.users} users; pass --append to import into it anyway`,
    );
  }
  const respelled = increment ? await respellCaseVariants(tx, emailFor, increment.after.users) : [];
  if (before.users + before.artists + before.pledge_levels + before.pledges > 0) {
    await refuseCollisions(tx, file, before, emailFor, afterId);
  }
  const imported = await (async () => {
    const written: PledgrCounts = { users: 0, artists: 0, pledge_levels: 0, pledges: 0 };
    for (const table of pledgrTableOrder) {
      written[table] = await tx.copyRows({ table, columns: columns[table] }, convertedRows(table));
    }
    if (firstBad && !options.skipInvalid) {
      throw new BadRowsError(
        Object.values(skipped).reduce((a, b) => a + b, 0),
        firstBad,
      );
    }
    const after = await counts(tx, increment?.after);
    for (const table of pledgrTableOrder) {
      const expected = source[table] - skipped[table];
      if (written[table] !== expected || after[table] - before[table] !== expected) {
        throw new Error(
          `row count check failed for ${table}: the file has ${source[table]} rows, ${skipped[table]} skipped, ` +
            `${written[table]} copied and the table grew by ${after[table] - before[table]}; nothing was imported`,
        );
      }
    }
    // Last: ROLLBACK does not undo setval, so sequences move only once every check has passed.
    for (const table of pledgrTableOrder) {
      if (seen[table].largest > 0) await tx.query(advanceSequence, { table, lastId: seen[table].largest });
    }
    return written;
  })();
  return {
    imported,
    skipped,
    warnings,
    estimatedCancellations: estimated,
    observedCancellations: observed,
    respelledUsers: respelled,
    cancelEstimate: estimate,
    largestIds: Object.fromEntries(pledgrTableOrder.map((t) => [t, seen[t].largest])) as PledgrCounts,
    seconds: (performance.now() - started) / 1000,
  };

  function timestamp(column: string, value: Value): string {
    if (value == null) throw new ValueError(column, 'missing (NULL)');
    if (value instanceof Uint8Array) throw new ValueError(column, 'expected a timestamp, got a blob');
    try {
      return parseLegacyTimestamp(value);
    } catch (error) {
      if (error instanceof TimestampError) throw new ValueError(column, error.message);
      throw error;
    }
  }
}

type Value = PledgrRow[number] | undefined;

function required<T>(column: string, value: Value, convert: (value: Value, column: string) => T): T {
  if (value == null) throw new ValueError(column, 'missing (NULL)');
  return convert(value, column);
}

function text(value: Value, column: string): string {
  if (typeof value !== 'string') throw new ValueError(column, `expected text, got ${show(value)}`);
  return value;
}

function optionalText(value: Value): string | null {
  if (value == null) return null;
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

function creatorFlag(value: Value): boolean {
  if (value == null) return false;
  if (typeof value === 'number') return value !== 0;
  if (value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new ValueError('isCreator', `${show(value)} is not 0 or 1`);
}

/** Dollars (REAL) → integer cents, exactly: within 1e-6 of a whole cent, or a bad row. */
export function dollarsToCents(value: Value, column = 'amount'): number {
  if (value == null) throw new ValueError(column, 'missing (NULL)');
  if (typeof value === 'string')
    throw new ValueError(column, `${show(value)} is stored as text, not a number`);
  if (typeof value !== 'number') throw new ValueError(column, 'expected a number of dollars, got a blob');
  if (!Number.isFinite(value)) throw new ValueError(column, `${value} is not a finite number`);
  const exact = value * 100;
  const whole = Math.round(exact);
  if (whole > maxCents)
    throw new ValueError(column, `${value} dollars is more than the schema holds (${maxCents} cents)`);
  if (Math.abs(exact - whole) >= 1e-6)
    throw new ValueError(column, `${value} dollars is not a whole number of cents`);
  if (whole <= 0) throw new ValueError(column, `${value} is not positive`);
  return whole;
}

const cents = (column: string, value: Value) => dollarsToCents(value, column);

function reference(column: string, value: Value, table: 'users' | 'artists', ids: Seen): number {
  if (value == null) throw new ValueError(column, 'missing (NULL)');
  if (typeof value === 'string') throw new ValueError(column, `${show(value)} is stored as text, not an id`);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ValueError(column, `${show(value)} is not a positive whole number`);
  }
  if (ids.ok.has(value)) return value;
  if (ids.bad.has(value))
    throw new ValueError(column, `refers to ${table} id ${value}, a bad row that was not imported`);
  throw new ValueError(column, `refers to ${table} id ${value}, which the file does not have`);
}

function show(value: Value | undefined): string {
  if (value === undefined || value === null) return 'NULL';
  if (value instanceof Uint8Array) return 'a blob';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return String(value);
}

async function counts(tx: Queryable, after: PledgrCounts = noRows): Promise<PledgrCounts> {
  const [row] = await tx.query(readCounts, {
    users: after.users,
    artists: after.artists,
    levels: after.pledge_levels,
    pledges: after.pledges,
  });
  if (!row) throw new Error('import.readPledgrCounts returned no row');
  return row;
}

/** Ids (and the emails users.email will get) the database already holds are refused before any write. */
async function refuseCollisions(
  tx: Queryable,
  file: PledgrFile,
  before: PledgrCounts,
  emailFor: ReadonlyMap<number, string>,
  afterId: (table: PledgrTable) => number,
): Promise<void> {
  const batch = 10_000;
  for (const table of pledgrTableOrder) {
    if (before[table] === 0) continue;
    let ids: number[] = [];
    const check = async () => {
      const [hit] = await tx.query(collidingIds[table], { ids });
      if (hit)
        throw new RefusedError(
          `${table} row id ${hit.id}: id: already exists in the database (ids are kept)`,
        );
      ids = [];
    };
    for (const row of file.rows(table, afterId(table))) {
      if (typeof row[0] === 'number') ids.push(row[0]);
      if (ids.length >= batch) await check();
    }
    if (ids.length > 0) await check();
  }
  if (before.users === 0) return;
  let emails = new Map<string, number>();
  const check = async () => {
    const [hit] = await tx.query(collidingEmail, { emails: [...emails.keys()] });
    if (hit) {
      throw new RefusedError(
        `users row id ${emails.get(hit.email)}: email: already belongs to a user in the database`,
      );
    }
    emails = new Map();
  };
  for (const [id, email] of file.rows('users', afterId('users'))) {
    if (typeof email !== 'string') continue;
    emails.set(emailFor.get(Number(id)) ?? email.trim().toLowerCase(), Number(id));
    if (emails.size >= batch) await check();
  }
  if (emails.size > 0) await check();
}

/**
 * A follower's sync: the users of earlier syncs that belong to a case-variant group get the spelling a one-shot
 * import of today's file would give them (a new exact lower-case member takes the lower-cased email from an
 * older one, which goes back to its original spelling), before the new users are copied.
 */
async function respellCaseVariants(
  tx: Queryable,
  emailFor: ReadonlyMap<number, string>,
  lastUserId: number,
): Promise<number[]> {
  // Those leaving a lower-cased email first, so that no two rows hold one email at any moment.
  const existing = [...emailFor].filter(([id]) => id <= lastUserId);
  existing.sort(([, a], [, b]) => Number(a === a.toLowerCase()) - Number(b === b.toLowerCase()));
  const respelled: number[] = [];
  for (const [id, email] of existing) {
    if ((await tx.query(respellEmail, { id, email })).length > 0) respelled.push(id);
  }
  return respelled;
}

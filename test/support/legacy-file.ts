// Writes SQLite files exactly as the current Pledgr app (aacewing/pledgr, database.js + server.js) writes them:
// its DDL verbatim, bcryptjs hashes, amounts in floating-point DOLLARS bound as the browser sent them (a JSON
// number or a numeric string: the REAL column's affinity turns '12.50' into 12.5, and leaves 'abc' as text),
// CURRENT_TIMESTAMP-style text (`YYYY-MM-DD HH:MM:SS`, UTC), a cancel that only sets status = 'cancelled',
// and the app's counters (artists.pledged += amount, supporters += 1 on every pledge, never lowered).
// Foreign keys are declared but, as in the app, never enforced. `exec` writes anything else a test needs.
// No test-runner imports: the import and KPI suites use it, and the legacy-import benchmark writes its big
// file with it (bench/legacy-file-writer.ts).
//
// bcrypt: the app hashes at cost 10; tests pass cost 4 (bcryptjs's minimum, ~1 ms a hash instead of ~60 ms)
// and big files pass one precomputed `passwordHash` for every user — the import keeps hashes as they are.
import { writeFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import initSqlJs, { type Database, type SqlValue } from 'sql.js';

/** database.js, createSQLiteTables(), verbatim. */
export const legacyPledgrDdl = `
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    email TEXT UNIQUE NOT NULL,
    password TEXT NOT NULL,
    avatar TEXT,
    isCreator BOOLEAN DEFAULT 0,
    bio TEXT,
    website TEXT,
    social_twitter TEXT,
    social_instagram TEXT,
    social_youtube TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS artists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER,
    name TEXT NOT NULL,
    title TEXT,
    description TEXT,
    category TEXT,
    image TEXT,
    profile_image TEXT,
    goal REAL DEFAULT 0,
    pledged REAL DEFAULT 0,
    supporters INTEGER DEFAULT 0,
    days_left INTEGER DEFAULT 30,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE TABLE IF NOT EXISTS pledge_levels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    artist_id INTEGER,
    name TEXT NOT NULL,
    amount REAL NOT NULL,
    description TEXT,
    benefits TEXT,
    FOREIGN KEY (artist_id) REFERENCES artists (id)
);
CREATE TABLE IF NOT EXISTS pledges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER,
    artist_id INTEGER,
    level_id INTEGER,
    amount REAL NOT NULL,
    status TEXT DEFAULT 'active',
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id),
    FOREIGN KEY (artist_id) REFERENCES artists (id),
    FOREIGN KEY (level_id) REFERENCES pledge_levels (id)
);`;

/** `YYYY-MM-DD HH:MM:SS` in UTC, what SQLite's CURRENT_TIMESTAMP writes. */
export function sqliteTimestamp(instant: Date): string {
  return instant.toISOString().slice(0, 19).replace('T', ' ');
}

type When = Date | string | undefined;
/** A Date becomes CURRENT_TIMESTAMP text; a string is stored as given; undefined lets the DEFAULT apply. */
const when = (at: When): SqlValue | undefined => (at instanceof Date ? sqliteTimestamp(at) : at);

export interface RegisterInput {
  readonly name: string;
  readonly email: string;
  /** Hashed with bcryptjs at `bcryptCost`, unless `passwordHash` is given. */
  readonly password?: string;
  readonly passwordHash?: string;
  readonly createdAt?: When;
}

export interface LegacyFileOptions {
  /** bcrypt cost for `register`; the app uses 10, tests 4. */
  readonly bcryptCost?: number;
}

export class LegacyPledgrFile {
  private constructor(
    readonly database: Database,
    private readonly bcryptCost: number,
  ) {}

  static async create(options: LegacyFileOptions = {}): Promise<LegacyPledgrFile> {
    const SQL = await initSqlJs();
    const database = new SQL.Database();
    database.exec(legacyPledgrDdl);
    return new LegacyPledgrFile(database, options.bcryptCost ?? 10);
  }

  /** POST /api/auth/register: INSERT INTO users (name, email, password) with a bcrypt hash. */
  register(input: RegisterInput): number {
    const hash = input.passwordHash ?? bcrypt.hashSync(input.password ?? 'password', this.bcryptCost);
    return this.#insert('users', {
      name: input.name,
      email: input.email,
      password: hash,
      created_at: when(input.createdAt),
    });
  }

  /** POST /api/artists: the artist row, then UPDATE users SET isCreator = 1. */
  createArtist(input: {
    userId: number;
    name: string;
    category?: string;
    goal?: number;
    createdAt?: When;
  }): number {
    const id = this.#insert('artists', {
      user_id: input.userId,
      name: input.name,
      title: `${input.name}'s page`,
      description: 'About me',
      category: input.category ?? 'music',
      goal: input.goal ?? 1000,
      created_at: when(input.createdAt),
    });
    this.database.run('UPDATE users SET isCreator = 1 WHERE id = ?', [input.userId]);
    return id;
  }

  /** A tier (the app has no route that creates one: files get them from hand edits or old versions). */
  addLevel(input: { artistId: number; name: string; amount: number | string; benefits?: string }): number {
    return this.#insert('pledge_levels', {
      artist_id: input.artistId,
      name: input.name,
      amount: input.amount,
      description: `${input.name} tier`,
      benefits: input.benefits ?? null,
    });
  }

  /**
   * POST /api/pledges {artistId, amount, levelId}: the pledge row (status from its DEFAULT), then the
   * artist's running counters — `pledged + ?` with the amount as sent (SQLite adds text numerically).
   */
  pledge(input: {
    userId: SqlValue;
    artistId: SqlValue;
    amount: SqlValue;
    levelId?: SqlValue;
    createdAt?: When;
  }): number {
    const id = this.#insert('pledges', {
      user_id: input.userId,
      artist_id: input.artistId,
      level_id: input.levelId ?? null,
      amount: input.amount,
      created_at: when(input.createdAt),
    });
    this.database.run('UPDATE artists SET pledged = pledged + ?, supporters = supporters + 1 WHERE id = ?', [
      input.amount,
      input.artistId,
    ]);
    return id;
  }

  /** DELETE /api/pledges/:id: sets the status, records no time, touches no counter; twice is harmless. */
  cancel(pledgeId: number): void {
    this.database.run("UPDATE pledges SET status = 'cancelled' WHERE id = ?", [pledgeId]);
  }

  /** Anything else (hand edits, old app versions): runs SQL as given. */
  exec(sql: string, params: SqlValue[] = []): void {
    this.database.run(sql, params);
  }

  begin(): void {
    this.database.exec('BEGIN');
  }

  commit(): void {
    this.database.exec('COMMIT');
  }

  async save(path: string): Promise<string> {
    await writeFile(path, this.database.export());
    return path;
  }

  close(): void {
    this.database.close();
  }

  #insert(table: string, values: Record<string, SqlValue | undefined>): number {
    const given = Object.entries(values).filter(([, value]) => value !== undefined) as [string, SqlValue][];
    this.database.run(
      `INSERT INTO ${table} (${given.map(([column]) => column).join(', ')}) VALUES (${given.map(() => '?').join(', ')})`,
      given.map(([, value]) => value),
    );
    return Number(this.database.exec('SELECT last_insert_rowid()')[0]?.values[0]?.[0]);
  }
}

export interface BigFileShape {
  readonly users: number;
  readonly artists: number;
  readonly pledges: number;
  /** Share of pledges cancelled (status only). */
  readonly cancelledShare?: number;
}

/**
 * A big legacy file for measurements (deterministic): every user shares one bcrypt hash (cost 4, made once),
 * amounts cycle through dollar values a browser sends (numbers and numeric strings), a third of the pledges
 * carry a level_id that names no level, timestamps spread over two years.
 */
export async function writeBigLegacyFile(path: string, shape: BigFileShape): Promise<void> {
  const file = await LegacyPledgrFile.create({ bcryptCost: 4 });
  const passwordHash = bcrypt.hashSync('legacy-password', 4);
  const start = Date.UTC(2022, 0, 1);
  const span = 2 * 365 * 86_400_000;
  const amounts: SqlValue[] = [5, '10', 12.5, '25.00', 3.99, 50, '7.5', 100];
  const cancelledEvery = Math.round(1 / (shape.cancelledShare ?? 0.2));
  file.begin();
  for (let i = 1; i <= shape.users; i++) {
    file.register({
      name: `Fan ${i}`,
      email: `fan${i}@example.test`,
      passwordHash,
      createdAt: new Date(start + Math.floor((i / shape.users) * span * 0.5)),
    });
  }
  for (let i = 1; i <= shape.artists; i++) {
    file.createArtist({ userId: i, name: `Artist ${i}`, createdAt: new Date(start + i * 60_000) });
  }
  const insert = file.database.prepare(
    'INSERT INTO pledges (user_id, artist_id, level_id, amount, status, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (let i = 1; i <= shape.pledges; i++) {
    const userId = 1 + ((i * 7919) % shape.users);
    insert.run([
      userId,
      1 + ((i * 104_729) % shape.artists),
      i % 3 === 0 ? 1 + (i % 4) : null,
      amounts[i % amounts.length] ?? 5,
      i % cancelledEvery === 0 ? 'cancelled' : 'active',
      sqliteTimestamp(new Date(start + span * 0.5 + Math.floor((i / shape.pledges) * span * 0.5))),
    ]);
  }
  insert.free();
  file.commit();
  await file.save(path);
  file.close();
}

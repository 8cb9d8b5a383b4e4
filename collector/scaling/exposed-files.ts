// An outside look at the monitored app (MONITORED_APP_URLS): does it hand out files that must never leave the
// server? The current Pledgr app serves its own working folder as static files (express.static('.')), so
// GET /pledgr.db downloads the whole database, password hashes included (LEGACY-PLEDGR.md). Each base URL is
// asked for a short list of paths, with a timeout and reading at most a few bytes; a path counts as exposed
// only when the answer is 2xx AND the body looks like the file itself — the old app's catch-all GET * answers
// 200 with its HTML front page for every path, which must not count. The evidence names the path, never the
// content. Results are kept for a minute: GET /api/scaling and the alert evaluation share them.

/** What a served file is recognised by, from its first bytes. */
export type SensitiveKind = 'sqlite-database' | 'sqlite-wal' | 'sqlite-journal' | 'env-file' | 'git-config';

/**
 * The paths asked for, and why each:
 * - /pledgr.db: the old app's database file, in the folder it serves (LEGACY-PLEDGR.md);
 * - /pledgr.db-wal and /pledgr.db-journal: SQLite's write-ahead log and rollback journal beside it, which
 *   hold the newest rows (password hashes included) while the app writes;
 * - /database.sqlite: the other usual name of an app's SQLite file;
 * - /.env: DATABASE_URL, JWT_SECRET and other secrets, kept in the working folder by convention;
 * - /.git/config: a served .git folder lets anyone rebuild the source and its history (and old secrets).
 * package.json and the source files are left out: Pledgr is open source, so they reveal nothing new.
 */
export const sensitivePaths: readonly { readonly path: string; readonly kinds: readonly SensitiveKind[] }[] =
  [
    { path: '/pledgr.db', kinds: ['sqlite-database'] },
    { path: '/pledgr.db-wal', kinds: ['sqlite-wal'] },
    { path: '/pledgr.db-journal', kinds: ['sqlite-journal'] },
    { path: '/database.sqlite', kinds: ['sqlite-database'] },
    { path: '/.env', kinds: ['env-file'] },
    { path: '/.git/config', kinds: ['git-config'] },
  ];

const kindNames: Record<SensitiveKind, string> = {
  'sqlite-database': 'a SQLite database',
  'sqlite-wal': 'a SQLite write-ahead log',
  'sqlite-journal': 'a SQLite rollback journal',
  'env-file': 'an environment file (KEY=VALUE lines)',
  'git-config': 'a git configuration ([core])',
};

/** At most this many bytes of a body are read: enough for every recognizer. */
export const probeByteLimit = 4_096;

const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1');
const walMagic = [Buffer.from([0x37, 0x7f, 0x06, 0x82]), Buffer.from([0x37, 0x7f, 0x06, 0x83])];
const journalMagic = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);
const envLine = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*=\S*/;

/** Whether the first bytes of a body are the file kind itself (not an HTML page about it). */
export function looksLike(kind: SensitiveKind, head: Buffer): boolean {
  switch (kind) {
    case 'sqlite-database':
      return head.subarray(0, sqliteHeader.length).equals(sqliteHeader);
    case 'sqlite-wal':
      return walMagic.some((magic) => head.subarray(0, 4).equals(magic));
    case 'sqlite-journal':
      return head.subarray(0, journalMagic.length).equals(journalMagic);
    case 'env-file': {
      const text = head.toString('utf8');
      if (/<(?:!doctype|html|head|body)\b/i.test(text)) return false;
      const lines = text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'));
      // Every line but a possibly cut-off last one is KEY=VALUE.
      const whole = lines.length > 1 ? lines.slice(0, -1) : lines;
      return whole.length > 0 && whole.every((line) => envLine.test(line));
    }
    case 'git-config':
      return /^\s*\[core\]\s*$/m.test(head.toString('utf8'));
  }
}

export interface ExposedFile {
  /** The app's origin (scheme, host and port; never credentials), and the path asked for. */
  readonly origin: string;
  readonly path: string;
  readonly status: number;
  readonly kind: SensitiveKind;
  /** "a SQLite database", for evidence and alert text. */
  readonly looksLike: string;
}

export interface ExposedFilesReading {
  readonly checkedAt: number;
  /** Origins that answered at least one request. */
  readonly reachable: readonly string[];
  /** Origins that answered none (refused, timed out). */
  readonly unreachable: readonly string[];
  readonly exposed: readonly ExposedFile[];
  readonly pathsChecked: readonly string[];
}

export interface ExposedFilesSettings {
  /** MONITORED_APP_URLS: the app's public base URLs. */
  readonly urls: readonly string[];
  readonly timeoutMs?: number;
  /** How long one round of requests is reused (default 60 s). */
  readonly cacheMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

export interface ExposedFilesProbe {
  /** The newest round, re-run when older than the cache time; concurrent callers share one round. */
  check(): Promise<ExposedFilesReading>;
}

/** The first `limit` bytes of a body, then the download is cancelled. */
async function readHead(response: Response, limit: number): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    while (length < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      length += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

function originOf(base: string): string {
  return new URL(base).origin;
}

function urlFor(base: string, path: string): string {
  const url = new URL(base);
  url.username = '';
  url.password = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

export function createExposedFilesProbe(settings: ExposedFilesSettings): ExposedFilesProbe | null {
  if (settings.urls.length === 0) return null;
  const fetchImpl = settings.fetch ?? fetch;
  const timeoutMs = settings.timeoutMs ?? 3_000;
  const cacheMs = settings.cacheMs ?? 60_000;
  const now = settings.now ?? Date.now;

  async function ask(base: string, path: string, kinds: readonly SensitiveKind[]) {
    const response = await fetchImpl(urlFor(base, path), {
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { 'user-agent': 'pledgr-pulse exposed-file check' },
    });
    if (response.status < 200 || response.status > 299) {
      await response.body?.cancel().catch(() => undefined);
      return null;
    }
    const head = await readHead(response, probeByteLimit);
    const kind = kinds.find((candidate) => looksLike(candidate, head));
    return kind ? { status: response.status, kind } : null;
  }

  async function round(): Promise<ExposedFilesReading> {
    const reachable: string[] = [];
    const unreachable: string[] = [];
    const exposed: ExposedFile[] = [];
    for (const base of settings.urls) {
      const origin = originOf(base);
      const answers = await Promise.allSettled(
        sensitivePaths.map(async ({ path, kinds }) => ({ path, found: await ask(base, path, kinds) })),
      );
      let answered = false;
      for (const answer of answers) {
        if (answer.status === 'rejected') continue;
        answered = true;
        const { path, found } = answer.value;
        if (found) exposed.push({ origin, path, ...found, looksLike: kindNames[found.kind] });
      }
      (answered ? reachable : unreachable).push(origin);
    }
    return {
      checkedAt: now(),
      reachable,
      unreachable,
      exposed,
      pathsChecked: sensitivePaths.map((entry) => entry.path),
    };
  }

  let current: { at: number; reading: Promise<ExposedFilesReading> } | null = null;
  return {
    check() {
      const at = now();
      if (!current || at - current.at >= cacheMs) current = { at, reading: round() };
      return current.reading;
    },
  };
}

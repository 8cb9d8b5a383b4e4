// Password hashing with scrypt (a slow, memory-hard KDF from node:crypto). The stored form carries its own
// parameters — `scrypt$N$r$p$salt$hash` (base64url) — so they can be raised later without breaking old hashes.
//
// Users imported from the legacy Pledgr app carry bcrypt hashes (`$2a$10$…`, also `$2b$`/`$2y$`), which are
// verified with bcryptjs (pure JS) until their first successful login re-hashes them to scrypt (`needsRehash`).
// bcrypt reads only the first 72 bytes of a password: that is inherent to those hashes; scrypt reads it all.
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

const defaults = { N: 16_384, r: 8, p: 1 } as const;
const keyLength = 32;
const saltLength = 16;

/** `$2a$`, `$2b$` or `$2y$`, a two-digit cost, then 22 characters of salt and 31 of hash (bcrypt's base64). */
const bcryptPattern = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
/**
 * The legacy app hashes at cost 10. A stored cost above 14 (each step doubles the work: ~2 s of JavaScript at
 * 14 on the machine we measured) is treated as malformed, so that one stored hash cannot tie up the server.
 */
const bcryptCost = { min: 4, max: 14 } as const;

const decimal = /^[1-9]\d{0,9}$/;
/** Likewise, a stored scrypt hash asking for more than 16 times the current work (N·r·p) is malformed. */
const maxScryptWork = 16 * defaults.N * defaults.r * defaults.p;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Hashes with a fresh random salt, or with `salt` when a deterministic hash is wanted (demo data). */
export async function hashPassword(
  password: string,
  salt: Buffer = randomBytes(saltLength),
): Promise<string> {
  const key = await derive(password, salt, defaults);
  return [
    'scrypt',
    defaults.N,
    defaults.r,
    defaults.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

interface ScryptHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function parseScrypt(stored: string): ScryptHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6) return null;
  const [scheme, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  if (scheme !== 'scrypt' || !decimal.test(n) || !decimal.test(r) || !decimal.test(p)) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (params.N * params.r * params.p > maxScryptWork) return null;
  const key = Buffer.from(hash, 'base64url');
  if (key.length !== keyLength) return null;
  return { ...params, salt: Buffer.from(salt, 'base64url'), hash: key };
}

function bcryptCostOf(stored: string): number | null {
  const match = bcryptPattern.exec(stored);
  if (!match) return null;
  const cost = Number(match[1]);
  return cost >= bcryptCost.min && cost <= bcryptCost.max ? cost : null;
}

/**
 * True when `password` matches `stored`, a scrypt hash or an imported bcrypt one. A malformed stored hash (or
 * one whose parameters the KDF refuses) never matches, and never throws.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (typeof password !== 'string' || typeof stored !== 'string') return false;
  try {
    const parsed = parseScrypt(stored);
    if (parsed) {
      const key = await derive(password, parsed.salt, { N: parsed.N, r: parsed.r, p: parsed.p });
      return timingSafeEqual(key, parsed.hash);
    }
    // bcryptjs's async compare runs on the event loop in chunks of up to 100 ms, yielding between them (at
    // cost 10 that is one or two chunks), rather than in one block; it compares the result in constant time.
    if (bcryptCostOf(stored) !== null) return await bcrypt.compare(password, stored);
    return false;
  } catch {
    return false;
  }
}

/**
 * True when `stored` should be replaced by a fresh `hashPassword` after a successful verification: any bcrypt
 * hash, and scrypt hashes with a parameter (N, r, p or salt length) below the current defaults.
 */
export function needsRehash(stored: string): boolean {
  const parsed = parseScrypt(stored);
  if (!parsed) return true;
  return (
    parsed.N < defaults.N || parsed.r < defaults.r || parsed.p < defaults.p || parsed.salt.length < saltLength
  );
}

// Imported bcrypt hashes (the legacy Pledgr app's bcryptjs, cost 10) verify alongside scrypt ones; a malformed
// hash of either scheme never matches and never throws; `needsRehash` flags bcrypt and weaker scrypt hashes;
// bcrypt's 72-byte limit does not leak into scrypt.
import { scryptSync } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from '../../core/password.ts';

/** What the legacy app stores: bcryptjs at cost 10, with the `$2a$` prefix its bcryptjs 2.x wrote. */
const legacyHash = (password: string, prefix: '$2a$' | '$2b$' | '$2y$' = '$2a$') =>
  bcrypt.hashSync(password, bcrypt.genSaltSync(10).replace(/^\$2[aby]\$/, prefix));

function scryptHash(password: string, N: number, r: number, p: number, salt = Buffer.alloc(16, 7)) {
  const key = scryptSync(password, salt, 32, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

describe('bcrypt hashes from the legacy app', () => {
  it('verifies a $2a$ cost-10 hash made by bcryptjs, and rejects a wrong password', async () => {
    const stored = legacyHash('correct horse');
    expect(stored).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct hors', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('accepts the $2b$ and $2y$ variants', async () => {
    for (const prefix of ['$2b$', '$2y$'] as const) {
      const stored = legacyHash('battery staple', prefix);
      expect(stored.startsWith(prefix)).toBe(true);
      expect(await verifyPassword('battery staple', stored)).toBe(true);
      expect(await verifyPassword('battery stapler', stored)).toBe(false);
    }
  });

  it('agrees with hashes made by other bcrypt implementations', async () => {
    // PHP's password_verify example, jBCrypt's and pyca/bcrypt's test vectors.
    const vectors: [string, string][] = [
      ['rasmuslerdorf', '$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a'],
      ['abc', '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
      ['Kk4DQuMMfZL9o', '$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm'],
    ];
    for (const [password, stored] of vectors) {
      expect(await verifyPassword(password, stored)).toBe(true);
      expect(await verifyPassword(`${password}!`, stored)).toBe(false);
    }
  });

  it('verifies non-ASCII passwords as UTF-8, as bcryptjs in the legacy app did', async () => {
    const stored = legacyHash('pässwörd ✓ 秘密');
    expect(await verifyPassword('pässwörd ✓ 秘密', stored)).toBe(true);
    expect(await verifyPassword('passwort ✓ 秘密', stored)).toBe(false);
  });

  it('never matches, nor throws on, a malformed bcrypt hash', async () => {
    const good = legacyHash('secret password');
    const body = good.slice(7);
    const malformed = [
      '$2a$10$',
      '$2a$10$short',
      good.slice(0, -1),
      `${good}x`,
      `$2x$10$${body}`, // a revision bcryptjs does not know
      `$2$10$${body}`,
      `$2a$1$${body}`,
      `$2a$ab$${body}`,
      `$2a$03$${body}`, // below bcrypt's minimum cost
      `$2a$31$${body}`, // valid for bcrypt, but refused rather than spending hours on it
      `$2a$10$${body.slice(0, -1)}!`, // outside bcrypt's alphabet
      `$2a$10$${'!'.repeat(53)}`,
      ` ${good}`,
      good.toUpperCase(),
    ];
    for (const stored of malformed) {
      await expect(verifyPassword('secret password', stored), stored).resolves.toBe(false);
    }
  });

  it('uses only the first 72 bytes of a password for bcrypt, but every byte for scrypt', async () => {
    const long = `${'a'.repeat(72)}the rest`;
    const other = `${'a'.repeat(72)}something else`;
    // Inherent to bcrypt: what follows byte 72 is ignored.
    expect(await verifyPassword(other, legacyHash(long))).toBe(true);
    // scrypt is not affected.
    const scrypt = await hashPassword(long);
    expect(await verifyPassword(long, scrypt)).toBe(true);
    expect(await verifyPassword(other, scrypt)).toBe(false);
  });
});

describe('scrypt hashes', () => {
  it('verifies hashes made with other parameters', async () => {
    expect(await verifyPassword('older', scryptHash('older', 8192, 8, 1))).toBe(true);
    expect(await verifyPassword('older', scryptHash('other', 8192, 8, 1))).toBe(false);
  });

  it('never matches, nor throws on, parameters scrypt refuses or that ask for too much work', async () => {
    const valid = scryptHash('x', 1024, 8, 1).split('$');
    const withParams = (N: string, r: string, p: string) => ['scrypt', N, r, p, valid[4], valid[5]].join('$');
    for (const stored of [
      withParams('1000', '8', '1'), // N not a power of two
      withParams('1', '8', '1'),
      withParams('0', '8', '1'),
      withParams('-1024', '8', '1'),
      withParams('1024.5', '8', '1'),
      withParams('0x400', '8', '1'),
      withParams('1e3', '8', '1'),
      withParams('1048576', '8', '1'), // more memory than allowed
      withParams('16384', '8', '40000'), // hours of work
      withParams('1024', '', '1'),
      `${valid.join('$')}$extra`,
    ]) {
      await expect(verifyPassword('x', stored), stored).resolves.toBe(false);
    }
    expect(await verifyPassword('x', valid.join('$'))).toBe(true);
  });
});

describe('needsRehash', () => {
  it('is false for a hash with the current parameters (or stronger)', async () => {
    expect(needsRehash(await hashPassword('current'))).toBe(false);
    expect(needsRehash(scryptHash('stronger', 32768, 8, 1))).toBe(false);
    expect(needsRehash(scryptHash('stronger', 16384, 8, 2))).toBe(false);
  });

  it('is true for bcrypt hashes of every variant', () => {
    for (const prefix of ['$2a$', '$2b$', '$2y$'] as const) {
      expect(needsRehash(bcrypt.hashSync('x', bcrypt.genSaltSync(4).replace(/^\$2b\$/, prefix)))).toBe(true);
    }
  });

  it('is true for scrypt hashes below the current parameters', () => {
    expect(needsRehash(scryptHash('weak', 8192, 8, 1))).toBe(true);
    expect(needsRehash(scryptHash('weak', 16384, 4, 1))).toBe(true);
    expect(needsRehash(scryptHash('weak', 16384, 8, 1, Buffer.alloc(8, 7)))).toBe(true);
    expect(needsRehash(scryptHash('current', 16384, 8, 1))).toBe(false);
  });
});

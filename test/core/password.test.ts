// Password hashing: scrypt with a per-hash salt, self-describing stored form, constant-time verification.
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../core/password.ts';

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct hors', stored)).toBe(false);
  });

  it('salts each hash differently unless a salt is given', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
    const salt = Buffer.alloc(16, 1);
    expect(await hashPassword('same', salt)).toBe(await hashPassword('same', salt));
  });

  it('never matches a malformed stored hash', async () => {
    for (const stored of [
      '',
      'plain',
      'scrypt$1$2',
      'bcrypt$16384$8$1$a$b',
      'scrypt$16384$8$1$c2FsdA$c2hvcnQ',
    ]) {
      expect(await verifyPassword('x', stored)).toBe(false);
    }
  });
});

// The replica's lag from WAL positions (core/db/replica-lag.ts), on hand-made primary samples, and which
// statements the routing read database may send to a replica (isReadOnlyQuery).
import { describe, expect, it } from 'vitest';
import { defineQuery } from '../../core/db/query.ts';
import { isReadOnlyQuery } from '../../core/db/read-replica.ts';
import { PrimaryLsnHistory, parseLsn } from '../../core/db/replica-lag.ts';

describe('WAL positions', () => {
  it('parses pg_lsn text into comparable numbers', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('0/3015FE0')).toBe(0x3015fe0n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(() => parseLsn('16-B374D848')).toThrow(/not a WAL position/);
  });
});

describe('replica lag from primary samples', () => {
  // The primary at 0/100 at t=0 s, 0/200 at t=1 s, 0/300 at t=2 s.
  function history(): PrimaryLsnHistory {
    const samples = new PrimaryLsnHistory(10_000);
    samples.record(0, 0x100n);
    samples.record(1_000, 0x200n);
    samples.record(2_000, 0x300n);
    return samples;
  }

  it('is 0 for a replica at or past the newest primary position', () => {
    expect(history().lagAt(0x300n, 2_500)).toEqual({ lagMs: 0, known: true });
    expect(history().lagAt(0x350n, 2_500)).toEqual({ lagMs: 0, known: true });
  });

  it('is the time since the newest sample the replay position has reached', () => {
    // Replayed up to 0/250: it has what the primary had at t=1 s, not yet what it had at t=2 s.
    expect(history().lagAt(0x250n, 2_500)).toEqual({ lagMs: 1_500, known: true });
    expect(history().lagAt(0x200n, 2_500)).toEqual({ lagMs: 1_500, known: true });
    expect(history().lagAt(0x100n, 2_500)).toEqual({ lagMs: 2_500, known: true });
  });

  it('is unknown, at least the history’s span, for a replica behind every sample kept', () => {
    expect(history().lagAt(0x50n, 2_500)).toEqual({ lagMs: 2_500, known: false });
    expect(new PrimaryLsnHistory(10_000).lagAt(0x50n, 2_500)).toEqual({ lagMs: 0, known: false });
  });

  it('moves the time of a repeated position on: an idle primary does not age a caught-up replica', () => {
    const samples = new PrimaryLsnHistory(10_000);
    samples.record(0, 0x100n);
    samples.record(60_000, 0x100n);
    samples.record(60_100, 0x180n);
    expect(samples.size).toBe(2);
    expect(samples.lagAt(0x100n, 60_200)).toEqual({ lagMs: 200, known: true });
  });

  it('keeps one sample older than its window, so a replica far behind still reads as far behind', () => {
    const samples = new PrimaryLsnHistory(1_000);
    for (let second = 0; second <= 10; second++) samples.record(second * 1_000, BigInt(0x100 * (second + 1)));
    expect(samples.size).toBe(3); // t=8 s (older than the window), 9 s, 10 s
    expect(samples.lagAt(0x100n, 10_000)).toEqual({ lagMs: 2_000, known: false });
    expect(samples.lagAt(0x900n, 10_000)).toEqual({ lagMs: 2_000, known: true });
  });

  it('starts again when the position goes backwards (another primary behind the same address)', () => {
    const samples = history();
    samples.record(3_000, 0x80n);
    expect(samples.size).toBe(1);
    expect(samples.lagAt(0x80n, 3_100)).toEqual({ lagMs: 0, known: true });
  });
});

describe('statements a replica may answer', () => {
  const query = (sql: string) => defineQuery('test.statement', sql);

  it('sends plain reads, CTE reads and commented reads to the replica', () => {
    expect(isReadOnlyQuery(query('SELECT count(*) FROM users'))).toBe(true);
    expect(isReadOnlyQuery(query('WITH u AS (SELECT id FROM users) SELECT count(*) FROM u'))).toBe(true);
    expect(isReadOnlyQuery(query('-- turned into rows; an update would not\nSELECT 1'))).toBe(true);
  });

  it('keeps writes, data-changing CTEs and locking reads on the primary', () => {
    for (const sql of [
      'INSERT INTO users (email) VALUES (:email)',
      'UPDATE pledges SET cancelled_at = now()',
      "DELETE FROM kpi_changes WHERE recorded_at < now() - interval '1 day'",
      'WITH gone AS (DELETE FROM pledges RETURNING id) SELECT count(*) FROM gone',
      'SELECT id FROM pledges FOR UPDATE',
      'SELECT id FROM pledges FOR KEY SHARE',
      'SELECT * INTO copy_of_users FROM users',
      "SELECT nextval('users_id_seq')",
      'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ',
    ]) {
      expect(isReadOnlyQuery(query(sql)), sql).toBe(false);
    }
  });
});

// The scaling checklist service on both databases: the phase from the user count, the guide's indexes read
// from pg_indexes (dropping one flips its item), the `pulse load` marker, the inputs that flip detected
// items, manual records (round trip, latest wins, history, nothing written on refusal), and the state of
// `pulse import-sqlite FILE --follow` read from legacy_follow (following, stale, failing; file name only).
import { beforeAll, expect, it } from 'vitest';
import type { ScalingHealthInputs } from '../../collector/scaling/scaling-types.ts';
import type { Db } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import { loadTestEmail } from '../../core/scaling/load-test-marker.ts';
import { describeEachDatabase } from '../support/databases.ts';
import {
  addLegacyFollow,
  addUser,
  addUsers,
  clearLegacyFollow,
  itemOf,
  postgresSettings,
  scalingRecordCount,
  scalingServiceFor,
  testClock,
} from './scaling-support.ts';

const health =
  (inputs: Partial<ScalingHealthInputs> = {}) =>
  async (): Promise<ScalingHealthInputs> => ({
    instanceCount: 1,
    lastSuccessAt: Date.parse('2026-06-01T00:00:00Z'),
    instancesWithRateLimiter: 0,
    instancesWithCache: 0,
    profileCache: null,
    ...inputs,
  });

describeEachDatabase('scaling checklist service', ({ db: mainDb, fresh }) => {
  let db: Db;
  beforeAll(async () => {
    db = mainDb();
    await migrate(db);
  });

  it('places 999 users in phase 1, 1,000 in phase 2, 9,999 in phase 2 and 10,000 in phase 3', async () => {
    const empty = await fresh();
    await migrate(empty);
    const service = scalingServiceFor(empty);

    await addUsers(empty, 1, 999);
    let report = await service.report();
    expect(report.users).toBe(999);
    expect(report.phase).toMatchObject({
      number: 1,
      name: 'Startup',
      userRange: { from: 0, to: 1_000 },
      usersLabel: '1-1,000',
      cost: '$0/month',
      costBand: { fromCents: 0, toCents: 0, openEnded: false, label: '$0/month' },
    });
    // 1,000 − 999 = 1 user to go; on a fresh database with no health source, every phase-2 item is open.
    expect(report.nextMilestone).toEqual({
      users: 1_000,
      usersToGo: 1,
      phase: { number: 2, name: 'Growth' },
      prepare: ['load-balancer', 'cdn', 'advanced-caching', 'load-test', 'disaster-recovery-plan', 'redis'],
    });

    await addUsers(empty, 1_000, 1);
    report = await service.report();
    expect([report.users, report.phase.number, report.phase.costBand.label]).toEqual([
      1_000,
      2,
      '$20-100/month',
    ]);
    expect(report.nextMilestone).toMatchObject({ users: 10_000, usersToGo: 9_000, phase: { number: 3 } });

    await addUsers(empty, 1_001, 8_999);
    report = await service.report();
    expect([report.users, report.phase.number]).toEqual([9_999, 2]);

    await addUsers(empty, 10_000, 1);
    report = await service.report();
    expect([report.users, report.phase.number, report.phase.costBand.label]).toEqual([
      10_000,
      3,
      '$200-2000+/month',
    ]);
    // Phase 3 runs to the end of the guide's range: 100,000 − 10,000 = 90,000 to go, no phase after it.
    expect(report.nextMilestone).toEqual({ users: 100_000, usersToGo: 90_000, phase: null, prepare: [] });
  });

  it("lists the guide's three phases with every item once, counted by status", async () => {
    const report = await scalingServiceFor(db).report();
    expect(report.phases.map((phase) => [phase.number, phase.name, phase.items.length])).toEqual([
      [1, 'Startup', 5],
      [2, 'Growth', 6],
      [3, 'Enterprise', 8],
    ]);
    // The guide's five per checklist, then Pulse's own.
    expect(report.phases.map((phase) => phase.items.map((item) => item.source))).toEqual([
      ['guide', 'guide', 'guide', 'guide', 'guide'],
      ['guide', 'guide', 'guide', 'guide', 'guide', 'pulse'],
      ['guide', 'guide', 'guide', 'guide', 'guide', 'pulse', 'pulse', 'pulse'],
    ]);
    expect(report.security.items.map((item) => [item.id, item.source])).toEqual([
      ['rate-limiting', 'guide'],
      ['ddos-protection', 'guide'],
      ['tls-transport', 'guide'],
      ['aes-256-storage', 'guide'],
      ['key-rotation', 'guide'],
      ['no-sensitive-files-served', 'pulse'],
    ]);
    for (const phase of report.phases) {
      const { done, todo, unknown } = phase.counts;
      expect(done + todo + unknown).toBe(phase.items.length);
    }
    const ids = report.phases.flatMap((phase) => phase.items.map((item) => item.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('finds the three indexes of a migrated schema ("Add database indexes"), and a dropped one fails it', async () => {
    const target = await fresh();
    await migrate(target);
    const service = scalingServiceFor(target);
    const indexes = async () => itemOf(await service.report(), 'database-indexes');

    expect(await indexes()).toMatchObject({
      how: 'detected',
      status: 'done',
      title: 'Add database indexes',
      evidence:
        'idx_users_email on users(email); idx_pledges_user_id on pledges(user_id); idx_pledges_artist_id on pledges(artist_id)',
    });

    await target.runScript('test.dropIndex', 'DROP INDEX idx_pledges_user_id');
    expect(await indexes()).toMatchObject({
      status: 'todo',
      evidence: expect.stringContaining(
        'idx_pledges_user_id is missing: CREATE INDEX idx_pledges_user_id ON pledges(user_id)',
      ),
    });

    // The same name on the wrong column does not count.
    await target.runScript('test.wrongIndex', 'CREATE INDEX idx_pledges_user_id ON pledges(artist_id)');
    expect(await indexes()).toMatchObject({
      status: 'todo',
      evidence: expect.stringContaining('idx_pledges_user_id is on pledges(artist_id), not pledges(user_id)'),
    });

    await target.runScript(
      'test.restoreIndex',
      'DROP INDEX idx_pledges_user_id; CREATE INDEX idx_pledges_user_id ON pledges(user_id)',
    );
    expect((await indexes()).status).toBe('done');
    await target.runScript('test.dropEmailIndex', 'DROP INDEX idx_users_email');
    expect(await indexes()).toMatchObject({
      status: 'todo',
      evidence: expect.stringMatching(/^idx_users_email is missing/),
    });
  });

  it('counts a load test from the users pulse load registers in the last 30 days, by the clock given', async () => {
    const clock = testClock('2026-06-01T00:00:00Z');
    const service = scalingServiceFor(db, { now: clock.now });
    const loadTest = async () => itemOf(await service.report(), 'load-test');
    expect(await loadTest()).toMatchObject({ status: 'todo', how: 'detected' });

    // 30 days (720 h) before 2026-06-01T00:00Z is 2026-05-02T00:00Z: one second earlier is too old.
    await addUser(db, loadTestEmail('old', 1), '2026-05-01T23:59:59Z');
    // Look-alikes that pulse load never writes.
    await addUser(db, 'loader@load.pledgr.test', '2026-05-20T00:00:00Z');
    await addUser(db, 'load-1-1@example.test', '2026-05-20T00:00:00Z');
    expect((await loadTest()).status).toBe('todo');

    await addUser(db, loadTestEmail('edge', 1), '2026-05-02T00:00:00Z');
    expect(await loadTest()).toEqual(
      expect.objectContaining({
        status: 'done',
        evidence: '1 pulse load user registered in the last 30 days, the latest on 2026-05-02',
      }),
    );

    await addUser(db, loadTestEmail('recent', 7), '2026-05-31T12:00:00Z');
    expect((await loadTest()).evidence).toBe(
      '2 pulse load users registered in the last 30 days, the latest on 2026-05-31',
    );

    // A day later the edge user has aged out, the recent one still counts; 31 days later none does.
    clock.set('2026-06-02T00:00:00Z');
    expect((await loadTest()).evidence).toMatch(/^1 pulse load user registered/);
    clock.set('2026-07-01T12:00:01Z');
    expect((await loadTest()).status).toBe('todo');
    expect((await loadTest()).evidence).not.toContain('@');
  });

  it('reads the database type and pool settings it is given', async () => {
    const embedded = await scalingServiceFor(db, { database: { kind: 'embedded' } }).report();
    expect(itemOf(embedded, 'postgresql').status).toBe('todo');
    expect(itemOf(embedded, 'connection-pool').status).toBe('todo');

    const postgres = await scalingServiceFor(db, { database: postgresSettings }).report();
    expect(itemOf(postgres, 'postgresql').status).toBe('done');
    expect(itemOf(postgres, 'connection-pool')).toMatchObject({
      status: 'done',
      evidence: 'pool max 20, idle timeout 30 s, connection timeout 2 s',
    });

    // node-postgres reads a 0 timeout as "wait forever".
    const waitsForever = await scalingServiceFor(db, {
      database: {
        kind: 'postgres',
        pool: { max: 20, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 0 },
      },
    }).report();
    expect(itemOf(waitsForever, 'connection-pool')).toMatchObject({
      status: 'todo',
      evidence: expect.stringContaining('DB_POOL_CONNECTION_TIMEOUT_MS'),
    });
  });

  it('flips the health and Redis items with their inputs, and says unknown without a health source', async () => {
    const report = (overrides: Parameters<typeof scalingServiceFor>[1]) =>
      scalingServiceFor(db, overrides).report();

    const none = await report({});
    for (const id of ['monitoring', 'rate-limiting', 'load-balancer', 'advanced-caching']) {
      expect(itemOf(none, id)).toMatchObject({
        status: 'unknown',
        evidence: 'no health source is configured',
      });
    }
    const failing = await report({
      readHealth: async () => {
        throw new Error('connection refused');
      },
    });
    expect(itemOf(failing, 'monitoring')).toMatchObject({
      status: 'unknown',
      evidence: 'the health source did not answer',
    });

    const one = await report({ readHealth: health({ instanceCount: 1 }) });
    expect(itemOf(one, 'load-balancer')).toMatchObject({
      status: 'todo',
      evidence: '1 agent instance answering scrapes: load balancing needs more than one',
    });
    const zero = await report({ readHealth: health({ instanceCount: 0 }) });
    expect(itemOf(zero, 'load-balancer').status).toBe('unknown');

    expect(itemOf(await report({ redisConfigured: false }), 'redis').status).toBe('todo');
    expect(itemOf(await report({ redisConfigured: true }), 'redis')).toMatchObject({
      status: 'done',
      evidence: 'REDIS_URL is set',
    });

    // The clock says 2026-06-01T00:00:00Z; the default freshness is 120 s.
    const scrapedAt = (iso: string | null) =>
      report({ readHealth: health({ lastSuccessAt: iso === null ? null : Date.parse(iso) }) });
    expect(itemOf(await scrapedAt('2026-05-31T23:58:00Z'), 'monitoring')).toMatchObject({
      status: 'done',
      evidence: 'last successful scrape 120 s ago',
    });
    expect(itemOf(await scrapedAt('2026-05-31T23:57:59Z'), 'monitoring')).toMatchObject({
      status: 'todo',
      evidence: 'last successful scrape 121 s ago (older than 120 s)',
    });
    expect(itemOf(await scrapedAt(null), 'monitoring')).toMatchObject({
      status: 'todo',
      evidence: 'no successful scrape yet',
    });
  });

  it('records manual items: the latest record wins, history is kept newest first', async () => {
    const clock = testClock('2026-06-01T09:00:00Z');
    const service = scalingServiceFor(db, { now: clock.now });
    expect(itemOf(await service.report(), 'automated-backups')).toMatchObject({
      how: 'manual',
      status: 'todo',
      evidence: 'not recorded yet',
    });

    const saved = await service.record('automated-backups', {
      done: true,
      recordedBy: '  Ana Ops  ',
      note: ' nightly pg_dump, kept 30 days ',
    });
    expect(saved).toMatchObject({
      id: 'automated-backups',
      status: 'done',
      evidence: 'recorded done on 2026-06-01',
      recordedBy: 'Ana Ops',
      recordedAt: '2026-06-01T09:00:00.000Z',
      note: 'nightly pg_dump, kept 30 days',
    });
    expect(itemOf(await service.report(), 'automated-backups')).toEqual(saved);

    clock.set('2026-06-03T10:00:00Z');
    await service.record('automated-backups', { done: false, recordedBy: 'BK', note: '   ' });
    const undone = itemOf(await service.report(), 'automated-backups');
    expect(undone).toMatchObject({
      status: 'todo',
      evidence: 'recorded not done on 2026-06-03',
      recordedBy: 'BK',
    });
    expect(undone).not.toHaveProperty('note');
    // Evidence never carries the name; it has its own field.
    expect(undone.evidence).not.toContain('BK');

    // The record written last wins even if its clock reads earlier.
    clock.set('2026-06-02T00:00:00Z');
    await service.record('automated-backups', { done: true, recordedBy: 'CL' });
    expect(itemOf(await service.report(), 'automated-backups')).toMatchObject({
      status: 'done',
      recordedBy: 'CL',
    });

    const history = await service.history('automated-backups');
    expect(history.map((record) => [record.recordedBy, record.done, record.note])).toEqual([
      ['CL', true, null],
      ['BK', false, null],
      ['Ana Ops', true, 'nightly pg_dump, kept 30 days'],
    ]);
    // Another item keeps its own state.
    expect(itemOf(await service.report(), 'cdn').status).toBe('todo');
  });

  it('refuses to record an unknown item (404) or a detected one (409), writing nothing', async () => {
    const service = scalingServiceFor(db);
    const before = await scalingRecordCount(db);
    await expect(service.record('no-such-item', { done: true, recordedBy: 'AB' })).rejects.toMatchObject({
      status: 404,
      code: 'unknown_item',
    });
    await expect(service.record('database-indexes', { done: true, recordedBy: 'AB' })).rejects.toMatchObject({
      status: 409,
      code: 'detected_item',
    });
    await expect(service.history('postgresql')).rejects.toMatchObject({ status: 409 });
    expect(await scalingRecordCount(db)).toBe(before);
  });

  it('says no legacy file is followed (null) while legacy_follow has no row', async () => {
    const empty = await fresh();
    await migrate(empty);
    expect((await scalingServiceFor(empty).report()).legacyFollow).toBeNull();
  });

  it('reports each followed legacy file by name only, with its state and freshness, ordered by path', async () => {
    const target = await fresh();
    await migrate(target);
    // The clock says 2026-06-01T00:00:00Z (scalingServiceFor's default).
    await addLegacyFollow(target, {
      source: '/srv/pledgr-old/b/pledgr.db',
      intervalSeconds: 60,
      startedAt: '2026-05-31T23:00:00Z',
      lastSyncAt: '2026-05-31T23:59:18Z', // 42 s ago
      fileModifiedAt: '2026-05-31T23:59:10Z',
      syncs: 3,
      rowsImported: 1_234,
      rowsSkipped: 2,
      cancelsObserved: 5,
    });
    // 181 s without a sync at a 60 s interval: past 3 intervals.
    await addLegacyFollow(target, {
      source: '/srv/pledgr-old/a/stopped.db',
      intervalSeconds: 60,
      lastSyncAt: '2026-05-31T23:56:59Z',
    });
    // Synced 30 s ago, but the attempt after it failed: failing, however fresh the data still is.
    await addLegacyFollow(target, {
      source: '/srv/pledgr-old/c/broken.db',
      intervalSeconds: 60,
      lastSyncAt: '2026-05-31T23:59:30Z',
      lastError: 'SQLITE_CORRUPT: database disk image is malformed (/srv/pledgr-old/c/broken.db-wal)',
      lastErrorAt: '2026-05-31T23:59:50Z',
    });

    const report = await scalingServiceFor(target).report();
    expect(
      report.legacyFollow?.map((follow) => [follow.file, follow.state, follow.freshnessSeconds]),
    ).toEqual([
      ['stopped.db', 'stale', 181],
      ['pledgr.db', 'following', 42],
      ['broken.db', 'failing', 30],
    ]);
    expect(report.legacyFollow?.[1]).toEqual({
      file: 'pledgr.db',
      state: 'following',
      intervalSeconds: 60,
      startedAt: '2026-05-31T23:00:00.000Z',
      lastSyncAt: '2026-05-31T23:59:18.000Z',
      fileModifiedAt: '2026-05-31T23:59:10.000Z',
      freshnessSeconds: 42,
      syncs: 3,
      rowsImported: 1_234,
      rowsSkipped: 2,
      cancelsObserved: 5,
      lastError: null,
      lastErrorAt: null,
    });
    expect(report.legacyFollow?.[2]).toMatchObject({
      lastError: 'SQLITE_CORRUPT: database disk image is malformed (broken.db-wal)',
      lastErrorAt: '2026-05-31T23:59:50.000Z',
    });
    // The absolute path never leaves the database.
    expect(JSON.stringify(report)).not.toContain('/srv');
  });

  it('turns stale after exactly 3 intervals without a sync, and failing wins over stale', async () => {
    const clock = testClock('2026-06-01T00:00:00Z');
    const service = scalingServiceFor(db, { now: clock.now });
    await addLegacyFollow(db, {
      source: 'C:\\pledgr\\pledgr.db',
      intervalSeconds: 10,
      lastSyncAt: '2026-06-01T00:00:00Z',
    });
    const follow = async () => (await service.report()).legacyFollow?.[0];
    expect(await follow()).toMatchObject({ file: 'pledgr.db', state: 'following', freshnessSeconds: 0 });
    clock.set('2026-06-01T00:00:30Z'); // 3 × 10 s: not more than 3 intervals yet
    expect(await follow()).toMatchObject({ state: 'following', freshnessSeconds: 30 });
    clock.set('2026-06-01T00:00:30.001Z');
    expect(await follow()).toMatchObject({ state: 'stale', freshnessSeconds: 30 });
    clock.set('2026-06-01T02:00:00Z');
    expect(await follow()).toMatchObject({ state: 'stale', freshnessSeconds: 7_200 });

    await clearLegacyFollow(db);
    await addLegacyFollow(db, {
      source: '/home/ops/pledgr.db',
      intervalSeconds: 10,
      lastSyncAt: '2026-06-01T00:00:00Z',
      lastError: 'EACCES: permission denied, open /home/ops/pledgr.db',
      lastErrorAt: '2026-06-01T01:59:55Z',
    });
    expect(await follow()).toMatchObject({
      file: 'pledgr.db',
      state: 'failing',
      freshnessSeconds: 7_200,
      lastError: 'EACCES: permission denied, open pledgr.db',
    });
    // An error from before the last successful sync is history, not the state.
    await clearLegacyFollow(db);
    await addLegacyFollow(db, {
      source: '/home/ops/pledgr.db',
      intervalSeconds: 60,
      lastSyncAt: '2026-06-01T01:59:00Z',
      lastError: 'busy',
      lastErrorAt: '2026-06-01T01:58:00Z',
    });
    expect(await follow()).toMatchObject({ state: 'following', freshnessSeconds: 60 });
    await clearLegacyFollow(db);
    expect((await service.report()).legacyFollow).toBeNull();
  });
});

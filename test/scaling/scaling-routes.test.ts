// The scaling routes over real HTTP, on both databases: a small Express app mounts the router with the
// shared error middleware (the collector adds the role checks where it mounts it). Every refusal answers
// in the {"error": {code, message}} shape, names the field, and writes nothing.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scalingRoutes } from '../../collector/scaling/scaling-routes.ts';
import type { ScalingReport } from '../../collector/scaling/scaling-types.ts';
import { errorHandler, notFound } from '../../core/http/http-errors.ts';
import { migrate } from '../../core/migrate.ts';
import { scalingItems } from '../../core/scaling/scaling-guide.ts';
import { describeEachDatabase } from '../support/databases.ts';
import {
  addLegacyFollow,
  clearLegacyFollow,
  itemOf,
  scalingRecordCount,
  scalingServiceFor,
  testClock,
} from './scaling-support.ts';

describeEachDatabase('scaling routes over HTTP', ({ db }) => {
  let baseUrl: string;
  let close: () => Promise<void>;
  const serverErrors: string[] = [];
  const clock = testClock('2026-06-01T08:30:00Z');

  beforeAll(async () => {
    await migrate(db());
    const app = express();
    app.use(scalingRoutes(scalingServiceFor(db(), { now: clock.now })));
    app.use(notFound);
    app.use(errorHandler((message) => serverErrors.push(message)));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });

  afterAll(async () => {
    await close?.();
    expect(serverErrors).toEqual([]);
  });

  const getJson = async (path: string) => {
    const response = await fetch(`${baseUrl}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const post = async (path: string, body: string, contentType = 'application/json') => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: contentType ? { 'content-type': contentType } : {},
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const record = (id: string, body: unknown) => post(`/api/scaling/items/${id}`, JSON.stringify(body));

  it('GET /api/scaling returns the phase, the user count, the next milestone and every item', async () => {
    const { status, body } = await getJson('/api/scaling');
    expect(status).toBe(200);
    const report = body as unknown as ScalingReport;
    expect(report.users).toBe(0);
    expect(report.phase).toEqual({
      number: 1,
      name: 'Startup',
      userRange: { from: 0, to: 1_000 },
      usersLabel: '1-1,000',
      platform: 'Render.com, Railway.app, or Vercel',
      database: 'Supabase (Free tier)',
      cost: '$0/month',
      costBand: { fromCents: 0, toCents: 0, openEnded: false, label: '$0/month' },
      features: [
        'Auto-scaling up to 50,000 users',
        'Built-in authentication',
        'Real-time subscriptions',
        'Automatic backups',
      ],
      checklistHeading: 'Before 1,000 Users',
    });
    expect(report.nextMilestone).toMatchObject({ users: 1_000, usersToGo: 1_000, phase: { number: 2 } });
    expect(
      report.phases.map((phase) => [phase.costBand.label, phase.costBand.fromCents, phase.costBand.toCents]),
    ).toEqual([
      ['$0/month', 0, 0],
      ['$20-100/month', 2_000, 10_000],
      ['$200-2000+/month', 20_000, 200_000],
    ]);
    const items = [...report.phases.flatMap((phase) => phase.items), ...report.security.items];
    const byPhase = [1, 2, 3].flatMap((phase) => scalingItems.filter((item) => item.phase === phase));
    const security = scalingItems.filter((item) => item.section === 'security');
    expect(items.map((item) => item.id)).toEqual([...byPhase, ...security].map((item) => item.id));
    for (const item of items) {
      const keys = [
        'evidence',
        'guideLines',
        'heading',
        'how',
        'id',
        'section',
        'source',
        'status',
        'title',
        'why',
      ];
      expect(Object.keys(item).sort()).toEqual(item.how === 'manual' ? [...keys, 'recordHint'].sort() : keys);
      expect(['done', 'todo', 'unknown']).toContain(item.status);
    }
    expect(itemOf(report, 'database-indexes')).toMatchObject({ how: 'detected', status: 'done' });
    expect(report.legacyFollow).toBeNull();
  });

  it('GET /api/scaling says which legacy file is followed (its name only) and how fresh the data is', async () => {
    // The clock says 2026-06-01T08:30:00Z.
    await addLegacyFollow(db(), {
      source: '/var/lib/pledgr/pledgr.db',
      intervalSeconds: 60,
      startedAt: '2026-06-01T08:00:00Z',
      lastSyncAt: '2026-06-01T08:29:18Z',
      fileModifiedAt: '2026-06-01T08:29:00Z',
      syncs: 30,
      rowsImported: 1_234,
      cancelsObserved: 5,
    });
    try {
      const { status, body } = await getJson('/api/scaling');
      expect(status).toBe(200);
      expect(body.legacyFollow).toEqual([
        {
          file: 'pledgr.db',
          state: 'following',
          intervalSeconds: 60,
          startedAt: '2026-06-01T08:00:00.000Z',
          lastSyncAt: '2026-06-01T08:29:18.000Z',
          fileModifiedAt: '2026-06-01T08:29:00.000Z',
          freshnessSeconds: 42,
          syncs: 30,
          rowsImported: 1_234,
          rowsSkipped: 0,
          cancelsObserved: 5,
          lastError: null,
          lastErrorAt: null,
        },
      ]);
      expect(JSON.stringify(body)).not.toContain('/var/lib');
    } finally {
      await clearLegacyFollow(db());
    }
  });

  it('GET /api/scaling refuses a query parameter by name', async () => {
    expect(await getJson('/api/scaling?phase=2')).toEqual({
      status: 400,
      body: { error: { code: 'invalid_parameter', message: 'phase is not a parameter of this route' } },
    });
  });

  it('POST records a manual item and answers 200 with it; GET shows it; the history lists it', async () => {
    const saved = await record('cdn', { done: true, recordedBy: 'MO', note: 'static assets on the CDN' });
    expect(saved).toEqual({
      status: 200,
      body: {
        item: expect.objectContaining({
          id: 'cdn',
          how: 'manual',
          status: 'done',
          evidence: 'recorded done on 2026-06-01',
          recordedBy: 'MO',
          recordedAt: '2026-06-01T08:30:00.000Z',
          note: 'static assets on the CDN',
        }),
      },
    });
    const report = (await getJson('/api/scaling')).body as unknown as ScalingReport;
    expect(itemOf(report, 'cdn')).toEqual(saved.body.item);

    clock.set('2026-06-02T08:30:00Z');
    await record('cdn', { done: false, recordedBy: 'MO', note: 'CDN contract ended' });
    const history = await getJson('/api/scaling/items/cdn/records?limit=1');
    expect(history).toEqual({
      status: 200,
      body: {
        itemId: 'cdn',
        records: [
          {
            done: false,
            recordedBy: 'MO',
            recordedAt: '2026-06-02T08:30:00.000Z',
            note: 'CDN contract ended',
          },
        ],
      },
    });
    expect(((await getJson('/api/scaling/items/cdn/records')).body.records as unknown[]).length).toBe(2);
  });

  it('accepts a 100-character name and refuses 101 characters', async () => {
    expect((await record('autoscaling', { done: true, recordedBy: 'n'.repeat(100) })).status).toBe(200);
    expect((await record('autoscaling', { done: true, recordedBy: 'n'.repeat(101) })).body).toEqual({
      error: { code: 'invalid_parameter', message: 'recordedBy must be at most 100 characters' },
    });
  });

  it('answers 404 for an unknown item and 409 for a detected one, writing nothing', async () => {
    const before = await scalingRecordCount(db());
    expect(await record('no-such-item', { done: true, recordedBy: 'AB' })).toEqual({
      status: 404,
      body: { error: { code: 'unknown_item', message: 'no scaling checklist item "no-such-item"' } },
    });
    const detected = await record('database-indexes', { done: true, recordedBy: 'AB' });
    expect(detected.status).toBe(409);
    expect(detected.body).toEqual({
      error: {
        code: 'detected_item',
        message: 'database-indexes is detected by Pulse and cannot be recorded by hand',
      },
    });
    expect((await getJson('/api/scaling/items/postgresql/records')).status).toBe(409);
    expect((await getJson('/api/scaling/items/nothing/records')).status).toBe(404);
    expect(await scalingRecordCount(db())).toBe(before);
  });

  const badBodies: [string, unknown, string][] = [
    ['done missing', { recordedBy: 'AB' }, 'done is required, true or false'],
    ['done as text', { done: 'yes', recordedBy: 'AB' }, 'done is required, true or false'],
    ['recordedBy missing', { done: true }, 'recordedBy is required: your name or initials, as text'],
    ['recordedBy blank', { done: true, recordedBy: '   ' }, 'recordedBy must not be empty'],
    [
      'recordedBy a number',
      { done: true, recordedBy: 7 },
      'recordedBy is required: your name or initials, as text',
    ],
    ['note a number', { done: true, recordedBy: 'AB', note: 3 }, 'note must be text'],
    [
      'note too long',
      { done: true, recordedBy: 'AB', note: 'x'.repeat(1001) },
      'note must be at most 1000 characters',
    ],
    [
      'an unknown field',
      { done: true, recordedBy: 'AB', email: 'a@b.test' },
      'email is not a field of this request',
    ],
    ['an array', [true], 'body'],
  ];
  for (const [what, body, message] of badBodies) {
    it(`answers 400 naming the field for ${what}, writing nothing`, async () => {
      const before = await scalingRecordCount(db());
      const response = await record('read-replicas', body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: { code: 'invalid_parameter', message: expect.stringContaining(message) },
      });
      expect(await scalingRecordCount(db())).toBe(before);
    });
  }

  it('answers 400 for broken JSON and 415 for a body that is not JSON, writing nothing', async () => {
    const before = await scalingRecordCount(db());
    const broken = await post('/api/scaling/items/read-replicas', '{"done": true, "recordedBy": ');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ error: { code: 'entity_parse_failed' } });
    const form = await post(
      '/api/scaling/items/read-replicas',
      'done=true&recordedBy=AB',
      'application/x-www-form-urlencoded',
    );
    expect(form).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
    expect((await getJson('/api/scaling/items/cdn/records?limit=0')).body).toEqual({
      error: { code: 'invalid_parameter', message: 'limit must be a whole number from 1 to 200' },
    });
    expect(await scalingRecordCount(db())).toBe(before);
    const report = (await getJson('/api/scaling')).body as unknown as ScalingReport;
    expect(itemOf(report, 'read-replicas')).toMatchObject({ status: 'todo', evidence: 'not recorded yet' });
  });
});

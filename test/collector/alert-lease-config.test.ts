// The alert lease's settings (collector/config.ts): a holder id and a lease of two evaluation intervals (at
// least 5 s) by default; COLLECTOR_INSTANCE_ID and ALERT_LEASE_DURATION validated at start, naming the
// variable — a lease no longer than the interval would be lost between two renewals.
import { describe, expect, it } from 'vitest';
import { loadCollectorConfig } from '../../collector/config.ts';

const errorOf = (env: Record<string, string>) => {
  try {
    loadCollectorConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe('alert lease settings', () => {
  it('default to a unique holder id and twice the evaluation interval, at least 5 s', () => {
    const [a, b] = [loadCollectorConfig({}), loadCollectorConfig({})];
    expect(a.alerts.lease?.durationMs).toBe(30_000);
    expect(a.alerts.lease?.holderId).toMatch(/^.+-\d+-[0-9a-f]{6}$/);
    expect(a.alerts.lease?.holderId).not.toBe(b.alerts.lease?.holderId);
    expect(loadCollectorConfig({ ALERT_EVALUATION_INTERVAL: '1s' }).alerts.lease?.durationMs).toBe(5_000);
  });

  it('take COLLECTOR_INSTANCE_ID and ALERT_LEASE_DURATION from the environment', () => {
    const config = loadCollectorConfig({ COLLECTOR_INSTANCE_ID: 'collector-2', ALERT_LEASE_DURATION: '45s' });
    expect(config.alerts.lease).toEqual({ holderId: 'collector-2', durationMs: 45_000 });
  });

  it('refuse a lease not longer than the evaluation interval, and a holder id with spaces', () => {
    expect(errorOf({ ALERT_EVALUATION_INTERVAL: '30s', ALERT_LEASE_DURATION: '30s' })).toMatch(
      /ALERT_LEASE_DURATION.*longer than ALERT_EVALUATION_INTERVAL/,
    );
    expect(errorOf({ COLLECTOR_INSTANCE_ID: 'my collector' })).toMatch(/COLLECTOR_INSTANCE_ID/);
  });
});

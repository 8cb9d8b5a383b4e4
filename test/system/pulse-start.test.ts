// `pulse start --demo` as a person runs it on a fresh data directory: the whole system in one process
// (agent, collector, synthetic traffic) over the embedded database with demo data. Within a minute the
// live health shows traffic scraped from the embedded agent, the embedded-database alert is raised (2,000
// demo users > 100), the scaling checklist puts the system in phase 2, the KPI gauges count the users, and
// Ctrl-C stops everything with exit code 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/agent-process.ts';
import { cliBin } from '../support/run-cli.ts';

interface Health {
  total: { requestsPerSecond: number | null; latencyP95: number | null }[];
  instances: { instance: string; up: boolean }[];
}

describe('pulse start --demo', () => {
  let child: ChildProcess;
  let dataDir: string;
  let output = '';
  let collectorUrl = '';
  let apiUrl = '';
  const tokens = { founder: '', operator: '' };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pulse-start-'));
    const [apiPort, metricsPort, collectorPort] = [await freePort(), await freePort(), await freePort()];
    child = spawn(process.execPath, [cliBin, 'start', '--demo'], {
      env: {
        ...process.env,
        DATABASE_URL: '',
        DATABASE_TYPE: '',
        PULSE_DATA_DIR: dataDir,
        PORT: String(apiPort),
        METRICS_PORT: String(metricsPort),
        COLLECTOR_PORT: String(collectorPort),
        HEALTH_SCRAPE_INTERVAL: '1s',
        ALERT_EVALUATION_INTERVAL: '1s',
      },
      detached: true,
    });
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const deadline = Date.now() + 90_000;
    while (!/Stop with Ctrl-C/.test(output)) {
      if (child.exitCode !== null) throw new Error(`pulse start exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`no banner within 90 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    collectorUrl = /dashboard and collector API\s+(http:\/\/\S+?)\/?\n/.exec(output)?.[1] ?? '';
    apiUrl = /pledge API\s+(http:\/\/\S+?)\/api\/artists/.exec(output)?.[1] ?? '';
    tokens.founder = /founder token \(generated, stored in .*\): (\S+)/.exec(output)?.[1] ?? '';
    tokens.operator = /operator token \(generated, stored in .*\): (\S+)/.exec(output)?.[1] ?? '';
  }, 120_000);

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  const get = async (path: string, role: keyof typeof tokens) => {
    const response = await fetch(`${collectorUrl}${path}`, {
      headers: { authorization: `Bearer ${tokens[role]}` },
    });
    expect(response.status, `${path}: ${response.status}`).toBe(200);
    return response;
  };

  it('prints where everything is, the demo data and both tokens once', () => {
    expect(output).toMatch(/2,000 users, [\d,]+ pledges \(demo data just written\)/);
    expect(collectorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(tokens.founder).toMatch(/^\S{16,}$/);
    expect(tokens.operator).toMatch(/^\S{16,}$/);
    expect(output).toMatch(/synthetic traffic\s+on/);
  });

  it('shows live traffic from the embedded agent within a minute', async () => {
    const deadline = Date.now() + 60_000;
    let health: Health = { total: [], instances: [] };
    while (Date.now() < deadline) {
      health = (await (await get('/api/health?window=5m', 'operator')).json()) as Health;
      if ((health.total.at(-1)?.requestsPerSecond ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(health.instances).toHaveLength(1);
    expect(health.instances[0]?.up).toBe(true);
    expect(health.total.at(-1)?.requestsPerSecond).toBeGreaterThan(0);
    expect(health.total.at(-1)?.latencyP95).toBeGreaterThan(0);
  }, 70_000);

  it('raises the embedded-database alert and places the system in phase 2', async () => {
    const alerts = (await (await get('/api/alerts', 'operator')).json()) as {
      active: { alertname: string; state: string }[];
    };
    expect(alerts.active.map((alert) => alert.alertname)).toContain('EmbeddedDatabaseTooManyUsers');
    const scaling = (await (await get('/api/scaling', 'operator')).json()) as {
      phase: { number: number };
      phases: { items: { id: string; status: string }[] }[];
    };
    expect(scaling.phase.number).toBe(2);
    const postgres = scaling.phases.flatMap((phase) => phase.items).find((item) => item.id === 'postgresql');
    expect(postgres?.status).toBe('todo');
  });

  it('serves the KPI gauges with the users counted', async () => {
    const text = await (await get('/metrics', 'founder')).text();
    const users = Number(/^pledgr_users\{period="current_month"\} (\d+)$/m.exec(text)?.[1]);
    // 2,000 demo users plus those the synthetic traffic has registered since.
    expect(users).toBeGreaterThanOrEqual(2_000);
  });

  it('stops everything on Ctrl-C (SIGINT to the whole process group) with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // As a terminal does: both `pulse start` and its instrumented child get the signal, and the child also
    // gets the one `pulse start` forwards; it must stop once and exit 0.
    process.kill(-(child.pid as number), 'SIGINT');
    expect(await exited).toBe(0);
    await expect(fetch(`${apiUrl}/healthz`)).rejects.toThrow();
    await expect(fetch(`${collectorUrl}/healthz`)).rejects.toThrow();
  }, 30_000);
});

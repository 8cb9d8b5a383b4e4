// The stack's Pulse services rehearsed without Docker: migrate, agent-1, agent-2 and the collector run as real
// processes with the exact command lines and environments docker-compose.yml gives them, on a temporary
// database of the real PostgreSQL. Only what Docker's network would provide is remapped: service names to
// 127.0.0.1, ports to free ones, DATABASE_URL to the temporary database; REDIS_URL and ALERTMANAGER_URL are
// dropped (no such containers here). Proves the commands start, the compose healthchecks pass, each replica
// reports its own service.instance.id, and the collector scrapes both and serves /metrics to the token
// Prometheus uses.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../support/agent-process.ts';
import { createTempDatabase, describeWithPostgres, type TempDatabase } from '../support/postgres.ts';
import { type Env, exampleEnv, healthcheckUrl, readCompose, root, type ServiceSpec } from './stack-files.ts';

const env = exampleEnv();
const services = readCompose(env).services;
const agents = ['agent-1', 'agent-2'] as const;

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

/** Runs a compose command line (its `node` being this Node) from the repository root. */
function run(command: string[], environment: Env): Running {
  const [program, ...args] = command;
  const child = spawn(program === 'node' ? process.execPath : (program as string), args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...environment },
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  return { child, exited: new Promise((resolve) => child.on('exit', resolve)), output: () => output };
}

/** Runs a service's compose healthcheck (`CMD node -e …`) against the remapped port: true when it exits 0. */
async function healthcheckPasses(service: ServiceSpec, port: number): Promise<boolean> {
  const test = service.healthcheck?.test as string[];
  const original = healthcheckUrl(service) as URL;
  const command = test.slice(1).map((part) => part.replace(`:${original.port}/`, `:${port}/`));
  return (await run(command, {}).exited) === 0;
}

async function waitFor(what: string, check: () => Promise<boolean>, processes: Running[]): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) {
      throw new Error(`${what} not reached:\n${processes.map((each) => each.output()).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describeWithPostgres('the compose services, rehearsed as processes', () => {
  let database: TempDatabase;
  const ports = { 'agent-1': { api: 0, metrics: 0 }, 'agent-2': { api: 0, metrics: 0 }, collector: 0 };
  const running: Running[] = [];
  let migrateCode: number | null = null;
  let migrateOutput = '';

  /** A service's compose environment with Docker's network replaced by this machine's. */
  const remap = (name: string, overrides: Env): Env => {
    const { REDIS_URL: _redis, ALERTMANAGER_URL: _alertmanager, ...rest } = services[name]?.environment ?? {};
    return { ...rest, HOST: '127.0.0.1', DATABASE_URL: database.url, ...overrides };
  };

  beforeAll(async () => {
    database = await createTempDatabase('pulse_stack');
    for (const agent of agents) ports[agent] = { api: await freePort(), metrics: await freePort() };
    ports.collector = await freePort();

    const migrate = run(services.migrate?.command ?? [], remap('migrate', {}));
    migrateCode = await migrate.exited;
    migrateOutput = migrate.output();

    for (const agent of agents) {
      const environment = remap(agent, {
        PORT: String(ports[agent].api),
        METRICS_PORT: String(ports[agent].metrics),
      });
      running.push(run(services[agent]?.command ?? [], environment));
    }
    const scrapeUrls = agents.map((agent) => `http://127.0.0.1:${ports[agent].metrics}/metrics`).join(',');
    running.push(
      run(
        services.collector?.command ?? [],
        remap('collector', { COLLECTOR_PORT: String(ports.collector), AGENT_METRICS_URLS: scrapeUrls }),
      ),
    );
  });

  afterAll(async () => {
    for (const service of running) if (service.child.exitCode === null) service.child.kill('SIGTERM');
    await Promise.all(running.map((service) => service.exited));
    await database?.drop();
  });

  it('migrate exits 0 and applies the schema', () => {
    expect(migrateCode, migrateOutput).toBe(0);
    expect(migrateOutput).toMatch(/Applied \d+ migration/);
  });

  it('each agent passes its compose healthcheck and reports its own service.instance.id', async () => {
    for (const agent of agents) {
      await waitFor(
        `${agent} healthy`,
        () => healthcheckPasses(services[agent] as ServiceSpec, ports[agent].api),
        running,
      );
      const metrics = await (await fetch(`http://127.0.0.1:${ports[agent].metrics}/metrics`)).text();
      expect(metrics).toContain(`service_instance_id="${agent}"`);
      expect(metrics).toContain(`deployment_environment="${env.DEPLOYMENT_ENVIRONMENT}"`);
      expect(metrics).toMatch(/db_client_connection_max\{[^}]*\} 20\b/);
    }
  });

  it('the collector passes its healthcheck, scrapes both replicas and serves /metrics to the metrics token', async () => {
    const collector = `http://127.0.0.1:${ports.collector}`;
    await waitFor(
      'collector healthy',
      () => healthcheckPasses(services.collector as ServiceSpec, ports.collector),
      running,
    );
    const operator = { authorization: `Bearer ${env.PULSE_OPERATOR_TOKEN}` };
    await waitFor(
      'both replicas up in /api/health',
      async () => {
        const health = (await (
          await fetch(`${collector}/api/health?window=5m`, { headers: operator })
        ).json()) as {
          instances: { instance: string; up: boolean }[];
        };
        const up = health.instances.filter((instance) => instance.up).map((instance) => instance.instance);
        return agents.every((agent) => up.includes(agent));
      },
      running,
    );
    const metrics = await fetch(`${collector}/metrics`, {
      headers: { authorization: `Bearer ${env.PULSE_METRICS_TOKEN}` },
    });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^pledgr_/m);
    expect((await fetch(`${collector}/api/kpis`)).status).toBe(401);
  });
});

// docker-compose.yml proven without Docker: it validates against the Compose Specification schema, and it is
// consistent with everything it names — .env.example, the services' own config.ts (each variable set on an
// agent, the collector or migrate is one they read, and they accept the values), the ports and hosts other
// services use (nginx upstreams, the collector's scrape URLs, Prometheus targets, healthchecks), the files
// it bind-mounts, and the OpenTelemetry Collector's config for the `otel` profile.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadAgentConfig, loadTelemetryConfig } from '../../agent/config.ts';
import { loadCliConfig } from '../../cli/config.ts';
import { loadCollectorConfig } from '../../collector/config.ts';
import { inCi } from '../support/postgres.ts';
import {
  bindMounts,
  type Env,
  exampleEnv,
  gitIgnores,
  healthcheckUrl,
  interpolatedNames,
  parseNginx,
  parsePort,
  readCompose,
  readEnvExample,
  readRepoFile,
  repoPathExists,
  type ServiceSpec,
  sharedSchemas,
} from './stack-files.ts';

const env = exampleEnv();
const compose = readCompose(env);
const services = compose.services;
const serviceNames = Object.keys(services);
const service = (name: string) => services[name] as ServiceSpec;
const environment = (name: string): Env => service(name).environment ?? {};

const runs = (pattern: RegExp) =>
  serviceNames.filter((name) => pattern.test((service(name).command ?? []).join(' ')));
const agentServices = runs(/agent\/main\.ts|cli\/bin\.js agent\b/);
const collectorServices = runs(/cli\/bin\.js collector\b/);
const migrateServices = runs(/cli\/bin\.js migrate\b/);

/** Folders other engineers fill in parallel; until their files land, a local run skips (CI fails). */
const pendingFolders = ['prometheus/', 'alertmanager/', 'grafana/'];

type Loader = (env: Env) => unknown;
/** What each kind of service reads its environment with. OTEL_* is read by the OpenTelemetry SDK itself. */
const readers: { services: string[]; loaders: Loader[]; sdkPrefix?: RegExp }[] = [
  { services: agentServices, loaders: [loadAgentConfig, loadTelemetryConfig], sdkPrefix: /^OTEL_/ },
  { services: collectorServices, loaders: [loadCollectorConfig] },
  { services: migrateServices, loaders: [loadCliConfig] },
];

function outcome(loaders: Loader[], given: Env): string {
  try {
    return JSON.stringify(loaders.map((load) => load(given)));
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

/** A variable is read when removing it, or giving it an invalid value, changes what the loaders return. */
function isRead(loaders: Loader[], given: Env, name: string): boolean {
  const base = outcome(loaders, given);
  const { [name]: _removed, ...without } = given;
  return (
    outcome(loaders, without) !== base ||
    outcome(loaders, { ...given, [name]: '\u0000 not a valid value' }) !== base
  );
}

/** The Compose Specification schema, with the Ajv options of ../shared/schemas/README.md. */
const validate = new Ajv({
  allErrors: true,
  strict: false,
  validateFormats: false,
  validateSchema: false,
}).compile(JSON.parse(readFileSync(join(sharedSchemas, 'compose-spec.json'), 'utf8')));

function urlPort(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

describe('docker-compose.yml', () => {
  it('names the services the stack is made of, with two agent replicas', () => {
    expect(agentServices).toEqual(['agent-1', 'agent-2']);
    expect(collectorServices).toEqual(['collector']);
    expect(migrateServices).toEqual(['migrate']);
    for (const name of [
      'postgres',
      'redis',
      'lb',
      'prometheus',
      'alertmanager',
      'grafana',
      'otel-collector',
    ]) {
      expect(serviceNames).toContain(name);
    }
  });

  it('validates against the Compose Specification schema', () => {
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
    // A misspelled key is caught (the check is not vacuous).
    expect(validate({ services: { agent: { imag: 'x' } } })).toBe(false);
  });

  it('lists in .env.example exactly the variables it interpolates (and COMPOSE_PROFILES)', () => {
    const { active, commented } = readEnvExample();
    const used = interpolatedNames(readRepoFile('docker-compose.yml'));
    const listed = new Set([...Object.keys(active), ...Object.keys(commented)]);
    expect([...used].filter((name) => !listed.has(name))).toEqual([]);
    expect([...listed].filter((name) => !used.has(name) && name !== 'COMPOSE_PROFILES')).toEqual([]);
  });

  it('refuses to start without each secret, naming it, and needs nothing else', () => {
    const { active } = readEnvExample();
    const required = Object.keys(active).filter((name) => active[name] === '');
    expect(required.sort()).toEqual([
      'GRAFANA_ADMIN_PASSWORD',
      'POSTGRES_PASSWORD',
      'PULSE_FOUNDER_TOKEN',
      'PULSE_METRICS_TOKEN',
      'PULSE_OPERATOR_TOKEN',
    ]);
    for (const name of required) {
      expect(() => readCompose({ ...env, [name]: '' }), name).toThrow(new RegExp(`${name} is missing`));
    }
    // With only the secrets set, every other variable has a default.
    expect(() => readCompose(Object.fromEntries(required.map((name) => [name, 'x'])))).not.toThrow();
  });

  it('pins every image to a version (no `latest`), the built one to package.json version', () => {
    const { version } = JSON.parse(readRepoFile('package.json')) as { version: string };
    for (const [name, spec] of Object.entries(services)) {
      expect(spec.image, `${name} has an image`).toBeDefined();
      if (spec.build) expect(spec.image, name).toBe(`pledgr-pulse:${version}`);
      else expect(spec.image, name).toMatch(/^[\w./-]+:v?\d+(\.\d+)+[\w.-]*$/);
    }
  });

  it('depends only on services that exist, with conditions they can meet', () => {
    for (const [name, spec] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(spec.depends_on ?? {})) {
        expect(serviceNames, `${name} depends on ${target}`).toContain(target);
        const dependency = service(target);
        expect(dependency.profiles, `${name} must not wait for an optional service`).toBeUndefined();
        if (condition === 'service_healthy') {
          const checked =
            dependency.healthcheck?.test ?? (dependency.build ? 'Dockerfile HEALTHCHECK' : undefined);
          expect(checked && !dependency.healthcheck?.disable, `${target} has a healthcheck`).toBeTruthy();
        }
        if (condition === 'service_completed_successfully') {
          expect(dependency.restart, `${target} is one-shot`).toBe('no');
        }
      }
    }
  });

  it('starts the agents and the collector only after migrate has succeeded on a healthy PostgreSQL', () => {
    expect(service('migrate').depends_on?.postgres?.condition).toBe('service_healthy');
    for (const name of [...agentServices, ...collectorServices]) {
      expect(service(name).depends_on?.migrate?.condition, name).toBe('service_completed_successfully');
    }
    expect([service('postgres').healthcheck?.test ?? []].flat().join(' ')).toMatch(
      /pg_isready.*--username=pledgr.*--dbname=pledgr/,
    );
  });

  it('publishes only the ports a person needs, on 127.0.0.1', () => {
    const published = Object.fromEntries(
      Object.entries(services)
        .filter(([, spec]) => spec.ports?.length)
        .map(([name, spec]) => [name, (spec.ports ?? []).map(parsePort)]),
    );
    expect(published).toEqual({
      lb: [{ hostIp: '127.0.0.1', published: 3000, target: 3000 }],
      collector: [{ hostIp: '127.0.0.1', published: 4000, target: 4000 }],
      grafana: [{ hostIp: '127.0.0.1', published: 3001, target: 3000 }],
      prometheus: [{ hostIp: '127.0.0.1', published: 9090, target: 9090 }],
      alertmanager: [{ hostIp: '127.0.0.1', published: 9093, target: 9093 }],
      'otel-collector': [{ hostIp: '127.0.0.1', published: 8889, target: 8889 }],
    });
  });

  it('bind-mounts only paths in the repo, or secrets documented in secrets/README.md and git-ignored', (context) => {
    const secretsReadme = readRepoFile('secrets/README.md');
    const missing: string[] = [];
    for (const [name, spec] of Object.entries(services)) {
      for (const mount of bindMounts(spec)) {
        const source = (mount.source as string).replace(/^\.\//, '');
        expect(mount.bind?.create_host_path, `${name}: ${source} must not be created as a directory`).toBe(
          false,
        );
        if (source.startsWith('secrets/')) {
          expect(secretsReadme, `${source} is documented`).toContain(`\`${source}\``);
          expect(secretsReadme, `${source}'s mount point is documented`).toContain(`\`${mount.target}\``);
          expect(gitIgnores(source), `${source} is git-ignored`).toBe(true);
        } else if (!repoPathExists(source)) {
          missing.push(`${name}: ${source}`);
        }
      }
    }
    const pending = missing.filter((entry) => pendingFolders.some((folder) => entry.includes(` ${folder}`)));
    expect(missing.filter((entry) => !pending.includes(entry))).toEqual([]);
    if (pending.length > 0 && !inCi) {
      console.warn(`[skipped] bind-mount sources not written yet by their owners: ${pending.join(', ')}`);
      context.skip();
    }
    expect(pending).toEqual([]);
  });

  it('points each config-file flag at the file mounted for it', () => {
    const mountedAt = (name: string) => bindMounts(service(name)).map((mount) => mount.target);
    const flag = (name: string, pattern: RegExp) =>
      (service(name).command ?? []).map((part) => pattern.exec(part)?.[1]).find(Boolean);
    expect(mountedAt('prometheus')).toContain(flag('prometheus', /^--config\.file=(.+)$/));
    expect(mountedAt('prometheus')).toContain('/etc/prometheus/pulse-metrics-token');
    expect(mountedAt('alertmanager')).toContain(flag('alertmanager', /^--config\.file=(.+)$/));
    expect(mountedAt('otel-collector')).toContain(flag('otel-collector', /^--config=(.+)$/));
    expect(mountedAt('lb')).toContain('/etc/nginx/nginx.conf');
    expect(mountedAt('grafana')).toEqual(
      expect.arrayContaining(['/etc/grafana/provisioning', '/var/lib/grafana/dashboards']),
    );
  });
});

describe('docker-compose.yml against the services’ config.ts', () => {
  for (const { services: names, loaders, sdkPrefix } of readers) {
    for (const name of names) {
      it(`${name}: every variable set is read by its config and accepted`, () => {
        const given = environment(name);
        expect(outcome(loaders, given)).not.toMatch(/^refused/);
        const unread = Object.keys(given).filter(
          (variable) => !sdkPrefix?.test(variable) && !isRead(loaders, given, variable),
        );
        expect(
          unread,
          'set in compose but read by no config (misspelled, or meant for another service)',
        ).toEqual([]);
      });
    }
  }

  it('rejects a misspelled variable (the check is not vacuous)', () => {
    const given = { ...environment('agent-1'), METRICS_PROT: '9464' };
    expect(isRead([loadAgentConfig, loadTelemetryConfig], given, 'METRICS_PROT')).toBe(false);
  });

  it('agents bind 0.0.0.0 on the port the load balancer and healthcheck use, metrics where the collector looks', () => {
    const nginx = parseNginx(readRepoFile('nginx/nginx.conf'));
    const scrapeUrls = loadCollectorConfig(environment('collector')).health.agentMetricsUrls.map(
      (url) => new URL(url),
    );
    for (const name of agentServices) {
      const config = loadAgentConfig(environment(name));
      const telemetry = loadTelemetryConfig(environment(name));
      expect([config.host, telemetry.metricsHost], name).toEqual(['0.0.0.0', '0.0.0.0']);
      const upstreamPorts = nginx.upstreams.flatMap((up) => up.servers.filter((s) => s.host === name));
      expect(
        upstreamPorts.map((server) => server.port),
        `nginx upstream for ${name}`,
      ).toEqual([config.port]);
      const health = healthcheckUrl(service(name)) as URL;
      expect([health.pathname, urlPort(health)], `${name} healthcheck`).toEqual(['/readyz', config.port]);
      const scraped = scrapeUrls.filter((url) => url.hostname === name);
      expect(
        scraped.map((url) => `${urlPort(url)}${url.pathname}`),
        `collector scrapes ${name}`,
      ).toEqual([`${telemetry.metricsPort}/metrics`]);
      expect(telemetry.environment).toBe('production');
    }
    // Every URL the collector scrapes is an agent service.
    expect(scrapeUrls.map((url) => url.hostname).sort()).toEqual([...agentServices].sort());
  });

  it('each agent trusts X-Forwarded-For from the balancer’s fixed address alone', () => {
    const subnet = compose.networks?.default?.ipam?.config?.[0]?.subnet ?? '';
    const balancer = service('lb').networks?.default?.ipv4_address ?? '';
    expect(subnet).toMatch(/^\d+\.\d+\.\d+\.0\/24$/);
    expect(balancer.split('.').slice(0, 3)).toEqual(subnet.split('.').slice(0, 3));
    for (const name of agentServices)
      expect(loadAgentConfig(environment(name)).trustProxy, name).toEqual([balancer]);
  });

  it('each agent replica carries its own service.instance.id', () => {
    const ids = agentServices.map((name) => environment(name).OTEL_RESOURCE_ATTRIBUTES);
    expect(ids).toEqual(agentServices.map((name) => `service.instance.id=${name}`));
  });

  it('the collector listens where compose publishes it and reaches PostgreSQL, Redis and Alertmanager by name', () => {
    const config = loadCollectorConfig(environment('collector'));
    expect(config.host).toBe('0.0.0.0');
    expect(service('collector').ports?.map((port) => parsePort(port).target)).toEqual([config.port]);
    const health = healthcheckUrl(service('collector')) as URL;
    expect([health.pathname, urlPort(health)]).toEqual(['/healthz', config.port]);
    const alertmanager = new URL(config.alerts.alertmanagerUrl as string);
    expect(serviceNames).toContain(alertmanager.hostname);
    expect(service(alertmanager.hostname).ports?.map((port) => parsePort(port).target)).toContain(
      urlPort(alertmanager),
    );
    expect([config.founderToken, config.operatorToken, config.metricsToken]).toEqual([
      env.PULSE_FOUNDER_TOKEN,
      env.PULSE_OPERATOR_TOKEN,
      env.PULSE_METRICS_TOKEN,
    ]);
    expect(config.redisConfigured).toBe(true);
  });

  it('every service connects to the compose PostgreSQL with its database, user and password', () => {
    const postgres = environment('postgres');
    for (const name of [...agentServices, ...collectorServices, ...migrateServices]) {
      const url = new URL(environment(name).DATABASE_URL as string);
      expect(serviceNames).toContain(url.hostname);
      expect([url.hostname, url.port, url.pathname, url.username, url.password], name).toEqual([
        'postgres',
        '5432',
        `/${postgres.POSTGRES_DB}`,
        postgres.POSTGRES_USER,
        postgres.POSTGRES_PASSWORD,
      ]);
      const redis = environment(name).REDIS_URL;
      if (redis) expect(serviceNames).toContain(new URL(redis).hostname);
    }
  });

  it('keeps the pools within PostgreSQL’s default 100 connections', () => {
    const total = [...agentServices, ...collectorServices].reduce((sum, name) => {
      const config = name.startsWith('agent')
        ? loadAgentConfig(environment(name))
        : loadCollectorConfig(environment(name));
      return sum + (config.database.kind === 'postgres' ? config.database.pool.max : 0);
    }, 0);
    expect(total).toBeLessThanOrEqual(80); // headroom for migrate, Grafana and a person's psql
  });
});

describe('nginx/nginx.conf', () => {
  const nginx = parseNginx(readRepoFile('nginx/nginx.conf'));

  it('balances /api/ over every agent service, with passive health checks', () => {
    const apiProxy = nginx.proxyPasses.find((proxy) => proxy.location === '/api/');
    expect(apiProxy).toBeDefined();
    const upstream = nginx.upstreams.find((up) => `http://${up.name}` === apiProxy?.target);
    expect(upstream, `proxy_pass ${apiProxy?.target} names an upstream`).toBeDefined();
    expect(upstream?.servers.map((server) => server.host).sort()).toEqual([...agentServices].sort());
    for (const server of upstream?.servers ?? []) {
      expect(server.parameters, server.host).toMatch(/max_fails=\d+/);
      expect(server.parameters, server.host).toMatch(/fail_timeout=\d+s/);
    }
  });

  it('listens on the port compose publishes, and answers the path of its healthcheck', () => {
    expect(nginx.listen).toEqual(service('lb').ports?.map((port) => parsePort(port).target));
    const health = healthcheckUrl(service('lb')) as URL;
    expect(nginx.listen).toContain(urlPort(health));
    expect(readRepoFile('nginx/nginx.conf')).toContain(`location = ${health.pathname} {`);
  });
});

describe('prometheus/prometheus.yml against docker-compose.yml', () => {
  const exists = repoPathExists('prometheus/prometheus.yml');
  if (!exists)
    console.warn('[skipped] prometheus/prometheus.yml is not written yet (issue 7, another engineer)');

  it.skipIf(!exists)('scrapes and alerts to compose services, on their ports, with the mounted token', () => {
    interface ScrapeConfig {
      job_name: string;
      static_configs?: { targets: string[] }[];
      authorization?: { credentials_file?: string };
      bearer_token_file?: string;
    }
    const config = parse(readRepoFile('prometheus/prometheus.yml')) as {
      scrape_configs?: ScrapeConfig[];
      alerting?: { alertmanagers?: { static_configs?: { targets: string[] }[] }[] };
      rule_files?: string[];
    };
    const agentMetricsPort = loadTelemetryConfig(environment('agent-1')).metricsPort;
    const collectorPort = loadCollectorConfig(environment('collector')).port;
    const expectedPort = (host: string) =>
      agentServices.includes(host) ? agentMetricsPort : host === 'collector' ? collectorPort : undefined;
    const mounted = bindMounts(service('prometheus')).map((mount) => mount.target);
    const targets: string[] = [];
    for (const job of config.scrape_configs ?? []) {
      for (const target of (job.static_configs ?? []).flatMap((group) => group.targets)) {
        const [host = '', port] = target.split(':');
        if (host === 'localhost' || host === '127.0.0.1') continue; // Prometheus itself
        expect(serviceNames, `${job.job_name} target ${target}`).toContain(host);
        const expected = expectedPort(host);
        if (expected !== undefined) expect(Number(port), target).toBe(expected);
        targets.push(host);
      }
      const tokenFile = job.authorization?.credentials_file ?? job.bearer_token_file;
      if (tokenFile) expect(mounted, `${job.job_name} reads ${tokenFile}`).toContain(tokenFile);
    }
    expect(targets).toEqual(expect.arrayContaining([...agentServices, 'collector']));
    const alertTargets = (config.alerting?.alertmanagers ?? []).flatMap((am) =>
      (am.static_configs ?? []).flatMap((group) => group.targets),
    );
    expect(alertTargets).toContain('alertmanager:9093');
    for (const file of config.rule_files ?? []) {
      const absolute = file.startsWith('/') ? file : `/etc/prometheus/${file}`;
      expect(
        mounted.some((target) => absolute.startsWith(`${target}/`)),
        `${file} is inside a mounted folder`,
      ).toBe(true);
    }
  });
});

describe('otel/otel-collector.yml and the otel profile', () => {
  interface Pipelines {
    [signal: string]: { receivers: string[]; processors?: string[]; exporters: string[] };
  }
  const otel = parse(readRepoFile('otel/otel-collector.yml')) as {
    receivers: Record<string, { protocols?: { http?: { endpoint?: string } } }>;
    processors?: Record<string, unknown>;
    exporters: Record<string, { endpoint?: string }>;
    service: { pipelines: Pipelines };
  };

  it('defines every component a pipeline names, and sends OTLP metrics somewhere', () => {
    for (const [signal, pipeline] of Object.entries(otel.service.pipelines)) {
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const component of pipeline[kind] ?? []) {
          expect(Object.keys(otel[kind] ?? {}), `${signal} pipeline's ${kind}`).toContain(component);
        }
      }
    }
    expect(otel.service.pipelines.metrics?.receivers).toContain('otlp');
    expect(otel.service.pipelines.metrics?.exporters.length).toBeGreaterThan(0);
  });

  it('receives on the address the agents are told to push to, reachable from other containers', () => {
    const endpoint = new URL(readEnvExample().commented.OTEL_EXPORTER_OTLP_ENDPOINT as string);
    expect(service(endpoint.hostname).profiles).toEqual(['otel']);
    expect(otel.receivers.otlp?.protocols?.http?.endpoint).toBe(`0.0.0.0:${endpoint.port}`);
    const prometheusExporter = otel.exporters.prometheus?.endpoint as string;
    expect(prometheusExporter).toMatch(/^0\.0\.0\.0:\d+$/);
    expect(service(endpoint.hostname).ports?.map((port) => parsePort(port).target)).toEqual([
      Number(prometheusExporter.split(':')[1]),
    ]);
  });

  it('with the profile lines of .env.example enabled, the agents push there and compose stays valid', () => {
    const { commented } = readEnvExample();
    const withOtel = readCompose(exampleEnv(commented));
    for (const name of agentServices) {
      expect(withOtel.services[name]?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
        commented.OTEL_EXPORTER_OTLP_ENDPOINT,
      );
    }
    // Without it, the variable is empty, which the preload treats as "no OTLP push".
    expect(environment('agent-1').OTEL_EXPORTER_OTLP_ENDPOINT).toBe('');
    expect(commented.COMPOSE_PROFILES).toBe('otel');
    expect(validate(withOtel), JSON.stringify(validate.errors)).toBe(true);
  });
});

// The SLO incident rehearsal: a live run with injected faults that shows which burn-rate alerts a blip, a
// fast burn and a slow leak produce — from the collector (its own scraper and ledger, and a second collector
// reading Prometheus) and from Prometheus (the generated rules). Not a pass/fail test: it prints a timeline.
//
//   node --import tsx bench/slo-incident.ts            # defaults below; ~90 minutes
//   SLO_RUN_WARM_MIN=60 SLO_RUN_BLIP_S=5 SLO_RUN_BURN_MIN=3 SLO_RUN_BURN_SHARE=0.3 …
//
// Shape: one app under the drop-in agent (bench/slo-incident/app.js), ~20 requests/s from this process
// (GETs and pledge POSTs). From the start ~5 % of requests take 600 ms: a steady slow leak on the latency SLO
// (99 % under 500 ms → burn ≈ 5: the 3× and 1× tickets, neither page). After the warm-up, a blip on
// availability (every request 5xx for a few seconds), then after a pause a fast burn (a share of requests
// 5xx for minutes). With SLO_RUN_WAIT_FOR=<file>, the collectors start only once that file exists.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/agent-process.ts';
import { testTokens } from '../test/support/collector.ts';
import { startCollectorProcess } from '../test/support/collector-process.ts';

const minutes = (name: string, fallback: number) => Number(process.env[name] ?? fallback) * 60_000;
const settings = {
  warmMs: minutes('SLO_RUN_WARM_MIN', 60),
  blipMs: Number(process.env.SLO_RUN_BLIP_S ?? 5) * 1000,
  pauseMs: minutes('SLO_RUN_PAUSE_MIN', 8),
  burnMs: minutes('SLO_RUN_BURN_MIN', 4),
  burnShare: Number(process.env.SLO_RUN_BURN_SHARE ?? 0.5),
  afterMs: minutes('SLO_RUN_AFTER_MIN', 12),
  slowShare: Number(process.env.SLO_RUN_SLOW_SHARE ?? 0.05),
  requestsPerSecond: Number(process.env.SLO_RUN_RPS ?? 20),
  waitFor: process.env.SLO_RUN_WAIT_FOR,
};

const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
const stamp = () =>
  `${new Date().toISOString().slice(11, 19)} +${((Date.now() - started) / 60_000).toFixed(1)}m`;
const say = (line: string) => console.log(`${stamp()} ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const children: ChildProcess[] = [];
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of children) child.kill('SIGTERM');
    process.exit(1);
  });
}

function run(command: string, args: string[], env: Record<string, string>, cwd = root): ChildProcess {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: 'ignore' });
  children.push(child);
  return child;
}

async function waitUntil(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(200);
  }
  throw new Error(`${url} did not answer`);
}

const dir = await mkdtemp(join(tmpdir(), 'pulse-slo-incident-'));
const faultFile = join(dir, 'faults.json');
const setFaults = (errorShare: number) =>
  writeFile(faultFile, JSON.stringify({ errorShare, slowShare: settings.slowShare, slowMs: 600 }));
await setFaults(0);

const [appPort, metricsPort, promPort] = [await freePort(), await freePort(), await freePort()];
run(
  process.execPath,
  ['--import', join(root, 'agent/register.js'), 'app.js'],
  {
    PORT: String(appPort),
    METRICS_PORT: String(metricsPort),
    FAULT_STATE_FILE: faultFile,
    OTEL_SERVICE_NAME: 'incident-app',
  },
  join(root, 'bench/slo-incident'),
);
const app = `http://127.0.0.1:${appPort}`;
const agentMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
await waitUntil(agentMetrics);

// Prometheus with the generated rule files (copied again when the collectors start, then reloaded).
const rulesDir = join(dir, 'rules');
await mkdir(rulesDir);
const copyRules = () => cp(join(root, 'prometheus/rules'), rulesDir, { recursive: true });
await copyRules();
await writeFile(
  join(dir, 'prometheus.yml'),
  `global: { scrape_interval: 15s, evaluation_interval: 15s }
rule_files: ["${rulesDir}/*.yml"]
scrape_configs:
  - job_name: pledgr-agent
    static_configs: [{ targets: ["127.0.0.1:${metricsPort}"] }]
`,
);
run(
  '/usr/bin/prometheus',
  [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--web.enable-lifecycle',
  ],
  {},
);
const prometheus = `http://127.0.0.1:${promPort}`;
await waitUntil(`${prometheus}/-/ready`);
say(`app ${app}, agent ${agentMetrics}, Prometheus ${prometheus}, files in ${dir}`);

// Steady traffic: GETs and pledge POSTs (one in five), evenly spaced.
let sent = 0;
let failed = 0;
const load = setInterval(() => {
  sent++;
  const write = sent % 5 === 0;
  fetch(write ? `${app}/api/pledges` : `${app}/api/artists/${sent % 50}`, {
    method: write ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json' },
    body: write ? '{"amount":500}' : undefined,
  }).then(
    async (r) => {
      if (r.status >= 500) failed++;
      await r.arrayBuffer();
    },
    () => failed++,
  );
}, 1000 / settings.requestsPerSecond);

/** A collector as `pulse collector` runs (test/support/collector-process.ts), stopped with the rest. */
async function startCollector(env: Record<string, string>): Promise<string> {
  const collector = await startCollectorProcess(env);
  children.push(collector.child);
  return collector.url;
}

let collectors: { name: string; url: string }[] = [];
async function startCollectors(): Promise<void> {
  await copyRules();
  await fetch(`${prometheus}/-/reload`, { method: 'POST' });
  collectors = [
    { name: 'collector (scraper + ledger)', url: await startCollector({ AGENT_METRICS_URLS: agentMetrics }) },
    { name: 'collector (PROMETHEUS_URL)', url: await startCollector({ PROMETHEUS_URL: prometheus }) },
  ];
  say(`collectors: ${collectors.map((c) => `${c.name} ${c.url}`).join(', ')}`);
}

const burnName = /BudgetBurn/;
async function collectorAlerts(url: string): Promise<string[]> {
  const response = await fetch(`${url}/api/alerts`, {
    headers: { authorization: `Bearer ${testTokens.operator}` },
  });
  const body = (await response.json()) as {
    active?: { alertname: string; state: string; value: number | null }[];
  };
  return (body.active ?? [])
    .filter((a) => burnName.test(a.alertname))
    .map((a) => `${a.alertname}:${a.state}(${a.value === null ? 'n/a' : a.value.toFixed(2)})`);
}
async function prometheusAlerts(): Promise<string[]> {
  const response = await fetch(`${prometheus}/api/v1/alerts`);
  const body = (await response.json()) as {
    data: { alerts: { labels: Record<string, string>; state: string; value: string }[] };
  };
  return body.data.alerts
    .filter((a) => burnName.test(a.labels.alertname ?? ''))
    .map((a) => `${a.labels.alertname}:${a.state}(${Number(a.value).toFixed(2)})`);
}
async function report(phase: string): Promise<void> {
  const lines = [`[${phase}] sent ${sent}, 5xx ${failed}`];
  for (const c of collectors)
    lines.push(
      `  ${c.name}: ${(await collectorAlerts(c.url).catch((e) => [`error ${e}`])).join(' ') || '—'}`,
    );
  lines.push(`  Prometheus: ${(await prometheusAlerts().catch((e) => [`error ${e}`])).join(' ') || '—'}`);
  say(lines.join('\n'));
}

async function phase(name: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await sleep(Math.min(60_000, end - Date.now()));
    await report(name);
  }
}

try {
  if (settings.waitFor) {
    say(`waiting for ${settings.waitFor} before starting the collectors`);
    while (!existsSync(settings.waitFor)) await sleep(5_000);
  }
  await startCollectors();
  const collectorsFrom = Date.now();
  await phase(
    'warm: clean availability, 5 % slow requests (latency leak)',
    Math.max(settings.warmMs - (Date.now() - started), 10 * 60_000 - (Date.now() - collectorsFrom)),
  );
  await setFaults(1);
  say(`BLIP: every request 5xx for ${settings.blipMs / 1000} s`);
  await sleep(settings.blipMs);
  await setFaults(0);
  await phase('after the blip', settings.pauseMs);
  await setFaults(settings.burnShare);
  say(`FAST BURN: ${settings.burnShare * 100} % of requests 5xx for ${settings.burnMs / 60_000} min`);
  await phase('fast burn', settings.burnMs);
  await setFaults(0);
  say('fast burn over');
  await phase('after the fast burn', settings.afterMs);
} finally {
  clearInterval(load);
  for (const child of children) child.kill('SIGTERM');
}

// The Prometheus and Alertmanager files as their own tools see them: promtool checks the config (through a
// temporary copy whose token file exists), both rule files and the generated unit tests; amtool checks the
// Alertmanager config. The generated files equal what the generator writes now, every catalog rule is
// either a Prometheus alert with the same name, `for`, severity and threshold or in the file's documented
// "left out" list, and prometheus.yml agrees with the generator's interval and job names. Without
// promtool/amtool the tool checks are skipped with the reason; in CI (CI=true) that is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertRules } from '../../core/alerts/rules.ts';
import { promInputs } from '../../prometheus/generator/prom-inputs.ts';
import {
  alertsFile,
  generatedFiles,
  leftOutPrefix,
  recordingFile,
  sloRecordingFile,
  sloTestsFile,
} from '../../prometheus/generator/rule-files.ts';
import {
  agentJob,
  collectorJob,
  promDuration,
  prometheusCatalog,
  rateWindowSeconds,
  scrapeIntervalSeconds,
} from '../../prometheus/generator/settings.ts';
import { inCi } from '../support/postgres.ts';
import { amtoolBin, promtoolBin } from '../support/prometheus-server.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const path = (file: string) => join(root, file);
const committedTokenFile = '/etc/prometheus/pulse-metrics-token';

interface PromConfig {
  global: { scrape_interval: string; evaluation_interval: string };
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: {
    job_name: string;
    metrics_path?: string;
    authorization?: { type: string; credentials_file: string };
    static_configs: { targets: string[] }[];
  }[];
}

interface RulesFile {
  groups: {
    rules: {
      alert?: string;
      record?: string;
      expr: string;
      for?: string;
      keep_firing_for?: string;
      labels?: Record<string, string>;
    }[];
  }[];
}

/** `5m` → 300, `45s` → 45, `1h` → 3600. */
function seconds(duration: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(duration);
  if (!match) throw new Error(`unexpected duration ${duration}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
}

function run(bin: string, args: string[], timeout = 30_000): { code: number | null; output: string } {
  const result = spawnSync(bin, args, { cwd: root, encoding: 'utf8', timeout });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Exit 0, or a failure message that carries the tool's own output. */
function expectSuccess(result: { code: number | null; output: string }): void {
  expect(result.code, result.output).toBe(0);
}

const readYaml = async <T>(file: string) => parse(await readFile(path(file), 'utf8')) as T;

function describeWithTool(name: string, bin: string, suite: () => void): void {
  if (!existsSync(bin) && !inCi) {
    console.warn(
      `[skipped] ${name}: ${bin} not found (apt-get install -y prometheus prometheus-alertmanager)`,
    );
    describe.skip(name, suite);
    return;
  }
  describe(name, suite);
}

describeWithTool('prometheus files, checked by promtool', promtoolBin, () => {
  it('prometheus.yml passes promtool check config with its token file and rule files present', async () => {
    // The committed file names compose's paths: its syntax alone is checkable as it is …
    expectSuccess(run(promtoolBin, ['check', 'config', '--syntax-only', 'prometheus/prometheus.yml']));
    // … and the full check (which opens the token and rule files) runs on a copy pointing at temp files.
    const dir = await mkdtemp(join(tmpdir(), 'pulse-promtool-'));
    try {
      const text = await readFile(path('prometheus/prometheus.yml'), 'utf8');
      expect(text).toContain(`credentials_file: ${committedTokenFile}`);
      await writeFile(join(dir, 'pulse-metrics-token'), 'test-token\n');
      const copy = text
        .replace(
          `credentials_file: ${committedTokenFile}`,
          `credentials_file: ${join(dir, 'pulse-metrics-token')}`,
        )
        .replaceAll('  - rules/', `  - ${path('prometheus/rules')}/`);
      expect(copy).not.toContain(`credentials_file: ${committedTokenFile}`);
      await writeFile(join(dir, 'prometheus.yml'), copy);
      const result = run(promtoolBin, ['check', 'config', join(dir, 'prometheus.yml')]);
      expectSuccess(result);
      expect(result.output).toContain('3 rule files found');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the rule files pass promtool check rules', () => {
    expectSuccess(run(promtoolBin, ['check', 'rules', recordingFile, sloRecordingFile, alertsFile]));
  });

  it('every generated alert passes its promtool unit tests (fires after for, quiet below, before for and without the guard)', () => {
    const result = run(promtoolBin, ['test', 'rules', 'prometheus/tests/pledgr-alerts.test.yml']);
    expectSuccess(result);
    expect(result.output).toContain('SUCCESS');
  });

  it('the burn-rate alerts pass their SLO scenarios (a fast burn pages, a blip does not, a slow leak tickets)', () => {
    // Days of samples evaluated every 5 min: a few seconds on an idle machine, more on a busy one.
    const result = run(promtoolBin, ['test', 'rules', sloTestsFile], 110_000);
    expectSuccess(result);
    expect(result.output).toContain('SUCCESS');
  }, 120_000);
});

describeWithTool('alertmanager.yml, checked by amtool', amtoolBin, () => {
  it('passes amtool check-config', () => {
    expectSuccess(run(amtoolBin, ['check-config', 'alertmanager/alertmanager.yml']));
  });
});

describe('generated rule files', () => {
  it('equal what prometheus/generate-rules.ts writes now (no drift from the catalog)', async () => {
    for (const [file, text] of Object.entries(generatedFiles())) {
      expect(
        await readFile(path(file), 'utf8'),
        `${file} is stale: node --import tsx prometheus/generate-rules.ts`,
      ).toBe(text);
    }
  });

  it('hold every catalog rule as an alert with its name, for, severity and threshold, or list it as left out', async () => {
    const text = await readFile(path(alertsFile), 'utf8');
    expect(text.split('\n')[0]).toBe(
      '# generated by prometheus/generate-rules.ts from core/alerts — do not edit',
    );
    const alerts = new Map(
      (parse(text) as RulesFile).groups.flatMap((group) => group.rules).map((rule) => [rule.alert, rule]),
    );
    const leftOut = new Set(
      [...text.matchAll(new RegExp(`^# ${leftOutPrefix}(\\w+): `, 'gm'))].map((match) => match[1]),
    );
    expect(leftOut.size).toBeGreaterThan(0);
    for (const rule of prometheusCatalog) {
      const alert = alerts.get(rule.name);
      if (!alert) {
        expect(leftOut.has(rule.name), `${rule.name} is neither generated nor listed as left out`).toBe(true);
        continue;
      }
      expect(leftOut.has(rule.name), `${rule.name} is generated and listed as left out`).toBe(false);
      expect(seconds(alert.for ?? '0s'), rule.name).toBe(rule.forSeconds);
      expect(alert.labels?.severity, rule.name).toBe(rule.severity);
      const threshold =
        promInputs[rule.input].kind === 'window'
          ? `[${promDuration(rule.threshold)}]`
          : `${rule.comparison} ${rule.threshold}`;
      expect(alert.expr, rule.name).toContain(threshold);
      for (const guard of rule.guards)
        expect(alert.expr, rule.name).toContain(`${guard.comparison} ${guard.threshold}`);
      // No flapping: the keep-firing time as keep_firing_for, the resolve threshold behind the alert's own
      // firing series.
      expect(seconds(alert.keep_firing_for ?? '0s'), rule.name).toBe(rule.keepFiringForSeconds ?? 0);
      if (rule.resolveThreshold !== undefined) {
        expect(alert.expr, rule.name).toContain(`${rule.comparison} ${rule.resolveThreshold} `);
        expect(alert.expr, rule.name).toContain(`ALERTS{alertname="${rule.name}", alertstate="firing"}`);
      }
    }
    const catalogNames = new Set(prometheusCatalog.map((rule) => rule.name));
    for (const name of [...alerts.keys(), ...leftOut])
      expect(catalogNames.has(name as string), name).toBe(true);
    // The same rules as the collector's catalog; only the staleness threshold follows Prometheus's interval.
    expect([...catalogNames]).toEqual(alertRules.map((rule) => rule.name));
  });

  it('use rate windows of at least four scrape intervals', async () => {
    for (const file of ['prometheus/rules/pledgr-alerts.yml', 'prometheus/rules/pledgr-recording.yml']) {
      const rules = (await readYaml<RulesFile>(file)).groups.flatMap((group) => group.rules);
      const windows = rules.flatMap((rule) =>
        [...rule.expr.matchAll(/\brate\([^[]*\[(\w+)\]/g)].map((m) => m[1]),
      );
      expect(windows.length, file).toBeGreaterThan(0);
      for (const window of windows)
        expect(seconds(window as string)).toBeGreaterThanOrEqual(4 * scrapeIntervalSeconds);
    }
    expect(rateWindowSeconds).toBe(4 * scrapeIntervalSeconds);
  });
});

describe('prometheus.yml and alertmanager.yml', () => {
  it("prometheus.yml scrapes at the generator's interval, with its job names, compose's targets and the token file", async () => {
    const config = await readYaml<PromConfig>('prometheus/prometheus.yml');
    expect(seconds(config.global.scrape_interval)).toBe(scrapeIntervalSeconds);
    expect(seconds(config.global.evaluation_interval)).toBe(scrapeIntervalSeconds);
    const job = (name: string) => config.scrape_configs.find((scrape) => scrape.job_name === name);
    expect(job(agentJob)?.static_configs.flatMap((s) => s.targets)).toEqual(['agent-1:9464', 'agent-2:9464']);
    const collector = job(collectorJob);
    expect(collector?.static_configs.flatMap((s) => s.targets)).toEqual(['collector:4000']);
    expect(collector?.metrics_path).toBe('/metrics');
    expect(collector?.authorization).toEqual({ type: 'Bearer', credentials_file: committedTokenFile });
    expect(config.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((s) => s.targets))).toEqual([
      'alertmanager:9093',
    ]);
    for (const file of config.rule_files) expect(existsSync(path(join('prometheus', file))), file).toBe(true);
    expect(config.rule_files).toContain(alertsFile.replace('prometheus/', ''));
    // The burn-rate alerts read the SLO recordings.
    expect(config.rule_files).toContain(sloRecordingFile.replace('prometheus/', ''));
  });

  it('alertmanager.yml groups by alert and severity, repeats critical sooner and inhibits within a family', async () => {
    const config = await readYaml<{
      route: {
        group_by: string[];
        repeat_interval: string;
        routes: { matchers: string[]; repeat_interval: string }[];
      };
      inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
    }>('alertmanager/alertmanager.yml');
    expect(config.route.group_by).toEqual(['alertname', 'severity']);
    const critical = config.route.routes.find((route) => route.matchers.includes('severity="critical"'));
    expect(seconds(critical?.repeat_interval ?? '0s')).toBeLessThan(seconds(config.route.repeat_interval));
    expect(config.inhibit_rules).toEqual([
      {
        source_matchers: ['severity="critical"', 'family=~".+"'],
        target_matchers: ['severity="warning"'],
        equal: ['family'],
      },
    ]);
    // The label the inhibition compares is on every generated alert, and each critical rule has a sibling.
    const rules = (await readYaml<RulesFile>(alertsFile)).groups.flatMap((group) => group.rules);
    for (const rule of rules) expect(rule.labels?.family, rule.alert).toBeTruthy();
    for (const rule of rules.filter((r) => r.labels?.severity === 'critical'))
      expect(
        rules.some((r) => r.labels?.severity === 'warning' && r.labels.family === rule.labels?.family),
        `${rule.alert} has no warning sibling to inhibit`,
      ).toBe(true);
  });
});

// Writes the generated Prometheus files from the single alert catalog (core/alerts), the SLO catalog (core/slo)
// and the health PromQL (core/telemetry/promql.ts, core/slo/slo-promql.ts): rules/pledgr-alerts.yml,
// rules/pledgr-recording.yml, rules/pledgr-slo.yml and the promtool tests tests/pledgr-alerts.test.yml and
// tests/pledgr-slo.test.yml. Run after changing a rule, a threshold or an expression:
//   node --import tsx prometheus/generate-rules.ts
// test/stack/prometheus-files.test.ts fails while a committed file differs from what this writes.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './generator/rule-files.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

for (const [path, text] of Object.entries(generatedFiles())) {
  await writeFile(`${root}${path}`, text);
  console.log(`wrote ${path}`);
}

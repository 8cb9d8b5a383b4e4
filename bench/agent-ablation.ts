// What each part of the drop-in agent costs the legacy-style Express 4 + sqlite3 app (GET /api/artists/:id),
// measured as bench/agent.bench.ts measures (wrk, alternating rounds, fresh processes, pinning, CPU per
// request from /proc): bare, then the parts switched on one after another through bench/drop-in-parts.ts
// (from the drop-in's TypeScript sources, under tsx — the "tsx only" row shows that tsx itself costs nothing
// per request), then the real drop-in (agent/register.js, the built bundle).
//   node --import tsx bench/agent-ablation.ts     (BENCH_AGENT_SECONDS, BENCH_AGENT_ROUNDS as for the bench)
//   node --import tsx bench/agent-ablation.ts probes     (the http part split further, see drop-in-parts.ts)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropInEntry } from '../cli/spawn-instrumented.ts';
import {
  type AppUnderTest,
  findExecutable,
  legacyApp,
  measureApp,
  seedLegacyApp,
  type Variant,
} from './agent.bench.ts';

const wrk = findExecutable('wrk');
if (!wrk) throw new Error('wrk is not installed');
const partsEntry = fileURLToPath(new URL('./drop-in-parts.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const dropInMetrics = /http_server_request_duration(_seconds)?_count\{[^}]*http_route="\/api\/artists\/:id"/;

const withParts = (label: string, parts: string, expectMetric?: RegExp): Variant => ({
  label,
  key: parts.replaceAll(',', '+') || 'tsx',
  args: ['--import', tsx, '--import', partsEntry, 'server.js'],
  env: { DROPIN_PARTS: parts },
  ...(expectMetric ? { expectMetric } : {}),
});

const bare: Variant = { label: 'bare', key: 'bare', args: ['server.js'], env: {} };
const partVariants: Variant[] = [
  bare,
  withParts('tsx only', ''),
  withParts('sdk (no per-request work)', 'sdk'),
  withParts('http, no-op SDK', 'http'),
  withParts('sdk+http', 'sdk,http'),
  withParts('sdk+http+express', 'sdk,http,express', dropInMetrics),
  withParts('sdk+http+express+sqlite3', 'sdk,http,express,sqlite3', dropInMetrics),
  {
    label: 'drop-in (register.js)',
    key: 'drop-in',
    args: ['--import', dropInEntry, 'server.js'],
    env: {},
    expectMetric: dropInMetrics,
  },
];
const probeVariants: Variant[] = [
  bare,
  withParts('tsx only', ''),
  withParts('subscriber, empty', 'probe-subscribe'),
  withParts('+ res.once(close)', 'probe-once'),
  withParts('+ res[symbol] = start', 'probe-symbol'),
  withParts('WeakMap instead of symbol', 'probe-weakmap'),
  withParts('symbol + attribute object', 'probe-attributes'),
  withParts('http, no-op SDK', 'http'),
];

const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-ablation-'));
try {
  const { dbPath, ids } = seedLegacyApp(dir);
  const base = legacyApp(dbPath, ids);
  const probing = process.argv[2] === 'probes';
  const app: AppUnderTest = {
    ...base,
    title: `drop-in ${probing ? 'probes' : 'ablation'}, ${base.title}`,
    key: probing ? 'legacy-probes' : 'legacy-ablation',
    variants: probing ? probeVariants : partVariants,
  };
  console.log(await measureApp(app, wrk));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

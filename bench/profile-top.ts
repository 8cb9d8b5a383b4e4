// Reads a V8 CPU profile (`node --cpu-prof`) and prints where the time went: the top functions by self time,
// self time by package or area (the drop-in agent, @opentelemetry/*, express, Node's own…), and the inclusive
// time of the functions whose `name  file:line` matches a pattern. Used to find the drop-in agent's per-request cost under
// wrk load (see bench/agent.bench.ts):
//   node --import tsx bench/profile-top.ts <file.cpuprofile> [--top 40] [--skip 3] [--inclusive 'onClose|record']
//     [--requests N]  (requests served in the window: adds µs per request to each figure)
// Percentages are of the busy (non-idle) samples after the first --skip seconds (start-up and warm-up).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '40' },
    skip: { type: 'string', default: '0' },
    inclusive: { type: 'string' },
    requests: { type: 'string' },
  },
});
const file = positionals[0];
if (!file)
  throw new Error(
    'usage: profile-top.ts <file.cpuprofile> [--top N] [--skip seconds] [--inclusive regex] [--requests N]',
  );
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** Where a frame's code lives: the drop-in, an npm package, the app, or Node itself. */
function area(frame: CallFrame): string {
  const url = frame.url;
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native/builtin)';
  if (url.startsWith('node:')) return 'node: core';
  if (url.includes('/agent/dist/drop-in.js') || url.includes('/agent/drop-in/')) return 'drop-in agent';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url.slice(url.lastIndexOf('node_modules/') - 1 + 1));
  if (pkg?.[1]) return pkg[1].startsWith('@opentelemetry/') ? `${pkg[1]}` : pkg[1];
  return 'app';
}

function label(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const short = frame.url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '');
  return `${name}  ${short.replace(/^\/work\/main\//, '')}:${frame.lineNumber + 1}`;
}

// Sample times: startTime plus the running sum of the deltas; each sample's weight is the next delta.
const selfMicros = new Map<number, number>();
const skipMicros = Number(values.skip) * 1e6;
let clock = profile.startTime;
let busy = 0;
let idle = 0;
let kept = 0;
const keptSamples: Array<[number, number]> = [];
for (let i = 0; i < profile.samples.length; i++) {
  clock += profile.timeDeltas[i] ?? 0;
  if (clock - profile.startTime < skipMicros) continue;
  const weight = profile.timeDeltas[i + 1] ?? 0;
  const id = profile.samples[i] as number;
  const name = byId.get(id)?.callFrame.functionName;
  if (name === '(idle)' || name === '(program)') {
    if (name === '(idle)') idle += weight;
    else busy += weight;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + weight);
    continue;
  }
  busy += weight;
  kept += 1;
  keptSamples.push([id, weight]);
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + weight);
}

const requests = Number(values.requests ?? Number.NaN);
/** "12.3%", and with --requests "12.3%  28.1 µs/req" (the time spread over the requests of the window). */
const percent = (micros: number) =>
  `${((100 * micros) / busy).toFixed(1).padStart(5)}%` +
  (requests > 0 ? `  ${(micros / requests).toFixed(1).padStart(6)} µs/req` : '');
console.log(
  `${file}: ${(busy / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle, ${kept} samples in JS/native` +
    ` (after the first ${values.skip} s); percentages of busy time`,
);

const selfByFunction = new Map<string, number>();
const selfByArea = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const frame = (byId.get(id) as ProfileNode).callFrame;
  if (frame.functionName === '(idle)') continue;
  const key = label(frame);
  selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + micros);
  const where = area(frame);
  selfByArea.set(where, (selfByArea.get(where) ?? 0) + micros);
}
const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);

console.log('\nself time by area:');
for (const [where, micros] of sorted(selfByArea).slice(0, 20)) console.log(`  ${percent(micros)}  ${where}`);

console.log(`\ntop ${values.top} functions by self time:`);
for (const [key, micros] of sorted(selfByFunction).slice(0, Number(values.top))) {
  console.log(`  ${percent(micros)}  ${key}`);
}

// Inclusive time: a sample counts once for each distinct matching function (name and file) on its stack.
const pattern = values.inclusive ? new RegExp(values.inclusive) : undefined;
if (pattern) {
  const inclusive = new Map<string, number>();
  for (const [id, weight] of keptSamples) {
    const seen = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const frame = (byId.get(node) as ProfileNode).callFrame;
      const key = label(frame);
      if (!pattern.test(key)) continue;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + weight);
    }
  }
  console.log(`\ninclusive time of functions matching /${values.inclusive}/ (name and file):`);
  for (const [key, micros] of sorted(inclusive).slice(0, Number(values.top))) {
    console.log(`  ${percent(micros)}  ${key}`);
  }
}

// A bench-only preload that switches on parts of the drop-in agent one by one, from its sources
// (agent/drop-in/*.ts), so that bench/agent-ablation.ts can measure what each part costs an Express app:
//   node --import tsx --import bench/drop-in-parts.ts server.js   with DROPIN_PARTS=sdk,http,express,sqlite3
//   - sdk: the drop-in's MeterProvider as the global one, its Prometheus endpoint and runtime metrics
//     (createTelemetry + startServing); without it every instrument is OpenTelemetry's no-op;
//   - http: http.server.request.duration from the diagnostics channel (res.once('close') per request);
//   - express: the route-template patches of express (require-in-the-middle, CommonJS apps);
//   - sqlite3: the statement patches of sqlite3 (require-in-the-middle).
// The real drop-in (agent/register.js) is all four plus the pg patch, the data-layer subscriptions and the
// import-in-the-middle loader hook. Probes, to split the cost of the http part (no OpenTelemetry at all):
//   - probe-subscribe: an empty subscriber of http.server.request.start;
//   - probe-once: the same plus res.once('close', listener) with a shared listener that does nothing;
//   - probe-symbol: the same plus the start time kept on the response under a symbol, as the drop-in does;
//   - probe-weakmap: the start time kept in a WeakMap instead (no property added to the response);
//   - probe-attributes: probe-symbol plus the drop-in's attribute object built on close (req.protocol etc.).
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hook as RequireHook } from 'require-in-the-middle';
import { loadTelemetryConfig } from '../agent/config.ts';
import { patchExpress } from '../agent/drop-in/express-routes.ts';
import { recordHttpServerRequests } from '../agent/drop-in/http-server-metrics.ts';
import { patchSqlite3 } from '../agent/drop-in/sqlite3-client.ts';
import { createTelemetry } from '../agent/drop-in/telemetry.ts';

const parts = new Set((process.env.DROPIN_PARTS ?? '').split(',').filter(Boolean));
const probes = ['probe-subscribe', 'probe-once', 'probe-symbol', 'probe-weakmap', 'probe-attributes'];
const known = new Set(['sdk', 'http', 'express', 'sqlite3', ...probes]);
for (const part of parts) if (!known.has(part)) throw new Error(`drop-in-parts: unknown part ${part}`);

if (parts.has('sdk')) (await createTelemetry(loadTelemetryConfig())).startServing();
if (parts.has('http')) recordHttpServerRequests();
const patchers: Record<string, (exports: unknown) => void> = {};
if (parts.has('express')) patchers.express = patchExpress;
if (parts.has('sqlite3')) patchers.sqlite3 = patchSqlite3;
if (Object.keys(patchers).length > 0) {
  new RequireHook(Object.keys(patchers), (exports, name) => {
    patchers[name]?.(exports);
    return exports;
  });
}

const startKey = Symbol('bench.start');
const starts = new WeakMap<object, number>();
let sink = 0;
type Response = ServerResponse & { [startKey]?: number };
function onCloseNothing(this: Response): void {}
function onCloseSymbol(this: Response): void {
  sink += performance.now() - (this[startKey] as number);
}
function onCloseWeakMap(this: Response): void {
  sink += performance.now() - (starts.get(this) as number);
}
function onCloseAttributes(this: Response): void {
  const request = this.req as IncomingMessage & { protocol?: unknown };
  const attributes: Record<string, unknown> = {
    'http.request.method': request.method,
    'url.scheme': request.protocol === 'https' ? 'https' : 'http',
    'network.protocol.version': request.httpVersion,
    'http.response.status_code': this.statusCode,
  };
  sink += performance.now() - (this[startKey] as number) + Object.keys(attributes).length;
}
const probe = probes.find((name) => parts.has(name));
if (probe) {
  subscribe('http.server.request.start', (message) => {
    const { response } = message as { response: Response };
    if (probe === 'probe-subscribe') return;
    if (probe === 'probe-once') response.once('close', onCloseNothing);
    else if (probe === 'probe-weakmap') {
      starts.set(response, performance.now());
      response.once('close', onCloseWeakMap);
    } else {
      response[startKey] = performance.now();
      response.once('close', probe === 'probe-symbol' ? onCloseSymbol : onCloseAttributes);
    }
  });
  process.once('exit', () => {
    if (sink === -1) console.log(sink);
  });
}

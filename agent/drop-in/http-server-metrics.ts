// `http.server.request.duration` for every HTTP server in the process, from Node's own diagnostics channel
// (no patching of http): method, status, scheme, protocol version and — when the Express patch saw a route
// match — the route template with its mount path. Every label comes from a closed set, whatever the client
// sends: unknown methods are `_OTHER`, the scheme is http or https, and a request that matched no route has
// no `http.route` (a scanner's thousand paths add no series). 5xx and aborted requests carry `error.type`.
// Servers marked `untrackedServer` (the metrics endpoint itself, Pulse's collector) are left out.
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type Attributes, metrics } from '@opentelemetry/api';
import { attribute, instrument } from '../../core/telemetry/agent-metric-names.ts';
import { untrackedServer } from '../../core/telemetry/untracked-server.ts';
import { isOff, switchOff } from './fault-guard.ts';
import { type RoutedRequest, routeKey } from './route-template.ts';

/** The semantic conventions' boundaries for http.server.request.duration, in seconds. */
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

const knownMethods = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);
const knownVersions = new Set(['1.0', '1.1', '2.0']);
const startKey = Symbol('pledgr.http.start');

interface StartMessage {
  readonly request: IncomingMessage;
  readonly response: ServerResponse & { [startKey]?: number };
  readonly server: Server & { [untrackedServer]?: boolean };
}

export function recordHttpServerRequests(): void {
  const duration = metrics.getMeter('pledgr-agent').createHistogram(instrument.httpDuration, {
    description: 'Duration of HTTP server requests, by method, route template and status code',
    unit: 's',
    advice: { explicitBucketBoundaries: durationBuckets },
  });

  // One shared listener, no closure per request; a fault switches the HTTP signal off (fault-guard.ts).
  function onClose(this: ServerResponse & { [startKey]?: number }): void {
    if (isOff('http')) return;
    try {
      const request = this.req as IncomingMessage & RoutedRequest & { protocol?: unknown };
      const attributes: Attributes = {
        [attribute.method]: knownMethods.has(request.method ?? '') ? request.method : '_OTHER',
        // Express's req.protocol honours X-Forwarded-Proto from a proxy the app trusts: clamp it.
        'url.scheme': request.protocol === 'https' ? 'https' : 'http',
        'network.protocol.version': knownVersions.has(request.httpVersion) ? request.httpVersion : '_OTHER',
      };
      const route = request[routeKey];
      if (route !== undefined) attributes[attribute.route] = route;
      if (this.writableFinished) {
        attributes[attribute.status] = this.statusCode;
        if (this.statusCode >= 500) attributes['error.type'] = String(this.statusCode);
      } else {
        attributes['error.type'] = 'aborted';
      }
      duration.record((performance.now() - (this[startKey] as number)) / 1000, attributes);
    } catch (error) {
      switchOff('http', error);
    }
  }

  subscribe('http.server.request.start', (message) => {
    const { response, server } = message as StartMessage;
    if (server[untrackedServer]) return;
    response[startKey] = performance.now();
    response.once('close', onClose);
  });
}

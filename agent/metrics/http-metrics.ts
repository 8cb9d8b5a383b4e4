// HTTP server metrics from the application itself: `http.server.request.duration` in seconds, with the
// stable semantic-convention attributes (method, route template, status code, scheme, protocol version,
// error.type for 5xx and aborted requests), each from a closed set whatever the client sends. The route is Express's matched template (`/api/artists/:id`),
// never the raw path; a request that matched no route has no `http.route`, so an unknown path adds no series.
// This replaces the metric of instrumentation-http + instrumentation-express, which cost the agent 1.7× its
// CPU per request to build spans nobody exports (see README, "Overhead"); those two run only with traces on.
import type { Attributes } from '@opentelemetry/api';
import type { Request, RequestHandler, Response } from 'express';
import { agentMeter } from './meter.ts';

/** The semantic conventions' boundaries for http.server.request.duration, in seconds. */
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Methods kept as sent; any other becomes `_OTHER`, so a client cannot mint series. */
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

/** HTTP versions Node's server speaks; anything else the parser let through is `_OTHER`. */
const knownVersions = new Set(['1.0', '1.1', '2.0']);

/**
 * The template of the route that handled the request, with its router's mount path, or the one a fault was
 * injected on (agent/faults.ts, before routing); undefined if none.
 */
function routeTemplate(req: Request, res: Response): string | undefined {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return `${req.baseUrl}${path}`;
  const faultRoute: unknown = res.locals.faultRoute;
  return typeof faultRoute === 'string' ? faultRoute : undefined;
}

export function httpServerMetrics(): RequestHandler {
  const duration = agentMeter().createHistogram('http.server.request.duration', {
    description: 'Duration of HTTP server requests, by method, route template and status code',
    unit: 's',
    advice: { explicitBucketBoundaries: durationBuckets },
  });
  return (req, res, next) => {
    const started = performance.now();
    res.once('close', () => {
      const attributes: Attributes = {
        'http.request.method': knownMethods.has(req.method) ? req.method : '_OTHER',
        // req.protocol reads X-Forwarded-Proto from a trusted balancer: clamp it, or one header per
        // request would mint one series each.
        'url.scheme': req.protocol === 'https' ? 'https' : 'http',
        'network.protocol.version': knownVersions.has(req.httpVersion) ? req.httpVersion : '_OTHER',
      };
      const route = routeTemplate(req, res);
      if (route !== undefined) attributes['http.route'] = route;
      if (res.writableFinished) {
        attributes['http.response.status_code'] = res.statusCode;
        if (res.statusCode >= 500) attributes['error.type'] = String(res.statusCode);
      } else {
        attributes['error.type'] = 'aborted';
      }
      duration.record((performance.now() - started) / 1000, attributes);
    });
    next();
  };
}

// The express-prom-bundle peer for an unmodified Express 4 app (the agent benchmark runs the legacy-style
// fixture with it): `node -r <pulse>/bench/legacy-prom-bundle.cjs server.js`. Preloaded before the app's first
// line, it loads the express the app's entry point will load (the same copy, from the app's node_modules) and
// patches its application's lazyrouter so that every app's router gets the bundle's middleware first — right
// after Express's own query and init layers, before anything the app adds. As in bench/prom-bundle-agent.ts:
// request duration by method, route template and status, prom-client's default process metrics, served on
// METRICS_PORT (default 9464) by a separate app.
const { createRequire } = require('node:module');
const path = require('node:path');
const promBundle = require('express-prom-bundle');

const appRequire = createRequire(path.resolve(process.argv[1] ?? 'server.js'));
const express = appRequire('express');

/** The matched route's template (`/api/artists/:id`), never the raw path. */
function routeTemplate(req) {
  return typeof req.route?.path === 'string' ? `${req.baseUrl}${req.route.path}` : 'unmatched';
}

const metricsApp = express();
const bundle = promBundle({
  includeMethod: true,
  includePath: true,
  includeStatusCode: true,
  normalizePath: routeTemplate,
  autoregister: false,
  metricsApp,
  promClient: { collectDefaultMetrics: {} },
});
metricsApp.listen(Number(process.env.METRICS_PORT ?? 9464), process.env.HOST ?? '127.0.0.1').unref();

const withBundle = Symbol('bench.promBundle');
const lazyrouter = express.application.lazyrouter;
if (typeof lazyrouter !== 'function')
  throw new Error('legacy-prom-bundle.cjs: expects Express 4 (lazyrouter)');
express.application.lazyrouter = function lazyrouterWithBundle() {
  lazyrouter.call(this);
  if (this !== metricsApp && !this[withBundle]) {
    this[withBundle] = true;
    this._router.use(bundle);
  }
};

// The benchmark's peer of the instrumented agent: the same pledge API (createAgentApp, same database and
// settings) behind express-prom-bundle, the middleware most Express users pick for Prometheus metrics —
// request duration by method, route template and status, plus prom-client's default process metrics, served
// on METRICS_PORT like the agent's. Run without the OpenTelemetry preload and with OTEL_SDK_DISABLED=true:
// `node --import tsx bench/prom-bundle-agent.ts`. Stops on SIGTERM.
import type { Server } from 'node:http';
import express, { type Request } from 'express';
import promBundle from 'express-prom-bundle';
import { createAgentApp } from '../agent/app.ts';
import { loadAgentConfig } from '../agent/config.ts';
import { openDb } from '../core/db/open-db.ts';

/** The matched route's template (`/api/artists/:id`), never the raw path. */
function routeTemplate(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : 'unmatched';
}

const config = loadAgentConfig(process.env);
const metricsPort = Number(process.env.METRICS_PORT ?? 9464);
const db = await openDb(config.database, 'pledgr-agent-prom-bundle');
const metricsApp = express();
const app = express();
app.use(
  promBundle({
    includeMethod: true,
    includePath: true,
    includeStatusCode: true,
    normalizePath: routeTemplate,
    autoregister: false,
    metricsApp,
    promClient: { collectDefaultMetrics: {} },
  }),
);
app.use(createAgentApp({ db, config }));

const listen = (target: express.Express, port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = target.listen(port, config.host, (error?: Error) =>
      error ? reject(error) : resolve(server),
    );
  });
const [server, metricsServer] = [await listen(app, config.port), await listen(metricsApp, metricsPort)];
console.log(`Pledge API with express-prom-bundle listening on http://${config.host}:${config.port}`);

process.once('SIGTERM', () => {
  metricsServer.close();
  server.close(() => void db.close().then(() => process.exit(0)));
  server.closeIdleConnections();
});

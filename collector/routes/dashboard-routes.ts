// What the dashboard needs besides the data routes: GET /api/session (the caller's role, so the page can
// leave out what the role may not see instead of showing errors), GET /api/catalog (the KPI catalog's
// labels, units and definitions, and the alert rules the collector evaluates — configured thresholds, with
// how each resolves: resolveThreshold or null, keepFiringForSeconds or 0 — the dashboard never imports
// server code), and the built single-page app itself at / (dashboard/dist; a plain page saying how to build
// it when it is missing).
import { existsSync } from 'node:fs';
import express, { type Request, Router } from 'express';
import { type AlertRule, alertInputs, alertRules } from '../../core/alerts/rules.ts';
import { kpiCatalog } from '../../core/kpi/catalog.ts';
import { fromPackageRoot } from '../../core/package-root.ts';
import { scalingPhases } from '../../core/scaling/scaling-guide.ts';
import type { Role } from '../tokens.ts';

export const dashboardDist = `${fromPackageRoot('dashboard', 'dist')}/`;

export function sessionRoutes(
  roleOf: (req: Request) => Role | null,
  currency: string,
  rules: readonly AlertRule[] = alertRules,
): Router {
  const router = Router();
  router.get('/api/session', (req, res) => {
    res.json({ role: roleOf(req), currency });
  });
  router.get('/api/catalog', (req, res) => {
    const role = roleOf(req);
    res.json({
      kpis: kpiCatalog
        .filter((kpi) => role === 'founder' || kpi.role === 'operator')
        .map(({ field, label, unit, help, role: kpiRole, metric }) => ({
          field,
          label,
          unit,
          help,
          role: kpiRole,
          metric,
        })),
      alertRules: rules
        .filter((rule) => role === 'founder' || rule.audience !== 'founder')
        .map((rule) => ({
          name: rule.name,
          severity: rule.severity,
          audience: rule.audience,
          input: rule.input,
          comparison: rule.comparison,
          threshold: rule.threshold,
          forSeconds: rule.forSeconds,
          summary: rule.summary,
          action: rule.action,
          unit: alertInputs[rule.input].unit,
          resolveThreshold: rule.resolveThreshold ?? null,
          keepFiringForSeconds: rule.keepFiringForSeconds ?? 0,
        })),
      scalingPhases,
    });
  });
  return router;
}

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Pledgr Pulse</title>
<p>The dashboard is not built yet. Run <code>npm run build:dashboard</code> (npm start does it for you).
The JSON API is available under <code>/api/</code>.</p>`;

/** The single-page app: static files with long caching for hashed assets, index.html for `/`. */
export function dashboardRoutes(dist: string = dashboardDist): Router {
  const router = Router();
  if (!existsSync(`${dist}index.html`)) {
    router.get('/', (_req, res) => {
      res.status(503).type('html').send(notBuilt);
    });
    return router;
  }
  router.use(
    '/assets',
    // No fall-through and no directory redirects: a missing asset is a JSON 404 (see errorHandler).
    express.static(`${dist}assets`, { immutable: true, maxAge: '365d', fallthrough: false, redirect: false }),
  );
  // The page's icon (dashboard/public/favicon.svg); /favicon.ico too, which browsers ask for on their own.
  router.get(['/favicon.svg', '/favicon.ico'], (_req, res) => {
    res.set('cache-control', 'public, max-age=86400').type('image/svg+xml').sendFile(`${dist}favicon.svg`);
  });
  router.get(['/', '/index.html'], (_req, res) => {
    res.set('cache-control', 'no-cache').sendFile(`${dist}index.html`);
  });
  return router;
}

// Lists every route an Express 5 app answers, read off its router stack (app.router.stack): route layers
// with each method and path, routers mounted inside (recursively, prefixed with their mount path), and
// static-file mounts as `GET <mount>/*`. Guards mounted with app.use(path, fn) are middleware, not routes.
import type { Express } from 'express';

interface RouteLike {
  readonly path: string | readonly string[];
  readonly methods: Record<string, boolean>;
}

interface LayerLike {
  readonly rawPath?: string | readonly string[];
  readonly route?: RouteLike;
  readonly handle?: { readonly name?: string; readonly stack?: readonly LayerLike[] };
}

const join = (prefix: string, path: string) => (path === '/' && prefix ? prefix : `${prefix}${path}`);
const pathsOf = (path: string | readonly string[] | undefined) =>
  path === undefined ? ['/'] : typeof path === 'string' ? [path] : [...path];

function walk(stack: readonly LayerLike[], prefix: string, out: Set<string>): void {
  for (const layer of stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).filter((method) => method !== '_all');
      for (const path of pathsOf(layer.route.path))
        for (const method of methods) out.add(`${method.toUpperCase()} ${join(prefix, path)}`);
    } else if (layer.handle?.stack) {
      for (const path of pathsOf(layer.rawPath))
        walk(layer.handle.stack, path === '/' ? prefix : join(prefix, path), out);
    } else if (layer.handle?.name === 'serveStatic') {
      for (const path of pathsOf(layer.rawPath)) out.add(`GET ${join(prefix, path)}/*`);
    }
  }
}

/** "METHOD /path" for every route, sorted. */
export function routesOf(app: Express): string[] {
  const out = new Set<string>();
  walk((app as unknown as { router: { stack: LayerLike[] } }).router.stack, '', out);
  return [...out].sort();
}

/** Routes the table does not classify: each one fails the access test until someone decides its role. */
export function unclassified(routes: readonly string[], table: Record<string, unknown>): string[] {
  return routes.filter((route) => !(route in table));
}

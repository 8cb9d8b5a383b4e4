// Where the Express patch leaves the matched route template on a request, and how a path given to Express
// (a string, a RegExp or an array of them) becomes one bounded template string.
export const routeKey: unique symbol = Symbol.for('pledgr.http.route');
export const mountKey: unique symbol = Symbol.for('pledgr.http.mount');

export interface RoutedRequest {
  [routeKey]?: string | undefined;
  [mountKey]?: string | undefined;
}

/** The template of a path as written in the app: `/artists/:id`, `/^\/v\d+/`, `[/a,/b]`; '' for `/`. */
export function pathTemplate(path: unknown): string {
  if (typeof path === 'string') return path === '/' ? '' : path;
  if (path instanceof RegExp) return path.toString();
  if (Array.isArray(path)) return `[${path.map((item) => pathTemplate(item) || '/').join(',')}]`;
  return '';
}

/** A mount template followed by a route template, without a doubled slash at the joint. */
export function joinTemplates(mount: string, route: string): string {
  if (mount.endsWith('/') && route.startsWith('/')) return mount + route.slice(1);
  const joined = mount + route;
  return joined === '' ? '/' : joined;
}

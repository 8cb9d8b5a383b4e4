// Express (4 and 5): the template of the route that answered, with the templates of the routers it is mounted
// under — `app.use('/api', router)` + `router.get('/artists/:id')` gives `/api/artists/:id`, never the raw
// path or `/api/artists/42`. Three small patches, applied when the app loads express:
//   - `use` keeps the mount path's template on each layer it adds (Express keeps only a compiled RegExp);
//   - a layer with a mount template extends the request's mount template while its router runs, and restores
//     it when the router passes the request on;
//   - a route's dispatch sets the request's route template, and takes it back if the route passes the
//     request on without an error (`next()`), so a 404 after it carries no route.
// The HTTP metric reads the template when the response closes (http-server-metrics.ts).
import { switchOff } from './fault-guard.ts';
import { joinTemplates, mountKey, pathTemplate, type RoutedRequest, routeKey } from './route-template.ts';

const patched = Symbol.for('pledgr.express.patched');
const layerTemplate = Symbol('pledgr.express.mountTemplate');
const routeTemplates = Symbol('pledgr.express.routeTemplates');

type Next = (...args: unknown[]) => unknown;
type Handler = (this: unknown, ...args: unknown[]) => unknown;
interface Patchable {
  [key: string]: unknown;
  [patched]?: boolean;
}
interface Layer extends Patchable {
  [layerTemplate]?: string;
}
interface RouteObject {
  path: unknown;
  [routeTemplates]?: Map<string, string>;
}

/** The path argument of `use(path?, ...handlers)`, found the way Express finds it. */
function mountPath(args: readonly unknown[]): unknown {
  let first: unknown = args[0];
  while (Array.isArray(first) && first.length > 0) first = first[0];
  return typeof first === 'function' ? '/' : args[0];
}

/** Runs a mount layer with the request's mount template extended, restored when its router passes it on. */
function enterMount(layer: Layer, req: RoutedRequest, next: Next, run: (next: Next) => unknown): unknown {
  const template = layer[layerTemplate] as string;
  const parent = req[mountKey];
  req[mountKey] = joinTemplates(parent ?? '', template);
  return run(function leaveMount(...nextArgs: unknown[]) {
    req[mountKey] = parent;
    return next(...nextArgs);
  });
}

function patchLayerPrototype(layer: object): void {
  const proto = Object.getPrototypeOf(layer) as Patchable | null;
  if (!proto || proto[patched]) return;
  proto[patched] = true;
  // Express 4 names them handle_request/handle_error, the router package of Express 5 handleRequest/handleError.
  // Fixed arities and a fast path: a layer without a mount template (most of them) costs one property read.
  for (const name of ['handle_request', 'handleRequest']) {
    const original = proto[name] as Handler | undefined;
    if (typeof original !== 'function') continue;
    proto[name] = function handleRequest(this: Layer, req: RoutedRequest, res: unknown, next: Next) {
      if (this[layerTemplate] === undefined) return original.call(this, req, res, next);
      return enterMount(this, req, next, (leave) => original.call(this, req, res, leave));
    };
  }
  for (const name of ['handle_error', 'handleError']) {
    const original = proto[name] as Handler | undefined;
    if (typeof original !== 'function') continue;
    proto[name] = function handleError(
      this: Layer,
      error: unknown,
      req: RoutedRequest,
      res: unknown,
      next: Next,
    ) {
      if (this[layerTemplate] === undefined) return original.call(this, error, req, res, next);
      return enterMount(this, req, next, (leave) => original.call(this, error, req, res, leave));
    };
  }
}

function patchUse(routerProto: Patchable): void {
  const originalUse = routerProto.use as Handler;
  routerProto.use = function use(this: { stack?: Layer[] }, ...args: unknown[]) {
    const before = this.stack?.length ?? 0;
    const result = originalUse.apply(this, args);
    try {
      const template = pathTemplate(mountPath(args));
      for (const layer of this.stack?.slice(before) ?? []) {
        patchLayerPrototype(layer);
        if (template !== '') layer[layerTemplate] = template;
      }
    } catch (error) {
      switchOff('express', error);
    }
    return result;
  };
}

function patchDispatch(routeProto: Patchable): void {
  const originalDispatch = routeProto.dispatch as Handler;
  routeProto.dispatch = function dispatch(this: RouteObject, req: RoutedRequest, res: unknown, done: Next) {
    const previous = req[routeKey];
    const mount = req[mountKey] ?? '';
    let templates = this[routeTemplates];
    if (!templates) {
      templates = new Map();
      this[routeTemplates] = templates;
    }
    let template = templates.get(mount);
    if (template === undefined) {
      template = joinTemplates(mount, pathTemplate(this.path));
      // Mount templates come from the app's code, so this stays small; the bound guards against surprises.
      if (templates.size < 64) templates.set(mount, template);
    }
    req[routeKey] = template;
    return originalDispatch.call(this, req, res, function routeDone(error?: unknown, ...rest: unknown[]) {
      if (!error || error === 'route' || error === 'router') req[routeKey] = previous;
      return done(error, ...rest);
    });
  };
}

/** Patches one loaded copy of express (its exports object); a second call for the same copy does nothing. */
export function patchExpress(express: unknown): void {
  try {
    const exported = express as {
      Router?: Patchable & { prototype?: Patchable };
      Route?: { prototype?: Patchable };
    };
    const router = exported.Router;
    const routerProto = typeof router?.prototype?.use === 'function' ? router.prototype : router;
    const routeProto = exported.Route?.prototype;
    if (typeof routerProto?.use !== 'function' || typeof routeProto?.dispatch !== 'function') {
      throw new Error('this version of express is not recognised (no Router.use or Route.dispatch)');
    }
    if (routerProto[patched]) return;
    routerProto[patched] = true;
    patchUse(routerProto);
    patchDispatch(routeProto);
  } catch (error) {
    switchOff('express', error);
  }
}

// Patches express, pg and sqlite3 as the application loads them — by `require` (require-in-the-middle) or by
// `import` (import-in-the-middle, whose loader hook is registered for these three modules only, so every
// other module loads untouched). Each patch applies once per loaded copy of a module.
import { register } from 'node:module';
import { Hook as ImportHook } from 'import-in-the-middle';
import { Hook as RequireHook } from 'require-in-the-middle';
import { patchExpress } from './express-routes.ts';
import { switchOff } from './fault-guard.ts';
import { patchPg } from './pg-client.ts';
import { patchSqlite3 } from './sqlite3-client.ts';

const patchers: Record<string, (exports: unknown) => void> = {
  express: patchExpress,
  pg: patchPg,
  sqlite3: patchSqlite3,
};
const modules = Object.keys(patchers);

function patch(name: string, exports: unknown): void {
  try {
    patchers[name]?.(exports);
  } catch (error) {
    switchOff(name, error);
  }
}

export function patchModulesOnLoad(): void {
  new RequireHook(modules, (exports, name) => {
    patch(name, exports);
    return exports;
  });
  register('import-in-the-middle/hook.mjs', import.meta.url, { data: { include: modules } });
  new ImportHook(modules, (exported, name) => {
    // An ES module's namespace: a CommonJS module's exports object is its default export.
    const namespace = exported as { default?: unknown };
    patch(name, namespace.default ?? namespace);
  });
}

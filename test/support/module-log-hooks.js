// The resolve hook behind module-log.js: runs on Node's loader thread and appends every URL an `import` or
// `import()` resolves to (node: built-ins included) to the log file, then lets resolution carry on unchanged.
import { appendFileSync } from 'node:fs';

let file = '';

export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}

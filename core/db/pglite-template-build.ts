// `node --import tsx core/db/pglite-template-build.ts`: creates the embedded database's template cluster
// (pglite-template.ts). Run by `prepare` (npm install); about 5 s once per installed PGlite version.
import { buildTemplate } from './pglite-template.ts';

const started = performance.now();
const template = await buildTemplate();
const seconds = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(`embedded database template ready (${seconds} s): ${template}\n`);

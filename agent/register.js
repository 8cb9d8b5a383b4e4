// The drop-in agent for any Express app: `node --import <pulse checkout>/agent/register.js server.js`, from
// the app's own directory (or `npx pulse instrument -- node server.js`). Plain JavaScript that loads the
// agent built ahead of time (agent/dist/drop-in.js, `npm run build:agent`, done by `npm install`), so no
// TypeScript is compiled when a production process starts. Sources: agent/drop-in/.
try {
  await import('./dist/drop-in.js');
} catch (error) {
  const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('drop-in.js');
  process.stderr.write(
    missing
      ? 'pulse agent: not built yet: run `npm run build:agent` in the Pulse checkout; the app runs uninstrumented\n'
      : `pulse agent: not instrumenting this process (${error?.message ?? error})\n`,
  );
}

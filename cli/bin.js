#!/usr/bin/env node
// The `pulse` executable: loads TypeScript through tsx so that `npx pulse` works straight after `npm ci`,
// with no build step to remember.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);

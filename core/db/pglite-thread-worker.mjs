// The worker thread's first file (plain JavaScript, so any parent can start it: `node --import tsx`, vitest,
// plain node): registers tsx's loader on this thread, then runs the TypeScript entry (pglite-thread-entry.ts).
import { register } from 'tsx/esm/api';

register();
await import('./pglite-thread-entry.ts');

// The worker thread behind pglite-thread.ts (started through pglite-thread-worker.mjs): opens PGlite (pglite-engine.ts) on the data directory it is
// given and answers one request at a time — { id, op: 'query' | 'exec' | 'close', … } → { id, rows } or
// { id, error }. Errors travel as plain objects carrying the driver's fields (code, detail, …).
import { parentPort, workerData } from 'node:worker_threads';
import { initialiseCluster, inProcessEngine, openPglite } from './pglite-engine.ts';

export type ThreadRequest =
  | {
      readonly id: number;
      readonly op: 'query';
      readonly text: string;
      readonly values: readonly unknown[];
      readonly copyText?: string;
    }
  | { readonly id: number; readonly op: 'exec'; readonly sql: string }
  | { readonly id: number; readonly op: 'close' };

export type ThreadReply =
  | { readonly id: number; readonly rows?: unknown[] }
  | { readonly id: number; readonly error: Record<string, unknown> };

const port = parentPort as NonNullable<typeof parentPort>;
if (!parentPort) throw new Error('pglite-thread-entry.ts runs as a worker thread');

const { dataDir, initdbOnly } = workerData as { dataDir?: string; initdbOnly?: boolean };
try {
  if (initdbOnly && dataDir) {
    // Only create the cluster; the thread then ends, and the memory initdb took goes with it.
    await initialiseCluster(dataDir);
    port.postMessage({ ready: true });
    port.close();
  } else {
    await serve();
  }
} catch (error) {
  port.postMessage({ ready: false, error: plainError(error) });
}

async function serve(): Promise<void> {
  const engine = inProcessEngine(await openPglite(dataDir));
  port.postMessage({ ready: true });
  port.on('message', async (request: ThreadRequest) => {
    try {
      if (request.op === 'query') {
        port.postMessage({
          id: request.id,
          rows: await engine.query(request.text, request.values, request.copyText),
        });
      } else if (request.op === 'exec') {
        await engine.exec(request.sql);
        port.postMessage({ id: request.id });
      } else {
        await engine.close();
        port.postMessage({ id: request.id });
        port.close();
      }
    } catch (error) {
      port.postMessage({ id: request.id, error: plainError(error) });
    }
  });
}

function plainError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields: Record<string, unknown> = { message: error.message, name: error.name };
  for (const [key, value] of Object.entries(error)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  }
  return fields;
}

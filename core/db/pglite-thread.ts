// PGlite on a worker thread of its own: the WASM PostgreSQL executes there, so a long query (a cold KPI
// read) leaves this thread's event loop free to answer requests. Requests are sent one at a time in order
// (PgliteDb already serialises them); rows come back by structured clone. The thread starts from a plain
// JavaScript file that loads the TypeScript entry through tsx (pglite-thread-worker.mjs), or compiled.
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compiledSystemFile } from '../package-root.ts';
import type { PgliteEngine } from './pglite-engine.ts';
import type { ThreadReply, ThreadRequest } from './pglite-thread-entry.ts';

type Pending = { resolve: (rows: unknown[]) => void; reject: (error: Error) => void };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The thread's first file: compiled (cli/dist/system/, built with the process that runs this module
 * compiled: `pulse start`) or, from the TypeScript sources, the plain-JavaScript file that loads the entry
 * through tsx.
 */
function workerEntry(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('./pglite-thread-worker.mjs', import.meta.url);
  return pathToFileURL(compiledSystemFile('pglite-thread-entry.js'));
}

/** A worker running the entry; resolves once it said it is ready (or rejects with its error). */
async function startWorker(workerData: {
  dataDir?: string | undefined;
  initdbOnly?: boolean;
}): Promise<Worker> {
  // No execArgv: the parent's OpenTelemetry preload must not start a second SDK on the thread.
  const worker = new Worker(workerEntry(), {
    workerData,
    execArgv: [],
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (message: { ready: boolean; error?: Record<string, unknown> }) =>
      message.ready ? resolve() : reject(toError(message.error ?? {})),
    );
    worker.once('error', reject);
  });
  return worker;
}

/**
 * Creates a new cluster on a throw-away thread: initdb takes ~430 MB of WASM memory that a long-running
 * process would otherwise keep (resident ~160 MB more for the life of `pulse start`, measured).
 */
export async function initdbInThread(dataDir: string): Promise<void> {
  const worker = await startWorker({ dataDir, initdbOnly: true });
  await worker.terminate();
}

export async function startPgliteThread(dataDir: string | undefined): Promise<PgliteEngine> {
  const worker = await startWorker({ dataDir });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  worker.on('message', (reply: ThreadReply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if ('error' in reply) waiter.reject(toError(reply.error));
    else waiter.resolve(reply.rows ?? []);
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`the embedded database thread exited (code ${code})`)));

  const send = (request: DistributiveOmit<ThreadRequest, 'id'>): Promise<unknown[]> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  };
  return {
    query: async <R>(text: string, values: readonly unknown[], copyText?: string) =>
      (await send({ op: 'query', text, values, ...(copyText === undefined ? {} : { copyText }) })) as R[],
    exec: async (sql) => {
      await send({ op: 'exec', sql });
    },
    async close() {
      await send({ op: 'close' });
      await worker.terminate();
    },
  };
}

/** The driver's error as an Error again, with its fields (code, detail, position…). */
function toError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? 'embedded database error')), fields);
}

// Pledge write load for fault tests (no test-runner imports, so benchmarks can use it too): a signed-in
// fan and an artist, then parallel loops that create pledges under Idempotency-Keys, retrying a key after
// any failure as a careful client would, and recording every acknowledged (2xx) pledge id by key. The
// tally counts answers per phase (e.g. before / outage / after), so expected 503s are told apart.
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';
import { postJson } from './agent-process.ts';

export interface Writer {
  readonly auth: Record<string, string>;
  readonly artistId: number;
}

/** Registers a fan and creates an artist on the agent at `url`. */
export async function signUpWriter(url: string, label: string): Promise<Writer> {
  const user = await postJson(`${url}/api/auth/register`, {
    email: `${label}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.test`,
    password: 'long enough',
  });
  if (user.status !== 201) throw new Error(`register answered ${user.status}`);
  const auth = { authorization: `Bearer ${(user.body as { token: string }).token}` };
  const artist = await postJson(`${url}/api/artists`, { name: `${label} band` }, auth);
  if (artist.status !== 201) throw new Error(`artist answered ${artist.status}`);
  return { auth, artistId: (artist.body as { artist: { id: number } }).artist.id };
}

export interface WriteTally {
  /** Requests sent, network errors included. */
  tried: number;
  /** Acknowledged pledge id per Idempotency-Key. */
  readonly acknowledged: Map<string, number>;
  /** A key acknowledged twice with different ids (must stay empty). */
  readonly conflictingReplays: string[];
  /** `${phase} ${status}` (or `${phase} network`) → count. */
  readonly answers: Map<string, number>;
  /** Slowest answer seen, per phase, in ms. */
  readonly slowestMs: Map<string, number>;
}

export interface WriteLoadOptions {
  readonly clients: number;
  readonly amountCents: number;
  /** Prefix of the Idempotency-Keys (unique per load). */
  readonly keyPrefix: string;
  /** Stop a client at the first 5xx or refused connection (the agent is shutting down). Default false. */
  readonly stopWhenRefused?: boolean;
  /** Pause after a failed attempt before retrying the same key, in ms. Default 20. */
  readonly retryPauseMs?: number;
}

export interface WriteLoad {
  readonly tally: WriteTally;
  /** Labels the answers from now on. */
  phase: string;
  /** Ends the loops (each finishes its request in flight) and returns the tally. */
  stop(): Promise<WriteTally>;
  /** Resolves when every client has stopped by itself (stopWhenRefused). */
  readonly finished: Promise<void>;
}

export function startWriteLoad(url: string, writer: Writer, options: WriteLoadOptions): WriteLoad {
  const tally: WriteTally = {
    tried: 0,
    acknowledged: new Map(),
    conflictingReplays: [],
    answers: new Map(),
    slowestMs: new Map(),
  };
  let running = true;
  let sequence = 0;
  const load = { tally, phase: 'before' } as WriteLoad & { phase: string };
  const count = (answer: string, ms: number) => {
    const key = `${load.phase} ${answer}`;
    tally.answers.set(key, (tally.answers.get(key) ?? 0) + 1);
    tally.slowestMs.set(load.phase, Math.max(tally.slowestMs.get(load.phase) ?? 0, ms));
  };
  const client = async (clientIndex: number) => {
    let key = `${options.keyPrefix}-${clientIndex}-${sequence++}`;
    while (running) {
      const started = Date.now();
      tally.tried++;
      let status: number;
      let body: unknown;
      try {
        ({ status, body } = await postJson(
          `${url}/api/pledges`,
          { artistId: writer.artistId, amountCents: options.amountCents },
          { ...writer.auth, 'idempotency-key': key },
        ));
      } catch {
        count('network', Date.now() - started);
        if (options.stopWhenRefused) return;
        await pause(options.retryPauseMs ?? 20);
        continue; // retry the same key
      }
      count(String(status), Date.now() - started);
      if (status >= 200 && status < 300) {
        const id = (body as { pledge: { id: number } }).pledge.id;
        const earlier = tally.acknowledged.get(key);
        if (earlier !== undefined && earlier !== id) tally.conflictingReplays.push(key);
        tally.acknowledged.set(key, id);
        key = `${options.keyPrefix}-${clientIndex}-${sequence++}`;
      } else {
        if (status >= 500 && options.stopWhenRefused) return;
        await pause(options.retryPauseMs ?? 20);
      }
    }
  };
  const clients = Array.from({ length: options.clients }, (_, index) => client(index));
  const finished = Promise.all(clients).then(() => undefined);
  Object.assign(load, {
    finished,
    async stop() {
      running = false;
      await finished;
      return tally;
    },
  });
  return load;
}

/** Sum of the answers whose phase and answer ("503", "201", "network") pass `test`. */
export function answersMatching(tally: WriteTally, test: (phase: string, answer: string) => boolean): number {
  let total = 0;
  for (const [key, value] of tally.answers) {
    const [phase, answer] = key.split(' ') as [string, string];
    if (test(phase, answer)) total += value;
  }
  return total;
}

const existingPledges = defineQuery<{ ids: number[] }, { id: number }>(
  'test.existingPledges',
  'SELECT id FROM pledges WHERE id = ANY(:ids::bigint[])',
);

/** Acknowledged ids with no row in the database (must be none). */
export async function missingPledges(db: Db, ids: readonly number[]): Promise<number[]> {
  const found = new Set((await db.query(existingPledges, { ids: [...ids] })).map((row) => row.id));
  return ids.filter((id) => !found.has(id));
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

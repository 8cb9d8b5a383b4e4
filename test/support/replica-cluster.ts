// A throw-away primary and its hot-standby streaming replica, for the read-replica tests (no test-runner
// imports, so benchmarks can use it too). The primary is initdb'd into a temporary directory (wal_level
// replica, replication and loopback connections trusted), the replica cloned from it with
// `pg_basebackup -R` (standby.signal and primary_conninfo) and started with hot_standby on, each on a free
// port of 127.0.0.1. The system's own server is not touched. PostgreSQL refuses to run as root: as root,
// both clusters belong to the `postgres` user (runuser).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './agent-process.ts';
import { postgresBinDir, privatePostgresUnavailable } from './private-postgres.ts';

const run = promisify(execFile);

export interface ReplicaCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  readonly primaryUrl: string;
  readonly replicaUrl: string;
  /** Runs one statement on the primary or the replica, returning its rows. */
  primaryQuery<R = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<R[]>;
  replicaQuery<R = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<R[]>;
  /** Waits until the replica has replayed everything the primary had written when this was called. */
  waitForReplay(timeoutMs?: number): Promise<void>;
  /** Stops applying WAL on the replica (pg_wal_replay_pause) until resumeReplay. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Fast shutdown of the replica alone (an outage of the read server); destroy still cleans up. */
  stopReplica(): Promise<void>;
  /** Stops both servers and removes their directories. */
  destroy(): Promise<void>;
}

/** null when a primary and a replica can be started here; otherwise why not. */
export function replicaClusterUnavailable(): string | null {
  const missing = privatePostgresUnavailable();
  if (missing) return missing;
  const bin = postgresBinDir() as string;
  if (!existsSync(join(bin, 'pg_basebackup'))) return `no pg_basebackup beside initdb in ${bin}`;
  return null;
}

export async function startReplicaCluster(): Promise<ReplicaCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(replicaClusterUnavailable() ?? 'no PostgreSQL binaries');
  const dir = await mkdtemp(join(tmpdir(), 'pulse-replica-pg-'));
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await Promise.all([idOf('-u'), idOf('-g')]) : null;
  if (owner) await chown(dir, owner[0], owner[1]);
  /** Runs a server binary, as the postgres user when this process is root. */
  const tool = async (name: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, name), ...args]]
      : [join(bin, name), args];
    await run(file, argv, { timeout: 60_000 });
  };
  const primaryData = join(dir, 'primary');
  const replicaData = join(dir, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const common = `-k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=off`;
  const running: string[] = [];
  const start = async (data: string, options: string) => {
    await tool('pg_ctl', ['-D', data, '-o', options, '-l', `${data}.log`, '-w', '-t', '60', 'start']);
    running.push(data);
  };
  const destroy = async () => {
    // The replica first: stopped before its primary, it does not wait for a WAL sender that is gone.
    for (const data of running.reverse()) {
      await tool('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    }
    running.length = 0;
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await tool('initdb', ['-D', primaryData, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    const hba = join(primaryData, 'pg_hba.conf');
    await writeFile(
      hba,
      [
        'local all all trust',
        'host replication all 127.0.0.1/32 trust',
        'host all all 127.0.0.1/32 trust',
        '',
      ].join('\n'),
    );
    if (owner) await chown(hba, owner[0], owner[1]);
    await start(primaryData, `-p ${primaryPort} ${common} -c wal_level=replica -c max_wal_senders=4`);
    await tool('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres'],
      ...['-D', replicaData, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
    ]);
    await start(replicaData, `-p ${replicaPort} ${common} -c hot_standby=on`);
  } catch (error) {
    await destroy();
    throw error;
  }

  const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
  const replicaUrl = `postgres://postgres@127.0.0.1:${replicaPort}/postgres`;
  const primaryQuery = <R>(sql: string, values: unknown[] = []) => queryOnce<R>(primaryUrl, sql, values);
  const replicaQuery = <R>(sql: string, values: unknown[] = []) => queryOnce<R>(replicaUrl, sql, values);
  try {
    await waitUntil(async () => {
      const [row] = await replicaQuery<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
      return row?.standby === true;
    }, 30_000);
  } catch (error) {
    await destroy();
    throw error;
  }

  return {
    primaryUrl,
    replicaUrl,
    primaryQuery,
    replicaQuery,
    async waitForReplay(timeoutMs = 15_000) {
      const [target] = await primaryQuery<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      await waitUntil(async () => {
        const [row] = await replicaQuery<{ caughtUp: boolean }>(
          'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS "caughtUp"',
          [target?.lsn],
        );
        return row?.caughtUp === true;
      }, timeoutMs);
    },
    async pauseReplay() {
      await replicaQuery('SELECT pg_wal_replay_pause()');
    },
    async resumeReplay() {
      await replicaQuery('SELECT pg_wal_replay_resume()');
    },
    async stopReplica() {
      await tool('pg_ctl', ['-D', replicaData, '-m', 'fast', '-w', 'stop']);
      running.splice(running.indexOf(replicaData), 1);
    },
    destroy,
  };
}

async function queryOnce<R>(url: string, sql: string, values: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as R[];
  } finally {
    await client.end();
  }
}

async function waitUntil(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      if (await done()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `replica cluster: condition not met within ${timeoutMs} ms${lastError ? ` (${(lastError as Error).message})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function idOf(flag: '-u' | '-g'): Promise<number> {
  const { stdout } = await run('id', [flag, 'postgres']);
  return Number(stdout.trim());
}

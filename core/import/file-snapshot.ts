// A consistent copy of a SQLite file another process may be writing (the old Pledgr app), taken without any
// lock on it: the follower never slows or blocks the app. Both journal modes of SQLite are handled:
// - rollback journal (the default, what the app uses): the copy is kept only when no journal was being written
//   and the header's file change counter (bumped by every committed write) is the same before and after;
// - WAL: the committed frames of `-wal` are applied to the copy of the main file, exactly as SQLite would
//   (salts and cumulative checksums checked; frames after the last commit ignored), and the copy is marked
//   rollback-journal so that the in-memory reader (sql.js) needs no WAL; kept when the WAL header (salts,
//   checkpoint sequence) did not change while reading, so a checkpoint that restarted the WAL is retried.
// Format: https://www.sqlite.org/fileformat2.html (sections 1.3 and 4).
import { open, readFile } from 'node:fs/promises';

export interface FileSnapshot {
  /** The database as of one committed transaction, ready for an in-memory reader. */
  readonly bytes: Uint8Array;
  readonly journal: 'rollback' | 'wal';
  /** WAL frames of committed transactions applied to the copy (0 in rollback mode). */
  readonly walFramesApplied: number;
}

/** The file kept changing under every attempt (a writer busier than the reads are quick). */
export class SnapshotBusyError extends Error {
  override readonly name = 'SnapshotBusyError';
}

const attempts = 8;
const retryDelayMs = 50;

export async function readConsistentSnapshot(path: string): Promise<FileSnapshot> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const before = await markers(path);
    if (!before.journalInProgress) {
      const main = await readFile(path);
      const wal = before.walHeader ? await readFile(`${path}-wal`).catch(() => null) : null;
      const after = await markers(path);
      if (!after.journalInProgress && sameMarkers(before, after) && headerCounter(main) === before.counter) {
        if (!isWalMode(main)) return { bytes: main, journal: 'rollback', walFramesApplied: 0 };
        return wal ? applyWal(main, wal) : { bytes: markRollback(main), journal: 'wal', walFramesApplied: 0 };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs * attempt));
  }
  throw new SnapshotBusyError(
    `${path} kept changing during ${attempts} reads; trying again at the next sync`,
  );
}

interface Markers {
  readonly counter: number | null;
  readonly journalInProgress: boolean;
  readonly walHeader: string | null;
}

async function markers(path: string): Promise<Markers> {
  const header = await readStart(path, 100);
  const journal = await readStart(`${path}-journal`, 28);
  const walHeader = await readStart(`${path}-wal`, 32);
  return {
    counter: header ? headerCounter(header) : null,
    // DELETE mode: the journal exists only during a write; PERSIST/TRUNCATE leave it empty or zeroed between.
    journalInProgress: journal !== null && journal.length > 0 && journal.some((byte) => byte !== 0),
    walHeader: walHeader && walHeader.length === 32 ? Buffer.from(walHeader).toString('hex') : null,
  };
}

function sameMarkers(a: Markers, b: Markers): boolean {
  return a.counter === b.counter && a.walHeader === b.walHeader;
}

async function readStart(path: string, length: number): Promise<Uint8Array | null> {
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return null;
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function headerCounter(header: Uint8Array): number | null {
  return header.length >= 28 ? Buffer.from(header.buffer, header.byteOffset, 28).readUInt32BE(24) : null;
}

function isWalMode(main: Uint8Array): boolean {
  return main.length === 0 || (main.length >= 20 && main[18] === 2 && main[19] === 2);
}

/** The main file with every frame of the WAL's committed transactions written over it. */
export function applyWal(main: Uint8Array, wal: Uint8Array): FileSnapshot {
  const view = Buffer.from(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.length >= 32 ? view.readUInt32BE(0) : 0;
  if (magic !== 0x377f0682 && magic !== 0x377f0683) {
    return { bytes: main, journal: 'wal', walFramesApplied: 0 };
  }
  const bigEndian = magic === 0x377f0683;
  const pageSize = view.readUInt32BE(8);
  const salts = [view.readUInt32BE(16), view.readUInt32BE(20)];
  let sums = checksum(view, 0, 24, bigEndian, [0, 0]);
  if (sums[0] !== view.readUInt32BE(24) || sums[1] !== view.readUInt32BE(28)) {
    return { bytes: main, journal: 'wal', walFramesApplied: 0 };
  }
  const frames: { page: number; offset: number }[] = [];
  let committed = 0;
  let pagesAtCommit = 0;
  for (let offset = 32; offset + 24 + pageSize <= view.length; offset += 24 + pageSize) {
    if (view.readUInt32BE(offset + 8) !== salts[0] || view.readUInt32BE(offset + 12) !== salts[1]) break;
    sums = checksum(view, offset, 8, bigEndian, sums);
    sums = checksum(view, offset + 24, pageSize, bigEndian, sums);
    if (sums[0] !== view.readUInt32BE(offset + 16) || sums[1] !== view.readUInt32BE(offset + 20)) break;
    frames.push({ page: view.readUInt32BE(offset), offset: offset + 24 });
    const pagesAfterCommit = view.readUInt32BE(offset + 4);
    if (pagesAfterCommit > 0) {
      committed = frames.length;
      pagesAtCommit = pagesAfterCommit;
    }
  }
  if (committed === 0) return { bytes: markRollback(main), journal: 'wal', walFramesApplied: 0 };
  const bytes = new Uint8Array(pagesAtCommit * pageSize);
  bytes.set(main.subarray(0, Math.min(main.length, bytes.length)));
  for (const frame of frames.slice(0, committed)) {
    if (frame.page <= pagesAtCommit) {
      bytes.set(view.subarray(frame.offset, frame.offset + pageSize), (frame.page - 1) * pageSize);
    }
  }
  return { bytes: markRollback(bytes), journal: 'wal', walFramesApplied: committed };
}

/** Header bytes 18–19 (write/read version) 2 → 1: a reader opens the copy without looking for a WAL. */
function markRollback(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 20 && bytes[18] === 2) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  return bytes;
}

/** SQLite's WAL checksum: pairs of 32-bit words in the WAL's byte order, summed Fibonacci-style. */
function checksum(view: Buffer, start: number, length: number, bigEndian: boolean, seed: number[]): number[] {
  let s0 = seed[0] ?? 0;
  let s1 = seed[1] ?? 0;
  for (let i = start; i < start + length; i += 8) {
    const x0 = bigEndian ? view.readUInt32BE(i) : view.readUInt32LE(i);
    const x1 = bigEndian ? view.readUInt32BE(i + 4) : view.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

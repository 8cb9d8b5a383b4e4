// `pulse seed` in one call: generate the demo history for the options, then write it in one transaction.
import { createHash } from 'node:crypto';
import type { Db } from '../db/types.ts';
import { hashPassword } from '../password.ts';
import { generateDemoData, type SeedOptions } from './generate.ts';
import { type WriteSummary, writeDemoData } from './write-demo-data.ts';

/** Every demo user can sign in with this password (demo data only; documented in the README). */
export const demoPassword = 'pledgr-demo';

export interface SeedRequest extends SeedOptions {
  readonly append: boolean;
  readonly onProgress?: (written: number, total: number) => void;
}

export interface SeedSummary extends WriteSummary {
  readonly seconds: number;
}

export async function seedDemoData(db: Db, request: SeedRequest): Promise<SeedSummary> {
  const started = performance.now();
  const data = generateDemoData(request);
  // One hash for all demo users, salted from the seed so that the same seed writes the same rows.
  const salt = createHash('sha256').update(`pledgr-demo-salt:${request.seed}`).digest().subarray(0, 16);
  const passwordHash = await hashPassword(demoPassword, salt);
  const summary = await writeDemoData(db, data, {
    append: request.append,
    passwordHash,
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
  return { ...summary, seconds: (performance.now() - started) / 1000 };
}

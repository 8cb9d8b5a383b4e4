// Access tokens for the two roles. Set ones come from the environment; missing ones are generated once,
// stored under PULSE_DATA_DIR (file mode 0600) and reported as newly generated so the caller prints them once.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';

export type Role = 'operator' | 'founder';

export interface RoleTokens {
  readonly founder: string;
  readonly operator: string;
}

export interface ResolvedTokens {
  readonly tokens: RoleTokens;
  /** Roles whose token was generated on this start (print it once). */
  readonly generated: readonly Role[];
  readonly file: string;
}

const storedSchema = z.object({ founder: z.string().min(16), operator: z.string().min(16) });

export async function resolveTokens(
  dataDir: string,
  given: { founderToken?: string | undefined; operatorToken?: string | undefined },
): Promise<ResolvedTokens> {
  const file = join(dataDir, 'collector-tokens.json');
  const stored = await readStored(file);
  const generated: Role[] = [];
  const pick = (role: Role, set: string | undefined) => {
    if (set) return set;
    const existing = stored?.[role];
    if (existing) return existing;
    generated.push(role);
    return randomBytes(24).toString('base64url');
  };
  const tokens = {
    founder: pick('founder', given.founderToken),
    operator: pick('operator', given.operatorToken),
  };
  if (generated.length > 0) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  }
  return { tokens, generated, file };
}

async function readStored(file: string): Promise<RoleTokens | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  const parsed = storedSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is not a valid token file: delete it to generate new tokens`);
  return parsed.data;
}

// The `window` query parameter of GET /api/health: a duration such as `15m`, `1h` or `6h` (s, m or h), at
// least one second and at most the retention, turned into seconds — or a 400 naming the parameter.
import { z } from 'zod';

const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600 };

export const defaultWindowSeconds = 15 * 60;

/** `15m` → 900; null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,7})([smh])$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * (unitSeconds[match[2] as string] as number);
}

export function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export function healthQuerySchema(maxWindowSeconds: number) {
  return z
    .object({
      window: z
        .string()
        .optional()
        .transform((text, context) => {
          if (text === undefined) return Math.min(defaultWindowSeconds, maxWindowSeconds);
          const seconds = parseDuration(text);
          if (seconds === null || seconds < 1 || seconds > maxWindowSeconds) {
            context.addIssue({
              code: 'custom',
              message: `must be a duration from 1s to ${formatDuration(maxWindowSeconds)} (the retention), such as 15m, 1h or 6h`,
            });
            return z.NEVER;
          }
          return seconds;
        }),
    })
    .strict();
}

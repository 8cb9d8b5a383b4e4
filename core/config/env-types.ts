// zod building blocks for environment variables: each carries the message that tells a person the fix.
import { z } from 'zod';

/** A whole number in [min, max], written in the environment as decimal text. */
export function wholeNumber(min: number, max: number, example: number) {
  return z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}, e.g. ${example}; unset it for the default`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be from ${min} to ${max}, e.g. ${example}`);
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

const httpUrlPattern = /^https?:\/\/[^\s,]+$/;

/** An http:// or https:// URL. */
export function httpUrl(example: string) {
  return z.string().regex(httpUrlPattern, `must be an http:// or https:// URL such as ${example}`);
}

/** Comma-separated http(s) URLs; empty means none. */
export function httpUrlList(example: string) {
  return z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .refine(
      (urls) => urls.every((url) => httpUrlPattern.test(url)),
      `must be comma-separated http:// or https:// URLs such as ${example}`,
    );
}

const durationUnits: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as 30s, 15m, 6h or 7d, as milliseconds within [minMs, maxMs]. */
export function duration(minMs: number, maxMs: number, example: string) {
  return z
    .string()
    .regex(/^\d+[smhd]$/, `must be a duration such as ${example} (s, m, h or d)`)
    .transform((text) => Number(text.slice(0, -1)) * (durationUnits[text.slice(-1)] as number))
    .refine((ms) => ms >= minMs && ms <= maxMs, `must be from ${minMs / 1000} s to ${maxMs / 3_600_000} h`);
}

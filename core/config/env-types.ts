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

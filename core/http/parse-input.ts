// Parses request input (body, query, params) with a zod schema into typed values, or throws a ParameterError
// naming the first offending field — so every route answers bad input with a 400 that says what is wrong.
import type { z } from 'zod';
import { ParameterError } from '../errors.ts';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const field = issue.keys[0] ?? 'field';
    throw new ParameterError(field, `${field} is not a field of this request`);
  }
  const field = issue?.path.length ? issue.path.join('.') : 'body';
  throw new ParameterError(field, `${field} ${issue?.message ?? 'is invalid'}`);
}

// Parses request input with a zod schema into typed values, or throws a ParameterError naming the first
// offending field — so every route of both services answers bad input with a 400 that says what is wrong.
// A handler reads: `const q = parseQuery(schema, req.query)` (or `parseInput(schema, req.body)`) → query →
// respond; roles are checked where the router is mounted.
// A rule across fields whose answer needs its own sentence or code (`to` must be after `from`, too many
// periods) throws a ParameterError from the schema's transform; it passes through unchanged.
import { z } from 'zod';
import { ParameterError } from '../errors.ts';

/** A JSON body (or path parameters): an unknown field or an invalid value is a 400 naming the field. */
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

/**
 * A query string (Express's `simple` parser: every value text, a name given twice an array). Before the
 * schema sees it, a name the route does not take is a 400 naming it and the route's parameters, and a name
 * given twice is a 400 naming it; then the values are parsed as by parseInput. The schema is an object
 * schema, possibly piped into transforms; its keys are the route's parameters.
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const names = parameterNames(schema);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (!names.includes(name)) {
      const known = names.length > 0 ? ` (${names.join(', ')})` : '';
      throw new ParameterError(name, `${name} is not a parameter of this route${known}`);
    }
    if (typeof value !== 'string') throw new ParameterError(name, `${name} must be given once, as text`);
  }
  return parseInput(schema, query);
}

/** A query parameter holding a whole number from min to max, written in digits; the same message for any miss. */
export function wholeNumberParameter(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message);
}

function parameterNames(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodPipe) return parameterNames(schema.in as z.ZodType);
  throw new TypeError('parseQuery takes an object schema (possibly piped into transforms)');
}

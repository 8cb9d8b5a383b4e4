// Typed errors shared by every part: callers map them to exit codes and HTTP statuses by type, never by text.

/** A value given by a person (flag, environment variable, request field) is wrong; the message says how to fix it. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A request parameter (API query field or CLI flag) is invalid: HTTP 400 / exit 2, naming the parameter. */
export class ParameterError extends UsageError {
  constructor(
    readonly parameter: string,
    message: string,
    readonly code: 'invalid_parameter' | 'too_many_periods' = 'invalid_parameter',
  ) {
    super(message);
  }
}

/** The environment holds an invalid setting; raised once at start-up by a service's config module. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** An operation was refused because it would damage data that is already there (seed into a full database, …). */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
}

/** A query definition is malformed (bad named parameter, positional `$1`, …): a programming error caught early. */
export class QueryDefinitionError extends Error {
  override readonly name = 'QueryDefinitionError';
}

/** The parameters passed to a query do not match its named parameters. */
export class QueryParamsError extends Error {
  override readonly name = 'QueryParamsError';
}

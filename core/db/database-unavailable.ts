// Tells a lost or refused database connection apart from a failing statement: the data layer rethrows the
// former as DatabaseUnavailableError, which the HTTP error handler answers 503 `database_unavailable` (the
// client may retry) instead of 500 (a bug). The pg driver names its own connection failures only in text,
// so those few messages are matched here, next to the driver, and nowhere else.

/** The database could not be reached (refused, shut down, connection lost, pool checkout timed out). */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  /** The message keeps the driver's (host and port included) for logs and the CLI; HTTP answers omit it. */
  constructor(cause: unknown) {
    super(`the database is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** Socket errors from Node, and SQLSTATEs of class 08 (connection exception) and 57P01–57P03 (shutdown). */
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const shutdownStates = new Set(['57P01', '57P02', '57P03']);
/** pg and pg-pool raise these without a code. */
const driverMessages = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
];

export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (connectionCodes.has(code) || shutdownStates.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  return driverMessages.some((pattern) => pattern.test(error.message));
}

/** The error to rethrow: a DatabaseUnavailableError for a connection failure, otherwise the error itself. */
export function classifyDatabaseError(error: unknown): unknown {
  return isConnectionFailure(error) ? new DatabaseUnavailableError(error) : error;
}

// Typed HTTP errors and the one error middleware shared by the agent and the collector: every failure becomes {"error": {"code", "message"}} with
// a status chosen by the error's type, never by its text. Unexpected errors are 500 with no detail leaked.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DatabaseUnavailableError } from '../db/database-unavailable.ts';
import { ParameterError } from '../errors.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

/** Express's body parser and other http-errors carry `status` and `type`. */
interface ClientError extends Error {
  status?: number;
  statusCode?: number;
  type?: string;
}

export function errorHandler(log: (message: string) => void): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const { status, code, message } = describe(error);
    const where = `${req.method} ${req.route?.path ?? 'unmatched'}`;
    // An outage fails every request the same way: one line each, not a stack trace each.
    if (error instanceof DatabaseUnavailableError) log(`${where} answered 503: ${error.message}`);
    else if (status >= 500) log(`${where} failed: ${(error as Error).stack}`);
    res.status(status).json({ error: { code, message } });
  };
}

function describe(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof ParameterError) return { status: 400, code: error.code, message: error.message };
  if (error instanceof DatabaseUnavailableError)
    return {
      status: 503,
      code: 'database_unavailable',
      message: 'the database is unavailable; retry shortly',
    };
  const clientError = error as ClientError;
  const status = clientError.status ?? clientError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      status,
      code: (clientError.type ?? 'bad_request').replaceAll('.', '_'),
      message: clientError.message,
    };
  }
  return { status: 500, code: 'internal_error', message: 'the collector failed to answer; see its log' };
}

// Typed HTTP errors and the one error middleware shared by the agent and the collector: every failure becomes {"error": {"code", "message"}} with
// a status chosen by the error's type, never by its text. Unexpected errors are 500 with no detail leaked,
// naming the service that failed (each app passes its own name), so a client behind both knows whose log to read.
// Errors thrown by libraries (the body parser, static files) carry their own messages, which quote the
// input or the server's file paths: they are answered with a fixed code and message instead.
import { STATUS_CODES } from 'node:http';
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

/** The path is never echoed back (it is the client's input, of any length); the method is one Node parsed. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} at this path`));
};

/** Express's body parser and other http-errors carry `status` and `type`. */
interface ClientError extends Error {
  status?: number;
  statusCode?: number;
  type?: string;
}

interface Answer {
  readonly code: string;
  readonly message: string;
}

/** The body parser's error types (kept as codes: clients and tests rely on them), each with a fixed message. */
const bodyParserAnswers = new Map<string, Answer>(
  Object.entries({
    'entity.too.large': { code: 'entity_too_large', message: 'request entity too large' },
    'entity.parse.failed': { code: 'entity_parse_failed', message: 'the body is not valid JSON' },
    'entity.verify.failed': { code: 'entity_verify_failed', message: 'the body could not be verified' },
    'encoding.unsupported': {
      code: 'encoding_unsupported',
      message: 'the Content-Encoding is not supported (send identity, gzip, deflate or br)',
    },
    'charset.unsupported': {
      code: 'charset_unsupported',
      message: 'the charset is not supported (send UTF-8)',
    },
    'request.aborted': {
      code: 'request_aborted',
      message: 'the request was aborted before its body arrived',
    },
    'request.size.invalid': {
      code: 'request_size_invalid',
      message: 'the body is not as long as its Content-Length says',
    },
    'parameters.too.many': { code: 'parameters_too_many', message: 'the body has too many parameters' },
  }),
);

/** Other library errors by status: static files (403 traversal, 404 missing, 412/416 conditional or ranged). */
const statusAnswers: Record<number, Answer> = {
  400: { code: 'bad_request', message: 'the request could not be understood' },
  403: { code: 'forbidden', message: 'this path is not served' },
  404: { code: 'not_found', message: 'no such file or route' },
  405: { code: 'method_not_allowed', message: 'this method is not allowed here' },
  408: { code: 'request_timeout', message: 'the request was not received in time' },
  411: { code: 'length_required', message: 'send a Content-Length' },
  412: { code: 'precondition_failed', message: 'a precondition of the request does not hold' },
  413: { code: 'payload_too_large', message: 'the request body is too large' },
  414: { code: 'uri_too_long', message: 'the URL is too long' },
  415: { code: 'unsupported_media_type', message: 'this content type is not accepted' },
  416: { code: 'range_not_satisfiable', message: 'the requested range is not satisfiable' },
};

/** Any other 4xx: its standard reason phrase, never the error's own text. */
function answerForStatus(status: number): Answer {
  const reason = STATUS_CODES[status] ?? 'Client Error';
  return (
    statusAnswers[status] ?? {
      code: reason.toLowerCase().replace(/[^a-z0-9]+/g, '_'),
      message: reason.toLowerCase(),
    }
  );
}

const fileHeaders = ['content-type', 'cache-control', 'etag', 'last-modified', 'accept-ranges'];

/** The service a 500 names: the pledge API (agent/) or the collector. */
export type ServiceName = 'pledge API' | 'collector';

/** `service` names the app in its 500s; a test app without one says "the server". */
export function errorHandler(log: (message: string) => void, service?: ServiceName): ErrorRequestHandler {
  const unexpected = {
    status: 500,
    code: 'internal_error',
    message: `the ${service ?? 'server'} failed to answer; see its log`,
  };
  return (error: unknown, req, res, _next) => {
    const { status, code, message } = describe(error) ?? unexpected;
    const where = `${req.method} ${req.route?.path ?? 'unmatched'}`;
    // An outage, a full KPI queue or an injected fault fails requests the same way each time: one line each,
    // not a stack trace each. Only the unexpected gets its stack.
    if (error instanceof DatabaseUnavailableError || (error instanceof HttpError && status >= 500)) {
      log(`${where} answered ${status}: ${error.message}`);
    } else if (status >= 500) log(`${where} failed: ${(error as Error).stack}`);
    // A library may have prepared headers for what it meant to send (a static file's type, caching, ETag).
    for (const name of fileHeaders) res.removeHeader(name);
    res.status(status).json({ error: { code, message } });
  };
}

/** The answer for an expected error (typed, or a library's 4xx); undefined for anything else. */
function describe(error: unknown): { status: number; code: string; message: string } | undefined {
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
    const known = bodyParserAnswers.get(String(clientError.type));
    return { status, ...(known ?? answerForStatus(status)) };
  }
  return undefined;
}

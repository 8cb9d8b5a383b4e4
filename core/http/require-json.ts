// The one content-type gate of both services: a request that carries a body (POST, PUT, PATCH with a
// Content-Length above 0 or a chunked body) must say it is JSON, or it is refused with 415 before any parser
// reads it. A write without a body (a logout, an empty POST) passes, and its schema says what is missing.
import type { RequestHandler } from 'express';
import { HttpError } from './http-errors.ts';

const methodsWithBody = new Set(['POST', 'PUT', 'PATCH']);

function carriesBody(contentLength: string | undefined, transferEncoding: string | undefined): boolean {
  return transferEncoding !== undefined || Number(contentLength ?? 0) > 0;
}

export const requireJson: RequestHandler = (req, _res, next) => {
  if (
    methodsWithBody.has(req.method) &&
    carriesBody(req.get('content-length'), req.get('transfer-encoding')) &&
    !req.is('application/json')
  ) {
    return next(
      new HttpError(415, 'unsupported_media_type', 'send the body as JSON (Content-Type: application/json)'),
    );
  }
  next();
};

// Limits on the HTTP server itself, shared by the agent's and the collector's config modules: how long a
// client may take to send its headers and its whole request, and how many connections may be open at once.
// Without them a slow or idle client holds a socket for Node's default 300 s and nothing caps the sockets.
import { z } from 'zod';
import { duration, wholeNumber } from '../config/env-types.ts';

export interface HttpServerLimits {
  /** A request whose headers have not all arrived by then is answered 408 and closed. */
  readonly headersTimeoutMs: number;
  /** The same for the whole request, body included (a finished request, such as an event stream, is exempt). */
  readonly requestTimeoutMs: number;
  /** Connections past this many are closed as soon as they are accepted. */
  readonly maxConnections: number;
}

export const httpServerDefaults: HttpServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 1_000,
};

export const httpServerEnvSchema = z.object({
  HTTP_HEADERS_TIMEOUT: duration(1_000, 600_000, '10s').default(httpServerDefaults.headersTimeoutMs),
  HTTP_REQUEST_TIMEOUT: duration(1_000, 3_600_000, '30s').default(httpServerDefaults.requestTimeoutMs),
  HTTP_MAX_CONNECTIONS: wholeNumber(1, 1_000_000, 1_000).default(httpServerDefaults.maxConnections),
});

type HttpServerEnv = z.output<typeof httpServerEnvSchema>;

/** Node refuses to start a server whose headers timeout exceeds its request timeout: say so at boot instead. */
export function requireHeadersWithinRequest(
  env: Pick<HttpServerEnv, 'HTTP_HEADERS_TIMEOUT' | 'HTTP_REQUEST_TIMEOUT'>,
  ctx: z.RefinementCtx,
) {
  if (env.HTTP_HEADERS_TIMEOUT > env.HTTP_REQUEST_TIMEOUT) {
    ctx.addIssue({
      code: 'custom',
      path: ['HTTP_HEADERS_TIMEOUT'],
      message: 'must not be longer than HTTP_REQUEST_TIMEOUT (the headers are part of the request)',
    });
  }
}

export function toHttpServerLimits(env: HttpServerEnv): HttpServerLimits {
  return {
    headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT,
    requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT,
    maxConnections: env.HTTP_MAX_CONNECTIONS,
  };
}

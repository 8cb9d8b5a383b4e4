// Requests Node's HTTP parser refuses before Express sees them (a head over 16 kB, a malformed request line,
// a request not received within the headers or request timeout) get the same JSON error shape as every other
// 4xx, instead of Node's empty 400/431/408; and the one `listen` both services start with, which sets those
// timeouts and the connection cap.
import { createServer, type RequestListener, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type HttpServerLimits, httpServerDefaults } from './server-limits.ts';

/** How long a refused client may take to read its answer before its socket is destroyed. */
const lingerMs = 1_000;

const answers: Record<string, { status: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    message: 'the request line and headers must stay under 16 kB',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    message: 'the request was not received in time; send it whole, without pauses',
  },
};
const unparsable = { status: 400, code: 'bad_request', message: 'the request could not be parsed as HTTP' };

/** The response Node had started for this socket, if any (not part of Node's typed API). */
const responseOf = (socket: Duplex) =>
  (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;

export function answerClientErrorsAsJson(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Nothing can be said on a broken socket, or after an answer has begun (a slow body after a 401).
    if (error.code === 'ECONNRESET' || !socket.writable || responseOf(socket)?.headersSent) {
      socket.destroy();
      return;
    }
    const { status, code, message } = answers[error.code ?? ''] ?? unparsable;
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    // end() leaves the reading side open (HTTP servers allow half-open sockets): a client that keeps
    // trickling bytes would keep it forever.
    setTimeout(() => socket.destroy(), lingerMs).unref();
  });
}

/**
 * Starts `app` on host:port with the headers and request timeouts and the connection cap, and JSON answers
 * for unparsable or timed-out requests; resolves once it listens.
 */
export function listen(
  app: RequestListener,
  port: number,
  host: string,
  limits: HttpServerLimits = httpServerDefaults,
): Promise<Server> {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node looks for expired requests this often (30 s by default, which would let one outlive its limit).
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    app,
  );
  server.maxConnections = limits.maxConnections;
  answerClientErrorsAsJson(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

// Requests Node's HTTP parser refuses before Express sees them (a head over 16 kB, a malformed request line)
// get the same JSON error shape as every other 4xx, instead of Node's empty 400/431.
import { type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export function answerClientErrorsAsJson(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      error: tooLarge
        ? { code: 'headers_too_large', message: 'the request line and headers must stay under 16 kB' }
        : { code: 'bad_request', message: 'the request could not be parsed as HTTP' },
    });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
}

/** Starts `app` on host:port with JSON answers for unparsable requests; resolves once it listens. */
export function listen(
  app: { listen(port: number, host: string, callback: (error?: Error) => void): Server },
  port: number,
  host: string,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => {
      if (error) return reject(error);
      answerClientErrorsAsJson(server);
      resolve(server);
    });
  });
}

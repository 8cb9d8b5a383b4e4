// Marks an HTTP server whose requests are not the instrumented application's — the drop-in agent's own
// metrics endpoint, and Pulse's collector when `pulse start` runs it in the agent's process — so that the
// drop-in's http.server.request.duration leaves them out.
import type { Server } from 'node:http';

export const untrackedServer: unique symbol = Symbol.for('pledgr.http.untracked');

export function markUntracked(server: Server): void {
  (server as Server & { [untrackedServer]?: boolean })[untrackedServer] = true;
}

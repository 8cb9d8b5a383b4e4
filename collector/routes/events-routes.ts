// GET /api/events: server-sent events for the dashboard — `health` (the newest total health point, on every
// scrape round) and `alert` (each alert transition). A comment line every 15 s keeps proxies from closing an
// idle stream. Browsers' EventSource cannot send Authorization, so the dashboard reads the stream with
// fetch(); the route takes the same bearer tokens as the rest of the API. Each token may hold a few streams
// at once (429 past that), and HEAD answers the headers alone, holding nothing open.
import { type Request, Router } from 'express';
import { HttpError } from '../../core/http/http-errors.ts';
import type { EventHub, LiveEvent } from '../events/event-hub.ts';

const heartbeatMs = 15_000;
/** The dashboard reconnects after 3 s; a refused stream may retry a little later. */
const retryAfterSeconds = 5;

const streamHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** Whether the caller of `req` may see `event` (alerts with founder figures go to founders only). */
export type EventVisibility = (req: Request, event: LiveEvent) => boolean;

export interface EventStreamOptions {
  readonly visible?: EventVisibility;
  /** Streams open at once per token (each role has one token; requireRole puts it in res.locals.role). */
  readonly streamsPerToken: number;
}

export function eventsRoutes(hub: EventHub, options: EventStreamOptions): Router {
  const { visible = () => true, streamsPerToken } = options;
  const open = new Map<string, number>();
  const router = Router();
  // router.get also answers HEAD: it gets the headers and ends, without a subscription.
  router.get('/api/events', (req, res, next) => {
    if (req.method === 'HEAD') {
      res.writeHead(200, streamHeaders).end();
      return;
    }
    const holder = String(res.locals.role);
    const held = open.get(holder) ?? 0;
    if (held >= streamsPerToken) {
      res.set('Retry-After', String(retryAfterSeconds));
      return next(
        new HttpError(
          429,
          'too_many_streams',
          `this token already holds ${streamsPerToken} event streams; close one (another tab?) and retry`,
        ),
      );
    }
    open.set(holder, held + 1);
    res.writeHead(200, streamHeaders);
    res.write('retry: 5000\n: connected\n\n');
    const unsubscribe = hub.subscribe(
      (event) => {
        if (!visible(req, event)) return;
        res.write(`event: ${event.name}\ndata: ${JSON.stringify(event.data)}\n\n`);
      },
      () => res.end(),
    );
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      const left = (open.get(holder) ?? 1) - 1;
      if (left > 0) open.set(holder, left);
      else open.delete(holder);
    });
  });
  return router;
}

// GET /api/events: server-sent events for the dashboard — `health` (the newest total health point, on every
// scrape round) and `alert` (each alert transition). A comment line every 15 s keeps proxies from closing an
// idle stream. Browsers' EventSource cannot send Authorization, so the dashboard reads the stream with
// fetch(); the route takes the same bearer tokens as the rest of the API.
import { type Request, Router } from 'express';
import type { EventHub, LiveEvent } from '../events/event-hub.ts';

const heartbeatMs = 15_000;

/** Whether the caller of `req` may see `event` (alerts with founder figures go to founders only). */
export type EventVisibility = (req: Request, event: LiveEvent) => boolean;

export function eventsRoutes(hub: EventHub, visible: EventVisibility = () => true): Router {
  const router = Router();
  router.get('/api/events', (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 5000\n: connected\n\n');
    const unsubscribe = hub.subscribe(
      (event) => {
        if (!visible(req, event)) return;
        res.write(`event: ${event.name}\ndata: ${JSON.stringify(event.data)}\n\n`);
      },
      () => res.end(),
    );
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
  return router;
}

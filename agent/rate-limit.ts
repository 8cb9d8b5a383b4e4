// The scaling guide's rate limits per client address (express-rate-limit), shared across replicas through
// Redis when REDIS_URL is set. A rejection is a 429 in the API's error shape with Retry-After, and counts
// in pledgr.rate_limit.rejections by limiter. While a limiter is on, its settings are exported too
// (pledgr_rate_limit_limit and pledgr_rate_limit_window_seconds by limiter), so the collector's scaling
// checklist can compare them with the guide's (API 100 requests/15min, Auth 5 requests/15min).
import type { RequestHandler } from 'express';
import { type RateLimitInfo, rateLimit } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import { type RedisReply, RedisStore } from 'rate-limit-redis';
import { HttpError } from '../core/http/http-errors.ts';
import { attribute, instrument } from '../core/telemetry/agent-metric-names.ts';
import type { RateLimit } from './config.ts';
import { agentMeter } from './metrics/meter.ts';

export type LimiterName = 'api' | 'auth';

export function createRateLimiter(
  name: LimiterName,
  settings: RateLimit | null,
  redis?: Redis,
): RequestHandler | null {
  if (!settings) return null;
  const rejections = agentMeter().createCounter(instrument.rateLimitRejections, {
    description: 'Requests refused with 429 by a rate limiter',
    unit: '{request}',
  });
  // The series exists from the start (at 0) while the limiter is on, so "rate limiting on" can be seen
  // before the first refusal, and rate() has a starting point.
  rejections.add(0, { [attribute.limiter]: name });
  const meter = agentMeter();
  meter
    .createGauge(instrument.rateLimitLimit, {
      description: 'Requests one client address may make per window, by limiter (while it is on)',
      unit: '{request}',
    })
    .record(settings.limit, { [attribute.limiter]: name });
  meter
    .createGauge(instrument.rateLimitWindow, {
      description: 'The window the limit applies to, by limiter (while it is on)',
      unit: 's',
    })
    .record(settings.windowMs / 1000, { [attribute.limiter]: name });
  return rateLimit({
    windowMs: settings.windowMs,
    limit: settings.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(redis
      ? {
          store: new RedisStore({
            prefix: `pledgr:rate-limit:${name}:`,
            sendCommand: (command: string, ...args: string[]) =>
              redis.call(command, ...args) as Promise<RedisReply>,
          }),
        }
      : {}),
    handler: (req, res, next) => {
      rejections.add(1, { [attribute.limiter]: name });
      const resetTime = (req as typeof req & { rateLimit?: RateLimitInfo }).rateLimit?.resetTime;
      const seconds = resetTime
        ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000))
        : Math.ceil(settings.windowMs / 1000);
      res.set('Retry-After', String(seconds));
      next(new HttpError(429, 'rate_limited', `too many requests; retry after ${seconds} s`));
    },
  });
}

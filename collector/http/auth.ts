// Bearer-token access with two roles: `founder` sees everything, `operator` health, alerts and scaling but
// no revenue. No or unknown token: 401; a role below the route's: 403. Tokens are compared in constant time.
// Wrong tokens are counted per client address: past the limit they get 429 instead of 401.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { type RateLimitInfo, rateLimit } from 'express-rate-limit';
import { HttpError } from '../../core/http/http-errors.ts';
import type { RateLimit } from '../config.ts';
import type { Role, RoleTokens } from '../tokens.ts';

const rank: Record<Role, number> = { operator: 1, founder: 2 };

/** Hashing first gives equal-length buffers, so timingSafeEqual can compare tokens of any length. */
const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether an Authorization header carries `token` as its bearer token, compared in constant time. */
export function bearerIs(header: string | undefined, token: string): boolean {
  const match = /^Bearer (\S+)$/.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1] as string), digest(token));
}

export function roleOf(header: string | undefined, tokens: RoleTokens): Role | null {
  let role: Role | null = null;
  // Both tokens are always compared, so the time taken does not say which one matched.
  for (const candidate of ['founder', 'operator'] as const) {
    if (bearerIs(header, tokens[candidate])) role ??= candidate;
  }
  return role;
}

export function requireRole(tokens: RoleTokens, needed: Role): RequestHandler {
  return (req, res, next) => {
    const role = roleOf(req.get('authorization'), tokens);
    if (!role) {
      res.set('WWW-Authenticate', 'Bearer realm="pledgr-pulse"');
      return next(
        new HttpError(401, 'unauthorized', 'send Authorization: Bearer <token> (founder or operator token)'),
      );
    }
    if (rank[role] < rank[needed]) {
      return next(
        new HttpError(
          403,
          'forbidden',
          `this needs the ${needed} role; the ${role} token does not show revenue`,
        ),
      );
    }
    res.locals.role = role;
    next();
  };
}

/**
 * Counts requests that present a credential matching none of `accepted` (no Authorization header is not a
 * failure: it guesses nothing) per client address; past `settings.limit` in a window they get 429 with
 * Retry-After instead of 401, and one log line names the address (never the token). A right token is never
 * counted nor refused, so a client sharing an address with a guesser keeps working; tokens are 16+
 * characters (generated: 24 random bytes), so refusing the guesser's later tries is about noise, not odds.
 */
export function limitWrongTokens(
  accepted: readonly string[],
  settings: RateLimit | null,
  log: (message: string) => void,
): RequestHandler | null {
  if (!settings) return null;
  const windowSeconds = Math.ceil(settings.windowMs / 1000);
  return rateLimit({
    windowMs: settings.windowMs,
    limit: settings.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // The collector trusts no proxy: the address is the peer's, whatever X-Forwarded-For a client sends.
    validate: { xForwardedForHeader: false },
    skip: (req) => {
      const header = req.get('authorization');
      // Every token is compared (no early exit), as in roleOf.
      return !header || accepted.filter((token) => bearerIs(header, token)).length > 0;
    },
    handler: (req, res, next) => {
      const info = (req as typeof req & { rateLimit?: RateLimitInfo }).rateLimit;
      const seconds = info?.resetTime
        ? Math.max(1, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000))
        : windowSeconds;
      // The first refusal of a window is the one logged: one line per address and window.
      if (info?.used === settings.limit + 1) {
        log(
          `${settings.limit} wrong tokens from ${req.ip} within ${windowSeconds} s: its wrong tokens get 429 for ${seconds} s`,
        );
      }
      res.set('Retry-After', String(seconds));
      next(new HttpError(429, 'rate_limited', `too many wrong tokens; retry after ${seconds} s`));
    },
  });
}

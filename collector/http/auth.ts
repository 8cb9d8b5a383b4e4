// Bearer-token access with two roles: `founder` sees everything, `operator` health, alerts and scaling but
// no revenue. No or unknown token: 401; a role below the route's: 403. Tokens are compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from '../../core/http/http-errors.ts';
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

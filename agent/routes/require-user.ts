// Resolves `Authorization: Bearer <token>` to the signed-in user, or answers 401. The token is never logged.
import type { RequestHandler, Response } from 'express';
import type { Db } from '../../core/db/types.ts';
import { HttpError } from '../../core/http/http-errors.ts';
import { userOfToken } from '../stores/session-store.ts';

export function bearerToken(header: string | undefined): string | null {
  return /^Bearer ([A-Za-z0-9_-]{16,200})$/.exec(header ?? '')?.[1] ?? null;
}

export function requireUser(db: Db): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.get('authorization'));
    const userId = token ? await userOfToken(db, token) : null;
    if (userId === null) {
      res.set('WWW-Authenticate', 'Bearer realm="pledgr"');
      throw new HttpError(
        401,
        'unauthorized',
        'sign in: send Authorization: Bearer <token> from /api/auth/login',
      );
    }
    res.locals.userId = userId;
    next();
  };
}

export function signedInUser(res: Response): number {
  return res.locals.userId as number;
}

// Path ids: positive whole numbers within bigint range, or a 404 (an id that cannot exist is not found).
import { HttpError } from '../../core/http/http-errors.ts';

export function pathId(raw: string | undefined, what: string): number {
  const id = /^[1-9]\d{0,15}$/.test(raw ?? '') ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id))
    throw new HttpError(404, 'not_found', `no ${what} with id ${String(raw).slice(0, 40)}`);
  return id;
}

// zod building blocks for environment variables: each carries the message that tells a person the fix.
import { isIP } from 'node:net';
import { z } from 'zod';

/** A whole number in [min, max], written in the environment as decimal text. */
export function wholeNumber(min: number, max: number, example: number) {
  return z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}, e.g. ${example}; unset it for the default`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be from ${min} to ${max}, e.g. ${example}`);
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

const httpUrlPattern = /^https?:\/\/[^\s,]+$/;

/** An http:// or https:// URL. */
export function httpUrl(example: string) {
  return z.string().regex(httpUrlPattern, `must be an http:// or https:// URL such as ${example}`);
}

/** Comma-separated items, trimmed, empty ones dropped. */
function commaList() {
  return z.string().transform((text) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );
}

/** Comma-separated http(s) URLs; empty means none. */
export function httpUrlList(example: string) {
  return commaList().refine(
    (urls) => urls.every((url) => httpUrlPattern.test(url)),
    `must be comma-separated http:// or https:// URLs such as ${example}`,
  );
}

const durationUnits: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as 30s, 15m, 6h or 7d, as milliseconds within [minMs, maxMs]. */
export function duration(minMs: number, maxMs: number, example: string) {
  return z
    .string()
    .regex(/^\d+[smhd]$/, `must be a duration such as ${example} (s, m, h or d)`)
    .transform((text) => Number(text.slice(0, -1)) * (durationUnits[text.slice(-1)] as number))
    .refine((ms) => ms >= minMs && ms <= maxMs, `must be from ${minMs / 1000} s to ${maxMs / 3_600_000} h`);
}

/** Express's and proxy-addr's names for whole address ranges. */
const namedRanges = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrSubnet(item: string): boolean {
  if (namedRanges.has(item)) return true;
  const [address = '', prefix, ...rest] = item.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * The addresses allowed to set X-Forwarded-For/-Proto (Express's `trust proxy`): `false`, or a
 * comma-separated list of the load balancer's own addresses or subnets (`10.0.0.5`, `172.30.0.0/24`,
 * `loopback`). A hop count or `true` is refused: either lets any client that reaches the server directly
 * forge its address and dodge the rate limits.
 */
export function trustedProxies() {
  return commaList()
    .refine(
      (items) => (items.length === 1 && items[0] === 'false') || items.every(isAddressOrSubnet),
      'must be false or the load balancer’s addresses or subnets, comma-separated (10.0.0.5, ' +
        '172.30.0.0/24, loopback, uniquelocal); a hop count or true would let any direct client forge its address',
    )
    .transform((items): false | readonly string[] => (items[0] === 'false' ? false : items));
}

/** A number of events per window, such as 100 requests per 15 minutes; `off` (null) disables the limit. */
export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

const windowUnits: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** `100/15m` (count per window in s, m or h) or `off`. */
export function rateLimit() {
  return z
    .string()
    .regex(
      /^(off|[1-9]\d*\/[1-9]\d*[smh])$/,
      'must look like 100/15m (count per window in s, m or h), or off',
    )
    .transform((text): RateLimit | null => {
      if (text === 'off') return null;
      const [count, window] = text.split('/') as [string, string];
      return {
        limit: Number(count),
        windowMs: Number(window.slice(0, -1)) * (windowUnits[window.slice(-1)] as number),
      };
    });
}

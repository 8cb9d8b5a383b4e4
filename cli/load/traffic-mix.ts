// The load generator's request mix, pure (randomness is passed in): the kinds of request a run sends and
// their weights (mostly browsing, some sign-ups, sign-ins and pledge changes), what each kind needs from
// the run so far and what it becomes while that is missing, pledge amounts, and the catalogue of invalid
// requests that the API must answer with a 4xx. Its users are marked as load-test users
// (core/scaling/load-test-marker.ts).
import { loadTestEmail } from '../../core/scaling/load-test-marker.ts';

export const validKinds = [
  'listArtists',
  'getArtist',
  'register',
  'login',
  'pledge',
  'changePledge',
  'cancelPledge',
] as const;
export type ValidKind = (typeof validKinds)[number];
export type RequestKind = ValidKind | 'invalid';
export const requestKinds: readonly RequestKind[] = [...validKinds, 'invalid'];

/** Relative weights of the valid requests: fans browse far more than they sign up or pledge. */
export const validWeights: Readonly<Record<ValidKind, number>> = {
  listArtists: 25,
  getArtist: 35,
  register: 6,
  login: 6,
  pledge: 14,
  changePledge: 7,
  cancelPledge: 7,
};

/** A source of uniform numbers in [0, 1), such as Math.random. */
export type Random = () => number;

export function pickKind(random: Random, invalidShare: number): RequestKind {
  if (random() < invalidShare) return 'invalid';
  const total = validKinds.reduce((sum, kind) => sum + validWeights[kind], 0);
  let remaining = random() * total;
  for (const kind of validKinds) {
    remaining -= validWeights[kind];
    if (remaining < 0) return kind;
  }
  return 'getArtist';
}

/** What the run holds so far: registered users (with tokens) and its own active pledges. */
export interface Holdings {
  readonly users: number;
  readonly pledges: number;
}

/** A kind whose prerequisite the run does not hold yet becomes the request that creates it. */
export function feasibleKind(kind: RequestKind, holdings: Holdings): RequestKind {
  let feasible = kind;
  if ((feasible === 'changePledge' || feasible === 'cancelPledge') && holdings.pledges === 0)
    feasible = 'pledge';
  if ((feasible === 'login' || feasible === 'pledge') && holdings.users === 0) feasible = 'register';
  return feasible;
}

/** One request to send: a JSON body (or deliberately broken text) and the credentials it carries. */
export interface PlannedRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: string;
  readonly token?: string;
  readonly idempotencyKey?: string;
}

export const loadPassword = 'load-test-password';

/** Skewed like real pledges: mostly $3–$10, some up to $25, a few $50–$100 (whole dollars, in cents). */
export function pledgeAmountCents(random: Random): number {
  const band = random();
  const dollars = (min: number, max: number) => 100 * (min + Math.floor(random() * (max - min + 1)));
  if (band < 0.7) return dollars(3, 10);
  if (band < 0.95) return dollars(11, 25);
  return dollars(50, 100);
}

/** A new amount for a pledge: always different from the current one. */
export function changedAmountCents(current: number, random: Random): number {
  const next = pledgeAmountCents(random);
  return next === current ? current + 100 : next;
}

/** Ids far beyond anything a test or demo database holds. */
export function unknownId(seq: number): number {
  return 9_000_000_000_000 + seq;
}

/** What an invalid request may borrow from the run: a real artist, a signed-in user, one of its pledges. */
export interface InvalidInput {
  readonly runId: string;
  readonly seq: number;
  readonly artistId: number;
  readonly token: string | null;
  readonly pledgeId: number | null;
  readonly knownEmail: string | null;
}

export interface InvalidVariant {
  readonly name: string;
  /** Sent with a signed-in user's token, so the refusal is about the input, not the missing sign-in. */
  readonly needsToken: boolean;
  build(input: InvalidInput): PlannedRequest;
}

const json = (value: unknown) => JSON.stringify(value);

export const invalidVariants: readonly InvalidVariant[] = [
  {
    name: 'badJson',
    needsToken: false,
    build: ({ runId, seq }) => ({
      method: 'POST',
      path: '/api/auth/register',
      body: `{"email": "${loadTestEmail(runId, `bad-${seq}`)}", "password": `,
    }),
  },
  {
    name: 'missingPassword',
    needsToken: false,
    build: ({ runId, seq }) => ({
      method: 'POST',
      path: '/api/auth/register',
      body: json({ email: loadTestEmail(runId, `missing-${seq}`) }),
    }),
  },
  {
    name: 'wrongPassword',
    needsToken: false,
    build: ({ runId, seq, knownEmail }) => ({
      method: 'POST',
      path: '/api/auth/login',
      body: json({
        email: knownEmail ?? loadTestEmail(runId, `nobody-${seq}`),
        password: 'not-the-password',
      }),
    }),
  },
  {
    name: 'unknownArtist',
    needsToken: false,
    build: ({ seq }) => ({ method: 'GET', path: `/api/artists/${unknownId(seq)}` }),
  },
  {
    name: 'pledgeWithoutToken',
    needsToken: false,
    build: ({ artistId }) => ({
      method: 'POST',
      path: '/api/pledges',
      body: json({ artistId, amountCents: 500 }),
    }),
  },
  {
    name: 'missingArtistId',
    needsToken: true,
    build: ({ token }) => ({
      method: 'POST',
      path: '/api/pledges',
      body: json({ amountCents: 500 }),
      ...(token ? { token } : {}),
    }),
  },
  {
    name: 'negativeAmount',
    needsToken: true,
    build: ({ artistId, token }) => ({
      method: 'POST',
      path: '/api/pledges',
      body: json({ artistId, amountCents: -500 }),
      ...(token ? { token } : {}),
    }),
  },
  {
    name: 'pledgeToUnknownArtist',
    needsToken: true,
    build: ({ seq, token }) => ({
      method: 'POST',
      path: '/api/pledges',
      body: json({ artistId: unknownId(seq), amountCents: 500 }),
      ...(token ? { token } : {}),
    }),
  },
  {
    name: 'negativeChange',
    needsToken: true,
    build: ({ seq, token, pledgeId }) => ({
      method: 'PATCH',
      path: `/api/pledges/${pledgeId ?? unknownId(seq)}`,
      body: json({ amountCents: -100 }),
      ...(token ? { token } : {}),
    }),
  },
  {
    name: 'cancelUnknownPledge',
    needsToken: true,
    build: ({ seq, token }) => ({
      method: 'DELETE',
      path: `/api/pledges/${unknownId(seq)}`,
      ...(token ? { token } : {}),
    }),
  },
];

/** An invalid request, chosen evenly among those the run can send (some need a signed-in user). */
export function pickInvalidVariant(random: Random, hasToken: boolean): InvalidVariant {
  const eligible = invalidVariants.filter((variant) => hasToken || !variant.needsToken);
  return eligible[Math.floor(random() * eligible.length)] as InvalidVariant;
}

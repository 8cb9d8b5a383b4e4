// The load generator behind `pulse load`: sends the traffic mix (traffic-mix.ts) to a running pledge API
// with autocannon and summarises what came back. Before the run it reads a page of artist ids (creating a
// few artists with a registered user when there are none); during the run it keeps, in memory, the users it
// registered (with their tokens) and the pledges it created, so logins, changes and cancellations act on
// real rows of its own. A pledge being changed or cancelled is taken out of the pool until its answer comes,
// so two connections never race for the same one.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { loadTestEmail } from '../../core/scaling/load-test-marker.ts';
import {
  changedAmountCents,
  feasibleKind,
  type InvalidVariant,
  loadPassword,
  type PlannedRequest,
  pickInvalidVariant,
  pickKind,
  pledgeAmountCents,
  type Random,
  type RequestKind,
  requestKinds,
} from './traffic-mix.ts';

export interface LoadOptions {
  /** Base URL of the pledge API, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  readonly connections: number;
  /** Run for this long (default 10 s)… */
  readonly durationSeconds?: number;
  /** …or send this many requests (wins over the duration). */
  readonly requests?: number;
  /** Share of deliberately invalid requests, from 0 to 1. */
  readonly invalidShare: number;
  /** Caps the rate over all connections (requests per second); unlimited by default. */
  readonly ratePerSecond?: number;
  /** Ends the run early, as if its duration had passed; the summary covers what was sent. */
  readonly signal?: AbortSignal;
  readonly random?: Random;
  /** Makes this run's emails and idempotency keys unique; random by default. */
  readonly runId?: string;
}

export interface StatusCounts {
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
}

export interface KindCounts extends StatusCounts {
  /** Requests written to a connection; those still in flight when the run stopped have no answer. */
  sent: number;
  answered: number;
}

export interface LoadSummary {
  readonly url: string;
  readonly runId: string;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly sent: number;
  readonly answered: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly statusClasses: StatusCounts;
  readonly byKind: Record<RequestKind, KindCounts>;
  readonly throughputPerSecond: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly max: number;
  };
  readonly invalid: {
    readonly sent: number;
    readonly answered4xx: number;
    /** Invalid requests the API accepted (2xx) or failed on (5xx): both are bugs. */
    readonly wrongly2xx: number;
    readonly wrongly5xx: number;
    readonly byVariant: Record<string, number>;
  };
  /** Valid requests refused with a 4xx (429 when the rate limits are on). */
  readonly validAnswered4xx: number;
  /** Successful registrations, the setup user included: the users this run added to the database. */
  readonly usersRegistered: number;
  readonly setup: { readonly artistsFound: number; readonly artistsCreated: number };
  /** The API's RateLimit-Policy header when a rate limiter is on (it will turn the run into 429s). */
  readonly rateLimitPolicy: string | null;
}

interface RunUser {
  readonly email: string;
  token: string;
}

interface OwnPledge {
  readonly id: number;
  readonly amountCents: number;
  readonly owner: RunUser;
}

/** A request on its way, and what to do with its answer. */
interface InFlight {
  readonly kind: RequestKind;
  readonly request: PlannedRequest;
  readonly variant?: string;
  readonly settle?: (status: number, body: unknown) => void;
}

const emptyStatus = (): StatusCounts => ({ '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 });
const statusClass = (status: number) =>
  `${Math.min(5, Math.max(2, Math.floor(status / 100)))}xx` as keyof StatusCounts;
const is2xx = (status: number) => status >= 200 && status < 300;

/** The run's memory: what it has created, what it has sent, and how the API answered. */
class LoadRun {
  readonly users: RunUser[] = [];
  readonly pledges: OwnPledge[] = [];
  readonly byKind = Object.fromEntries(
    requestKinds.map((kind) => [kind, { sent: 0, answered: 0, ...emptyStatus() }]),
  ) as Record<RequestKind, KindCounts>;
  readonly invalidByVariant: Record<string, number> = {};
  readonly latencies: number[] = [];
  usersRegistered = 0;
  /** performance.now() of the first request planned and of the last answer. */
  startedAt = 0;
  lastAnswerAt = 0;
  private seq = 0;

  constructor(
    readonly runId: string,
    readonly artistIds: readonly number[],
    private readonly invalidShare: number,
    private readonly random: Random,
  ) {}

  next(): InFlight {
    if (this.startedAt === 0) this.startedAt = performance.now();
    const kind = feasibleKind(pickKind(this.random, this.invalidShare), {
      users: this.users.length,
      pledges: this.pledges.length,
    });
    const flight = this.plan(kind, ++this.seq);
    this.byKind[kind].sent++;
    if (flight.variant)
      this.invalidByVariant[flight.variant] = (this.invalidByVariant[flight.variant] ?? 0) + 1;
    return flight;
  }

  settle(flight: InFlight, status: number, bodyText: string): void {
    this.lastAnswerAt = performance.now();
    const counts = this.byKind[flight.kind];
    counts.answered++;
    counts[statusClass(status)]++;
    if (!flight.settle) return;
    let body: unknown = null;
    try {
      body = JSON.parse(bodyText);
    } catch {
      // a non-JSON answer settles as an unexpected one
    }
    flight.settle(status, body);
  }

  private plan(kind: RequestKind, seq: number): InFlight {
    switch (kind) {
      case 'listArtists': {
        const after = this.random() < 0.5 ? 0 : this.pick(this.artistIds);
        return {
          kind,
          request: { method: 'GET', path: `/api/artists?limit=20${after ? `&after=${after}` : ''}` },
        };
      }
      case 'getArtist':
        return { kind, request: { method: 'GET', path: `/api/artists/${this.pick(this.artistIds)}` } };
      case 'register':
        return this.register(seq);
      case 'login': {
        const user = this.pick(this.users);
        return {
          kind,
          request: {
            method: 'POST',
            path: '/api/auth/login',
            body: JSON.stringify({ email: user.email, password: loadPassword }),
          },
          settle: (status, body) => {
            const token = (body as { token?: unknown } | null)?.token;
            if (is2xx(status) && typeof token === 'string') user.token = token;
          },
        };
      }
      case 'pledge':
        return this.pledge(seq);
      case 'changePledge':
        return this.changePledge();
      case 'cancelPledge': {
        const pledge = this.checkOutPledge();
        return {
          kind,
          request: { method: 'DELETE', path: `/api/pledges/${pledge.id}`, token: pledge.owner.token },
        };
      }
      case 'invalid':
        return this.invalid(seq);
    }
  }

  private register(seq: number): InFlight {
    const email = loadTestEmail(this.runId, seq);
    const body = {
      email,
      password: loadPassword,
      ...(this.random() < 0.5 ? { name: `Load Fan ${seq}` } : {}),
    };
    return {
      kind: 'register',
      request: { method: 'POST', path: '/api/auth/register', body: JSON.stringify(body) },
      settle: (status, answer) => {
        if (!is2xx(status)) return;
        this.usersRegistered++;
        const token = (answer as { token?: unknown } | null)?.token;
        if (typeof token === 'string') this.users.push({ email, token });
      },
    };
  }

  private pledge(seq: number): InFlight {
    const owner = this.pick(this.users);
    const amountCents = pledgeAmountCents(this.random);
    return {
      kind: 'pledge',
      request: {
        method: 'POST',
        path: '/api/pledges',
        body: JSON.stringify({ artistId: this.pick(this.artistIds), amountCents }),
        token: owner.token,
        idempotencyKey: `load-${this.runId}-${seq}`,
      },
      settle: (status, body) => {
        const id = (body as { pledge?: { id?: unknown } } | null)?.pledge?.id;
        if (is2xx(status) && typeof id === 'number') this.pledges.push({ id, amountCents, owner });
      },
    };
  }

  private changePledge(): InFlight {
    const pledge = this.checkOutPledge();
    const amountCents = changedAmountCents(pledge.amountCents, this.random);
    return {
      kind: 'changePledge',
      request: {
        method: 'PATCH',
        path: `/api/pledges/${pledge.id}`,
        body: JSON.stringify({ amountCents }),
        token: pledge.owner.token,
      },
      // The replacement pledge (a new id) goes back into the pool; the old one is cancelled.
      settle: (status, body) => {
        const id = (body as { pledge?: { id?: unknown } } | null)?.pledge?.id;
        if (is2xx(status) && typeof id === 'number')
          this.pledges.push({ id, amountCents, owner: pledge.owner });
      },
    };
  }

  private invalid(seq: number): InFlight {
    const user = this.users.length > 0 ? this.pick(this.users) : null;
    const variant: InvalidVariant = pickInvalidVariant(this.random, user !== null);
    const own = user ? this.pledges.find((pledge) => pledge.owner === user) : undefined;
    const request = variant.build({
      runId: this.runId,
      seq,
      artistId: this.pick(this.artistIds),
      token: user?.token ?? null,
      pledgeId: own?.id ?? null,
      knownEmail: user?.email ?? null,
    });
    return { kind: 'invalid', variant: variant.name, request };
  }

  /** Takes a random active pledge out of the pool: no other connection may change or cancel it meanwhile. */
  private checkOutPledge(): OwnPledge {
    const index = Math.floor(this.random() * this.pledges.length);
    const [pledge] = this.pledges.splice(index, 1);
    if (!pledge) throw new Error('no pledge to check out (feasibleKind guards this)');
    return pledge;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }
}

/** Runs the mix against `options.url` and returns the summary; throws when the API cannot be reached. */
export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const base = new URL(options.url);
  const prefix = base.pathname.replace(/\/$/, '');
  const runId = options.runId ?? randomBytes(4).toString('hex');
  const setup = await prepareRun(base, prefix, runId);
  const run = new LoadRun(runId, setup.artistIds, options.invalidShare, options.random ?? Math.random);
  if (setup.user) run.users.push(setup.user);
  run.usersRegistered = setup.user ? 1 : 0;

  const connections = options.requests
    ? Math.min(options.connections, options.requests)
    : options.connections;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    let settled = false;
    const stop = () => instance.stop();
    const instance: autocannon.Instance = autocannon(
      {
        url: base.origin,
        connections,
        ...(options.requests ? { amount: options.requests } : { duration: options.durationSeconds ?? 10 }),
        timeout: 10,
        ...(options.ratePerSecond ? { overallRate: options.ratePerSecond } : {}),
        requests: [
          {
            setupRequest: (request, context) => {
              const flight = run.next();
              (context as { flight?: InFlight }).flight = flight;
              return toAutocannonRequest(request, flight.request, prefix);
            },
            onResponse: (status, body, context) => {
              const flight = (context as { flight?: InFlight }).flight;
              if (flight) run.settle(flight, status, body);
            },
          },
        ],
      },
      (error, finished) => {
        // The caller's signal outlives this run (the demo reuses one for every round): let go of it.
        settled = true;
        options.signal?.removeEventListener('abort', stop);
        if (error) reject(error);
        else resolve(finished);
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => run.latencies.push(responseTime));
    if (options.signal?.aborted) instance.stop();
    else if (!settled) options.signal?.addEventListener('abort', stop, { once: true });
  });
  return summarise(run, result, {
    url: options.url,
    connections,
    artistsFound: setup.artistsFound,
    artistsCreated: setup.artistsCreated,
    rateLimitPolicy: setup.rateLimitPolicy,
  });
}

function toAutocannonRequest(
  request: autocannon.Request,
  planned: PlannedRequest,
  prefix: string,
): autocannon.Request {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (planned.body !== undefined) headers['content-type'] = 'application/json';
  if (planned.token) headers.authorization = `Bearer ${planned.token}`;
  if (planned.idempotencyKey) headers['idempotency-key'] = planned.idempotencyKey;
  return {
    ...request,
    method: planned.method,
    path: `${prefix}${planned.path}`,
    headers,
    body: planned.body ?? Buffer.alloc(0),
  };
}

interface RunSetup {
  readonly artistIds: number[];
  readonly artistsFound: number;
  readonly artistsCreated: number;
  readonly user: RunUser | null;
  readonly rateLimitPolicy: string | null;
}

const setupPageSize = 100;
const setupMaxArtists = 500;
const setupNewArtists = 5;

/** Reads up to 500 artist ids; with none, registers a user who creates a few. */
async function prepareRun(base: URL, prefix: string, runId: string): Promise<RunSetup> {
  const call = (method: string, path: string, body?: unknown, token?: string) =>
    callApi(base, `${prefix}${path}`, method, body, token);
  const artistIds: number[] = [];
  let after = 0;
  let rateLimitPolicy: string | null = null;
  while (artistIds.length < setupMaxArtists) {
    const page = await call('GET', `/api/artists?limit=${setupPageSize}&after=${after}`);
    rateLimitPolicy ??= page.headers.get('ratelimit-policy');
    const { artists, nextAfter } = page.body as { artists: { id: number }[]; nextAfter: number | null };
    artistIds.push(...artists.map((artist) => artist.id));
    if (nextAfter === null) break;
    after = nextAfter;
  }
  if (artistIds.length > 0) {
    return { artistIds, artistsFound: artistIds.length, artistsCreated: 0, user: null, rateLimitPolicy };
  }
  const email = loadTestEmail(runId, 'setup');
  const registered = await call('POST', '/api/auth/register', {
    email,
    password: loadPassword,
    name: `Load setup ${runId}`,
  });
  const user = { email, token: (registered.body as { token: string }).token };
  for (let i = 1; i <= setupNewArtists; i++) {
    const created = await call('POST', '/api/artists', { name: `Load Artist ${runId}-${i}` }, user.token);
    artistIds.push((created.body as { artist: { id: number } }).artist.id);
  }
  return { artistIds, artistsFound: 0, artistsCreated: setupNewArtists, user, rateLimitPolicy };
}

async function callApi(base: URL, path: string, method: string, body?: unknown, token?: string) {
  const url = new URL(path, base);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new Error(`cannot reach the pledge API at ${base.origin}: ${cause}`);
  }
  const text = await response.text();
  if (!response.ok) {
    const hint =
      response.status === 429 ? ' (start the agent with RATE_LIMIT_API=off RATE_LIMIT_AUTH=off)' : '';
    throw new Error(
      `setup: ${method} ${url.pathname} answered ${response.status}${hint}: ${text.slice(0, 200)}`,
    );
  }
  return { headers: response.headers, body: JSON.parse(text) as unknown };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

function summarise(
  run: LoadRun,
  result: autocannon.Result,
  extra: {
    url: string;
    connections: number;
    artistsFound: number;
    artistsCreated: number;
    rateLimitPolicy: string | null;
  },
): LoadSummary {
  const statusClasses = emptyStatus();
  let sent = 0;
  let answered = 0;
  for (const kind of requestKinds) {
    const counts = run.byKind[kind];
    sent += counts.sent;
    answered += counts.answered;
    for (const status of Object.keys(statusClasses) as (keyof StatusCounts)[])
      statusClasses[status] += counts[status];
  }
  const invalid = run.byKind.invalid;
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  // autocannon's own duration runs to its next one-second tick; the answers' span is the honest one.
  const seconds =
    run.lastAnswerAt > run.startedAt ? (run.lastAnswerAt - run.startedAt) / 1000 : result.duration;
  return {
    url: extra.url,
    runId: run.runId,
    durationSeconds: Math.round(seconds * 100) / 100,
    connections: extra.connections,
    sent,
    answered,
    errors: result.errors,
    statusClasses,
    byKind: run.byKind,
    throughputPerSecond: seconds > 0 ? Math.round((answered / seconds) * 10) / 10 : 0,
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? 0),
    },
    invalid: {
      sent: invalid.sent,
      answered4xx: invalid['4xx'],
      wrongly2xx: invalid['2xx'],
      wrongly5xx: invalid['5xx'],
      byVariant: run.invalidByVariant,
    },
    validAnswered4xx: statusClasses['4xx'] - invalid['4xx'],
    usersRegistered: run.usersRegistered,
    setup: { artistsFound: extra.artistsFound, artistsCreated: extra.artistsCreated },
    rateLimitPolicy: extra.rateLimitPolicy,
  };
}

// The service-level objective catalog, beside the alert catalog: one entry per objective — what counts as
// a good and a bad event (the SLI), the target share of good events and the window it is promised over.
// The collector (GET /api/slo, burn-rate alerts) and the generated Prometheus rules read the same entries.

/** The agent's http.server.request.duration bucket bounds (agent/drop-in/http-server-metrics.ts), seconds. */
export const latencyBucketBounds = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
] as const;

/** Pledge writes as the pledge API routes them (README "Pledge API"): create, change amount, cancel. */
export const pledgeWriteRoutes = ['/api/pledges', '/api/pledges/:id'] as const;
export const pledgeWriteMethods = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

export type SliKind =
  /** bad = answered 5xx; total = every request. */
  | { readonly kind: 'availability' }
  /** bad = slower than `thresholdSeconds` (a histogram bucket bound); total = every request. */
  | { readonly kind: 'latency'; readonly thresholdSeconds: number }
  /** bad = a pledge write not answered 2xx; total = pledge writes except 4xx (the client's own mistake). */
  | { readonly kind: 'pledgeWrites' };

export const sloIds = ['PledgeApiAvailability', 'PledgeApiLatency', 'PledgeWrites'] as const;

export type SloId = (typeof sloIds)[number];

export interface SloDefinition {
  /** PascalCase, unique: the prefix of its burn-rate alerts' names and the `slo` label of its recordings. */
  readonly id: SloId;
  readonly description: string;
  /** Target share of good events, e.g. 0.999. */
  readonly objective: number;
  /** The window the objective is promised over (the error budget's window), in seconds. */
  readonly windowSeconds: number;
  readonly sli: SliKind;
}

export interface SloSettings {
  readonly availabilityObjective: number;
  readonly latencyObjective: number;
  readonly latencyThresholdSeconds: number;
  readonly pledgeWritesObjective: number;
  readonly windowSeconds: number;
}

/** 99.9 % available, 99 % under 500 ms, 99.9 % of pledge writes succeed, over 30 days. */
export const defaultSloSettings: SloSettings = {
  availabilityObjective: 0.999,
  latencyObjective: 0.99,
  latencyThresholdSeconds: 0.5,
  pledgeWritesObjective: 0.999,
  windowSeconds: 30 * 86_400,
};

export function buildSloCatalog(settings: SloSettings = defaultSloSettings): readonly SloDefinition[] {
  if (!(latencyBucketBounds as readonly number[]).includes(settings.latencyThresholdSeconds)) {
    throw new Error(
      `latency threshold ${settings.latencyThresholdSeconds} s is not a bucket bound (${latencyBucketBounds.join(', ')})`,
    );
  }
  const window = settings.windowSeconds;
  return [
    {
      id: 'PledgeApiAvailability',
      description: 'share of pledge API requests not answered 5xx',
      objective: settings.availabilityObjective,
      windowSeconds: window,
      sli: { kind: 'availability' },
    },
    {
      id: 'PledgeApiLatency',
      description: `share of pledge API requests answered within ${settings.latencyThresholdSeconds * 1000} ms`,
      objective: settings.latencyObjective,
      windowSeconds: window,
      sli: { kind: 'latency', thresholdSeconds: settings.latencyThresholdSeconds },
    },
    {
      id: 'PledgeWrites',
      description:
        'share of pledge writes (POST /api/pledges, PUT/PATCH/DELETE /api/pledges/:id) answered 2xx, 4xx excluded',
      objective: settings.pledgeWritesObjective,
      windowSeconds: window,
      sli: { kind: 'pledgeWrites' },
    },
  ];
}

export const sloCatalog: readonly SloDefinition[] = buildSloCatalog();

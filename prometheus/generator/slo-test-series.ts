// Input series for the SLO promtool tests (slo-tests.ts): the agents' request counters, one sample every
// 2.5 minutes, whose error share follows a timeline of phases. Each SLI gets series a rule counting the wrong events
// would misread: 404s that are no 5xx (availability), buckets on either side of the latency bound, and for
// pledge writes 4xx answers (excluded), 5xx of a pledge read (no write) and other routes' traffic.
import type { SloDefinition } from '../../core/slo/slo-catalog.ts';
import { agentJob } from './settings.ts';
import type { InputSeries } from './test-fixtures.ts';

/**
 * One sample every 150 s: the 5-minute window holds two samples in Prometheus 2 ([t − 5m, t]) and in
 * Prometheus 3 ((t − 5m, t]) alike, and 3 days stay under 2,000 samples a series.
 */
export const sloTestStepSeconds = 150;

/**
 * The rules evaluate every 5 minutes in these tests (promtool evaluates every group at every step from 0,
 * and the scenarios last days): check times fall on that grid.
 */
export const sloTestEvaluationSeconds = 300;

/** `samples` scrapes during which the SLI's bad events are `errorRatio` of its events. */
export interface Phase {
  readonly samples: number;
  readonly errorRatio: number;
}

/** Requests per sample interval over both agents (1,000/s), and pledge writes among them (200/s). */
const requestsPerStep = 1_000 * sloTestStepSeconds;
const writesPerStep = 200 * sloTestStepSeconds;

const agents = [
  { job: agentJob, instance: 'agent-1:9464', service_instance_id: 'agent-1-test', service_version: '1.0.0' },
  { job: agentJob, instance: 'agent-2:9464', service_instance_id: 'agent-2-test', service_version: '1.0.0' },
] as const;
const [agentA, agentB] = agents;
type Agent = (typeof agents)[number];

/**
 * A counter that rises by `perStep(phase)` at each sample of the phase, from a base far from 0 (so `increase`
 * extrapolates every series alike and never clips at zero). Whole counts: promtool adds the step up sample by
 * sample, and a fractional one drifts, so the next phase's start could read as a counter reset.
 */
function counter(phases: readonly Phase[], perStep: (errorRatio: number) => number): string {
  let current = 1_000_000;
  const parts = [String(current)];
  for (const phase of phases) {
    const step = Math.round(perStep(phase.errorRatio));
    // A constant as `axn`: `a+0xn` would read as a hexadecimal 0x… literal.
    parts.push(
      step === 0 ? `${current}x${phase.samples - 1}` : `${current + step}+${step}x${phase.samples - 1}`,
    );
    current += step * phase.samples;
  }
  return parts.join(' ');
}

interface Request {
  readonly agent: Agent;
  readonly method: string;
  readonly route: string;
  readonly status: string;
}

function requestLabels(request: Request, extra: Record<string, string> = {}): string {
  const labels = {
    ...request.agent,
    http_request_method: request.method,
    http_route: request.route,
    http_response_status_code: request.status,
    ...extra,
  };
  return Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(', ');
}

const count = (request: Request, phases: readonly Phase[], perStep: (ratio: number) => number) => ({
  series: `http_server_request_duration_count{${requestLabels(request)}}`,
  values: counter(phases, perStep),
});

const artistPage = (agent: Agent, status: string): Request => ({
  agent,
  method: 'GET',
  route: '/api/artists/:id',
  status,
});

/** All requests; 5xx at the error ratio, and as many 404s (not errors) as agent-1's 200s. */
function availability(phases: readonly Phase[]): InputSeries[] {
  const good = (ratio: number) => requestsPerStep * (1 - ratio);
  return [
    count(artistPage(agentA, '200'), phases, (ratio) => good(ratio) / 4),
    count(artistPage(agentA, '404'), phases, (ratio) => good(ratio) / 4),
    count(artistPage(agentB, '200'), phases, (ratio) => good(ratio) / 2),
    count(artistPage(agentA, '500'), phases, (ratio) => requestsPerStep * ratio),
  ];
}

/**
 * All answered 200, the error ratio slower than the bound: cumulative buckets at half the fast share below
 * the bound before it, the fast share at the bound, and halfway to all after it (a rule reading a
 * neighbouring bucket sees another ratio).
 */
function latency(phases: readonly Phase[], bound: number): InputSeries[] {
  const bounds = [...new Set([bound / 2, bound, bound * 2])];
  const share = (le: number, ratio: number) =>
    le < bound ? (1 - ratio) / 2 : le === bound ? 1 - ratio : 1 - ratio / 2;
  return agents.flatMap((agent) => {
    const request = artistPage(agent, '200');
    const perAgent = requestsPerStep / agents.length;
    return [
      count(request, phases, () => perAgent),
      ...[...bounds, Number.POSITIVE_INFINITY].map((le) => ({
        series: `http_server_request_duration_bucket{${requestLabels(request, { le: Number.isFinite(le) ? String(le) : '+Inf' })}}`,
        values: counter(phases, (ratio) => perAgent * (Number.isFinite(le) ? share(le, ratio) : 1)),
      })),
    ];
  });
}

/**
 * Pledge writes failing 5xx at the error ratio (creates on agent-1, cancels on agent-2); as many 422s as
 * writes (the client's mistakes: excluded) and 500s of the pledge list (a read, no write); other traffic.
 */
function pledgeWrites(phases: readonly Phase[]): InputSeries[] {
  const write = (agent: Agent, method: string, route: string, status: string): Request => ({
    agent,
    method,
    route,
    status,
  });
  const good = (ratio: number) => writesPerStep * (1 - ratio);
  return [
    count(write(agentA, 'POST', '/api/pledges', '201'), phases, (ratio) => good(ratio) / 2),
    count(write(agentB, 'DELETE', '/api/pledges/:id', '204'), phases, (ratio) => good(ratio) / 2),
    count(write(agentA, 'POST', '/api/pledges', '500'), phases, (ratio) => writesPerStep * ratio),
    count(write(agentA, 'POST', '/api/pledges', '422'), phases, () => writesPerStep),
    count(write(agentB, 'GET', '/api/pledges', '500'), phases, () => writesPerStep),
    count(artistPage(agentB, '200'), phases, () => requestsPerStep),
  ];
}

/** The series that make the SLI's error ratio follow `phases`. */
export function sloSeries(slo: SloDefinition, phases: readonly Phase[]): InputSeries[] {
  switch (slo.sli.kind) {
    case 'availability':
      return availability(phases);
    case 'latency':
      return latency(phases, slo.sli.thresholdSeconds);
    case 'pledgeWrites':
      return pledgeWrites(phases);
  }
}

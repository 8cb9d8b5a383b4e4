// A minimal client for Prometheus's HTTP API (/api/v1/query and /api/v1/query_range): form-encoded POSTs
// with a timeout, answers checked for status "success", sample values turned into numbers (NaN → null).

export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  /** [epoch seconds, value] pairs; null where Prometheus answered NaN. */
  readonly values: readonly (readonly [number, number | null])[];
}

export interface InstantSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number | null;
}

export class PrometheusError extends Error {
  override readonly name = 'PrometheusError';
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: T[] };
}

type RawSeries = { metric: Record<string, string>; values?: [number, string][]; value?: [number, string] };

function sampleValue(text: string): number | null {
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}

export interface PrometheusClient {
  queryRange(
    expr: string,
    startSeconds: number,
    endSeconds: number,
    stepSeconds: number,
  ): Promise<RangeSeries[]>;
  query(expr: string, timeSeconds: number): Promise<InstantSample[]>;
}

export function createPrometheusClient(baseUrl: string, timeoutMs = 5000, fetchImpl: typeof fetch = fetch) {
  const root = baseUrl.replace(/\/+$/, '');
  async function call(path: string, params: Record<string, string>): Promise<RawSeries[]> {
    let response: Response;
    try {
      response = await fetchImpl(`${root}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new PrometheusError(`Prometheus at ${root} did not answer: ${(error as Error).message}`);
    }
    const answer = (await response.json().catch(() => null)) as ApiAnswer<RawSeries> | null;
    if (!response.ok || answer?.status !== 'success' || !answer.data) {
      throw new PrometheusError(
        `Prometheus ${path} failed (${response.status}): ${answer?.error ?? 'no answer'}`,
      );
    }
    return answer.data.result;
  }
  const client: PrometheusClient = {
    async queryRange(expr, start, end, step) {
      const result = await call('/api/v1/query_range', {
        query: expr,
        start: String(start),
        end: String(end),
        step: String(step),
      });
      return result.map((series) => ({
        metric: series.metric,
        values: (series.values ?? []).map(([t, v]) => [t, sampleValue(v)] as const),
      }));
    },
    async query(expr, time) {
      const result = await call('/api/v1/query', { query: expr, time: String(time) });
      return result.map((series) => ({
        metric: series.metric,
        value: sampleValue(series.value?.[1] ?? 'NaN'),
      }));
    },
  };
  return client;
}

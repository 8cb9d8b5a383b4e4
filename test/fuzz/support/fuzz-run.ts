// Sends generated requests in parallel batches over keep-alive connections and checks every answer against
// the bad-input contract: never a 5xx; 4xx where the case is invalid; every 4xx (413 and 415 included) a JSON
// body {"error": {"code", "message"}}; 2xx only where the case allows it. Failures are collected with the
// seed and case index so `FUZZ_SEED=<seed>` replays them exactly.
import fc from 'fast-check';

export interface FuzzCase {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** Path and query, already encoded. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** `invalid`: the answer must be 4xx; `any`: 2xx or 4xx (the input is ignored or may be valid). */
  readonly expect: 'invalid' | 'any';
}

export interface FuzzFailure {
  readonly route: string;
  readonly index: number;
  readonly problem: string;
  readonly status: number;
  readonly request: string;
  readonly answer: string;
}

export const fuzzSeed = Number(process.env.FUZZ_SEED ?? 20_261_124);
export const runsPerRoute = Number(process.env.FUZZ_RUNS ?? 1000);
const batchSize = 20;

/** The `count` cases of one route for this seed (the same list on every run with the same seed). */
export function casesOf(arbitrary: fc.Arbitrary<FuzzCase>, count = runsPerRoute): FuzzCase[] {
  return fc.sample(arbitrary, { numRuns: count, seed: fuzzSeed });
}

function problemWith(fuzzCase: FuzzCase, status: number, contentType: string, text: string): string | null {
  if (status >= 500) return 'server error';
  if (status < 200 || (status >= 300 && status < 400)) return 'unexpected status class';
  if (status >= 200 && status < 300) {
    if (fuzzCase.expect === 'invalid') return 'accepted invalid input';
    return null;
  }
  if (!contentType.startsWith('application/json')) return `4xx not JSON (${contentType})`;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = body.error ?? {};
    if (typeof code !== 'string' || code === '' || typeof message !== 'string' || message === '')
      return '4xx without {"error":{"code","message"}}';
  } catch {
    return '4xx body is not JSON';
  }
  return null;
}

/** Sends every case (20 at a time) to `baseUrl`; returns the failures and the number of requests sent. */
export async function runCases(
  baseUrl: string,
  route: string,
  cases: readonly FuzzCase[],
): Promise<{ sent: number; statuses: Record<number, number>; failures: FuzzFailure[] }> {
  const failures: FuzzFailure[] = [];
  const statuses: Record<number, number> = {};
  let sent = 0;
  for (let start = 0; start < cases.length; start += batchSize) {
    const batch = cases.slice(start, start + batchSize);
    await Promise.all(
      batch.map(async (fuzzCase, offset) => {
        const index = start + offset;
        const request = `${fuzzCase.method} ${fuzzCase.path.slice(0, 200)} ${JSON.stringify(fuzzCase.headers ?? {}).slice(0, 200)} ${(fuzzCase.body ?? '').slice(0, 200)}`;
        let status = 0;
        let text = '';
        let contentType = '';
        try {
          const response = await fetch(`${baseUrl}${fuzzCase.path}`, {
            method: fuzzCase.method,
            headers: fuzzCase.headers ?? {},
            ...(fuzzCase.body === undefined ? {} : { body: fuzzCase.body }),
          });
          status = response.status;
          contentType = response.headers.get('content-type') ?? '';
          text = await response.text();
        } catch (error) {
          failures.push({
            route,
            index,
            problem: `request failed: ${(error as Error).message}`,
            status,
            request,
            answer: '',
          });
          return;
        }
        sent += 1;
        statuses[status] = (statuses[status] ?? 0) + 1;
        const problem = problemWith(fuzzCase, status, contentType, text);
        if (problem) failures.push({ route, index, problem, status, request, answer: text.slice(0, 300) });
      }),
    );
  }
  return { sent, statuses, failures };
}

// Delivers a JSON body by POST with bounded retries: exponential backoff with jitter between attempts, a
// timeout per attempt, and an abort signal so stopping the collector does not wait out a backoff. Network
// errors, timeouts, 408, 429 and 5xx are retried; any other 4xx will not get better and ends at once.
// The outcome never carries the URL (a webhook URL often embeds its secret) — only a status or error code.

export interface RetryPolicy {
  readonly maxAttempts: number;
  /** Delay before the 2nd attempt; doubled before each further one, capped at maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly attemptTimeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  attemptTimeoutMs: 5_000,
};

export type DeliveryOutcome =
  | { readonly ok: true; readonly attempts: number }
  | { readonly ok: false; readonly attempts: number; readonly reason: string };

export interface DeliveryOptions {
  readonly signal?: AbortSignal;
  /** [0, 1): injectable so tests can pin the jitter. */
  readonly random?: () => number;
}

export async function postJsonWithRetry(
  url: string,
  body: unknown,
  policy: RetryPolicy,
  options: DeliveryOptions = {},
): Promise<DeliveryOutcome> {
  const random = options.random ?? Math.random;
  const text = JSON.stringify(body);
  let reason = 'not attempted';
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
    if (options.signal?.aborted) return { ok: false, attempts: attempt - 1, reason: 'aborted' };
    const result = await attemptOnce(url, text, policy.attemptTimeoutMs, options.signal);
    if (result.ok) return { ok: true, attempts: attempt };
    reason = result.reason;
    if (!result.retryable) return { ok: false, attempts: attempt, reason };
    if (attempt < policy.maxAttempts) await sleep(backoffMs(policy, attempt, random), options.signal);
  }
  return { ok: false, attempts: policy.maxAttempts, reason };
}

/** "Equal jitter": half the exponential delay fixed, half random, so retries never bunch at zero. */
export function backoffMs(policy: RetryPolicy, failedAttempt: number, random: () => number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1));
  return exponential / 2 + random() * (exponential / 2);
}

async function attemptOnce(
  url: string,
  body: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ ok: true } | { ok: false; retryable: boolean; reason: string }> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return { ok: true };
    const status = response.status;
    return {
      ok: false,
      retryable: status >= 500 || status === 408 || status === 429,
      reason: `HTTP ${status}`,
    };
  } catch (error) {
    return { ok: false, retryable: true, reason: errorCode(error, timeout) };
  }
}

function errorCode(error: unknown, timeout: AbortSignal): string {
  if (timeout.aborted) return 'timeout';
  const cause = (error as { cause?: { code?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'error';
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

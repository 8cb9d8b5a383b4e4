// Calls to the collector with the session's bearer token. Every failure becomes an ApiError whose `kind`
// says what the person should see: signed out (401), not for this role (403), a bad request (4xx, with the
// collector's message), the collector unreachable or failing (retry on its own).
export type ApiErrorKind = 'unauthorized' | 'forbidden' | 'invalid' | 'unreachable' | 'server';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status: number | null = null,
    /** The collector's error code (`{"error": {"code"}}`), e.g. health_source_not_configured; null if none. */
    readonly code: string | null = null,
  ) {
    super(message);
  }

  /** Worth retrying on a timer: the collector is down or restarting. */
  get transient(): boolean {
    return this.kind === 'unreachable' || this.kind === 'server';
  }
}

function kindOf(status: number): ApiErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status >= 500) return 'server';
  return 'invalid';
}

async function send(path: string, token: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...init.headers },
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError('unreachable', 'The collector cannot be reached.');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as {
      error?: { code?: string; message?: string };
    } | null;
    const message = body?.error?.message ?? `The collector answered ${response.status}.`;
    throw new ApiError(kindOf(response.status), message, response.status, body?.error?.code ?? null);
  }
  return response;
}

export async function apiGet<T>(path: string, token: string, signal?: AbortSignal): Promise<T> {
  const response = await send(path, token, signal ? { signal } : {});
  return (await response.json()) as T;
}

export async function apiPost<T>(path: string, token: string, body: unknown): Promise<T> {
  const response = await send(path, token, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as T;
}

/** Opens the collector's event stream (fetch, since EventSource cannot send the token). */
export async function openEventStream(token: string, signal: AbortSignal): Promise<Response> {
  return send('/api/events', token, { signal, headers: { accept: 'text/event-stream' } });
}

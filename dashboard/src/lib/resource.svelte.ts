// Loads one API answer for a view and keeps its state for the template: loading, data, or an error. A
// transient failure (collector down or failing) is retried every few seconds on its own, with the countdown
// shown, so the page recovers without a reload; a 401 signs the person out.
import { ApiError, apiGet } from './api.ts';
import { session } from './session.svelte.ts';

export const retryAfterSeconds = 5;

export class Resource<T> {
  data = $state<T | null>(null);
  error = $state<ApiError | null>(null);
  loading = $state(true);
  retryIn = $state(0);
  #timer: ReturnType<typeof setInterval> | null = null;
  #controller: AbortController | null = null;

  /** `path` is read inside an effect by the caller, so a new path (a new range) loads again. */
  async load(path: string): Promise<void> {
    this.#stopRetry();
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.loading = true;
    try {
      const data = await apiGet<T>(path, session.token ?? '', controller.signal);
      if (controller.signal.aborted) return;
      this.data = data;
      this.error = null;
    } catch (error) {
      if (controller.signal.aborted || (error as Error).name === 'AbortError') return;
      const apiError = error instanceof ApiError ? error : new ApiError('server', (error as Error).message);
      this.error = apiError;
      if (apiError.kind === 'unauthorized') session.signOut();
      if (apiError.transient) this.#scheduleRetry(path);
    } finally {
      if (!controller.signal.aborted) this.loading = false;
    }
  }

  #scheduleRetry(path: string): void {
    this.retryIn = retryAfterSeconds;
    this.#timer = setInterval(() => {
      this.retryIn -= 1;
      if (this.retryIn <= 0) void this.load(path);
    }, 1_000);
  }

  #stopRetry(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.retryIn = 0;
  }

  dispose(): void {
    this.#stopRetry();
    this.#controller?.abort();
  }
}

/** A resource that loads `path()` now and whenever it changes, and is disposed with the component. */
export function resource<T>(path: () => string | null): Resource<T> {
  const state = new Resource<T>();
  $effect(() => {
    const current = path();
    if (current) void state.load(current);
    return () => state.dispose();
  });
  return state;
}

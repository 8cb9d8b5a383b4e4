// The signed-in session: the bearer token (kept in sessionStorage for the browser session only), the role and
// currency the collector reports for it. Signing in checks the token against GET /api/session first.
import { ApiError, apiGet } from './api.ts';
import type { Role, SessionInfo } from './api-types.ts';

const storageKey = 'pledgr-pulse-token';

class Session {
  token = $state<string | null>(null);
  role = $state<Role | null>(null);
  currency = $state('USD');
  /** Why the last sign-in failed, in words; null when it did not. */
  problem = $state<string | null>(null);

  /** Restores a token kept earlier in this browser session. */
  async restore(): Promise<void> {
    const kept = sessionStorage.getItem(storageKey);
    if (kept) await this.signIn(kept);
  }

  async signIn(token: string): Promise<boolean> {
    this.problem = null;
    try {
      const info = await apiGet<SessionInfo>('/api/session', token.trim());
      this.token = token.trim();
      this.role = info.role;
      this.currency = info.currency;
      sessionStorage.setItem(storageKey, this.token);
      return true;
    } catch (error) {
      this.problem =
        error instanceof ApiError && error.kind === 'unauthorized'
          ? 'That token was not accepted. Use the founder or operator token printed by pulse start.'
          : error instanceof ApiError
            ? error.message
            : 'Signing in failed.';
      sessionStorage.removeItem(storageKey);
      return false;
    }
  }

  signOut(): void {
    this.token = null;
    this.role = null;
    sessionStorage.removeItem(storageKey);
  }

  get isFounder(): boolean {
    return this.role === 'founder';
  }
}

export const session = new Session();

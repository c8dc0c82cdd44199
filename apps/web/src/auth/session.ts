// The dashboard's session: the shared TokenSession (packages/client) with the refresh token in localStorage, so a
// reload or a new tab stays signed in, and the access token in memory only. Refreshes run ahead of expiry and are
// serialised across tabs with the Web Locks API, because refresh tokens rotate.
import { TokenSession, type SessionStore, type SessionTokens } from '@arvlite/client';

export const REFRESH_TOKEN_KEY = 'arvlite.refreshToken';

export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Keeps only the refresh token; an access token never touches storage. */
export function refreshTokenStore(storage: KeyValueStorage): SessionStore {
  return {
    load: () => {
      const refreshToken = storage.getItem(REFRESH_TOKEN_KEY);
      return refreshToken ? { refreshToken, access: null, user: null } : null;
    },
    save: (s) => storage.setItem(REFRESH_TOKEN_KEY, s.refreshToken),
    clear: () => storage.removeItem(REFRESH_TOKEN_KEY),
  };
}

function webLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? locks.request('arvlite.session-refresh', fn) : fn();
}

export interface WebSessionOptions {
  storage: KeyValueStorage;
  refresh: (refreshToken: string) => Promise<SessionTokens>;
  lock?: <T>(fn: () => Promise<T>) => Promise<T>;
  retryAfterMs?: number;
}

/** A session restored from storage at once (localStorage is synchronous). */
export function createWebSession(opts: WebSessionOptions): TokenSession {
  const session = new TokenSession({
    store: refreshTokenStore(opts.storage),
    refresh: opts.refresh,
    lock: opts.lock ?? webLock,
    refreshAhead: true,
    ...(opts.retryAfterMs !== undefined && { retryAfterMs: opts.retryAfterMs }),
  });
  void session.restore();
  return session;
}

/** Another tab changed the stored refresh token: follow its sign-out. */
export function followOtherTabs(session: TokenSession, key: string | null, newValue: string | null): void {
  if ((key === null || key === REFRESH_TOKEN_KEY) && newValue === null && session.signedIn) void session.end();
}

// The signed-in session: the access token lives in memory only, the refresh token in localStorage so a reload or a
// new tab stays signed in. Refreshes shortly before expiry and once after an UNAUTHORIZED answer; refreshes are
// serialised across tabs, because refresh tokens rotate and presenting a rotated one revokes the whole session.

export interface SessionTokens {
  accessToken: string;
  accessTokenExpiresAt: Date | string;
  refreshToken: string;
}

/** Exchanges a refresh token for new tokens; rejects with `SessionEndedError` when the server refuses it. */
export type RefreshFn = (refreshToken: string) => Promise<SessionTokens>;

export class SessionEndedError extends Error {
  constructor(message = 'Your session has ended; sign in again') {
    super(message);
    this.name = 'SessionEndedError';
  }
}

export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface SessionOptions {
  storage: KeyValueStorage;
  refresh: RefreshFn;
  now?: () => number;
  /** Runs `fn` while no other tab refreshes; defaults to the Web Locks API when present. */
  lock?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Refresh this long before the access token expires. */
  leewayMs?: number;
  /** After a failed refresh that did not end the session (network, rate limit), try again after this long. */
  retryAfterMs?: number;
}

export const REFRESH_TOKEN_KEY = 'arvlite.refreshToken';

type Listener = (signedIn: boolean) => void;

function webLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? locks.request('arvlite.session-refresh', fn) : fn();
}

export class Session {
  readonly #opts: Required<Omit<SessionOptions, 'lock'>> & { lock: NonNullable<SessionOptions['lock']> };
  #access: { token: string; expiresAt: number } | null = null;
  #inflight: Promise<string | null> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #listeners = new Set<Listener>();

  constructor(opts: SessionOptions) {
    this.#opts = {
      now: () => Date.now(),
      lock: webLock,
      leewayMs: 60_000,
      retryAfterMs: 30_000,
      ...opts,
    };
  }

  get signedIn(): boolean {
    return this.#opts.storage.getItem(REFRESH_TOKEN_KEY) !== null;
  }

  /** The access token currently held, valid or not; used to tell whether a 401 came from a stale token. */
  get currentAccessToken(): string | null {
    return this.#access?.token ?? null;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** After sign-in, sign-up or a refresh. */
  start(tokens: SessionTokens): void {
    const wasSignedIn = this.signedIn;
    this.#opts.storage.setItem(REFRESH_TOKEN_KEY, tokens.refreshToken);
    this.#access = { token: tokens.accessToken, expiresAt: new Date(tokens.accessTokenExpiresAt).getTime() };
    this.#schedule(this.#access.expiresAt - this.#opts.leewayMs - this.#opts.now());
    if (!wasSignedIn) this.#emit(true);
  }

  /** Forgets everything locally (the caller revokes the refresh token on the server first). */
  end(): void {
    const wasSignedIn = this.signedIn || this.#access !== null;
    clearTimeout(this.#timer);
    this.#access = null;
    this.#opts.storage.removeItem(REFRESH_TOKEN_KEY);
    if (wasSignedIn) this.#emit(false);
  }

  /** Another tab changed the stored refresh token: follow a sign-out, and drop an access token of another session. */
  onStorageChange(key: string | null, newValue: string | null): void {
    if (key !== null && key !== REFRESH_TOKEN_KEY) return;
    if (newValue === null) this.end();
  }

  /** A valid access token, refreshing first when it is missing or about to expire; null when signed out. */
  async getAccessToken(): Promise<string | null> {
    const access = this.#access;
    if (access && access.expiresAt - this.#opts.now() > Math.min(this.#opts.leewayMs, 30_000)) return access.token;
    if (!this.signedIn) return null;
    return this.refresh();
  }

  /**
   * Refreshes once for everyone waiting. With `staleToken` (the token a request was refused with), a refresh that
   * already replaced that token is reused instead of rotating again.
   */
  refresh(staleToken?: string): Promise<string | null> {
    if (staleToken && this.#access && this.#access.token !== staleToken && this.#access.expiresAt > this.#opts.now()) {
      return Promise.resolve(this.#access.token);
    }
    this.#inflight ??= this.#opts
      .lock(() => this.#refreshLocked())
      .finally(() => {
        this.#inflight = null;
      });
    return this.#inflight;
  }

  async #refreshLocked(): Promise<string | null> {
    // Read inside the lock: another tab may have rotated the token while we waited.
    const refreshToken = this.#opts.storage.getItem(REFRESH_TOKEN_KEY);
    if (!refreshToken) {
      this.end();
      return null;
    }
    try {
      const tokens = await this.#opts.refresh(refreshToken);
      this.start(tokens);
      return tokens.accessToken;
    } catch (err) {
      if (err instanceof SessionEndedError) {
        this.end();
        return null;
      }
      // Offline or rate-limited: keep the session and try again later.
      this.#schedule(this.#opts.retryAfterMs);
      throw err;
    }
  }

  #schedule(inMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.refresh().catch(() => undefined);
    }, Math.max(1_000, inMs));
  }

  #emit(signedIn: boolean): void {
    for (const l of this.#listeners) l(signedIn);
  }
}

/**
 * Wraps fetch for API calls: a request that carried an access token and was answered 401 is sent once more after a
 * refresh. Calls without a token (sign-in, refresh itself) are never retried.
 */
export function withRefreshOnUnauthorized(session: Session, baseFetch: typeof fetch): typeof fetch {
  return async (input, init) => {
    const res = await baseFetch(input, init);
    if (res.status !== 401) return res;
    const headers = new Headers(init?.headers);
    const sent = headers.get('authorization')?.replace(/^Bearer /, '');
    if (!sent) return res;
    const token = await session.refresh(sent).catch(() => null);
    if (!token) return res;
    headers.set('authorization', `Bearer ${token}`);
    return baseFetch(input, { ...init, headers });
  };
}

// The signed-in session both apps share: the access token is refreshed shortly before it expires and once after an
// UNAUTHORIZED answer. Refreshes are single-flight (and, given a lock, serialised across tabs) because refresh tokens
// rotate and presenting a rotated one revokes the whole session. Where tokens are kept is the app's choice: a
// SessionStore (the dashboard keeps the refresh token in localStorage and the access token in memory only; the
// phone keeps both in the Keychain/Keystore).
import { TRPCClientError } from '@trpc/client';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

/** What sign-in, sign-up and auth.refresh answer. */
export interface SessionTokens {
  accessToken: string;
  accessTokenExpiresAt: Date | string;
  refreshToken: string;
  user?: SessionUser;
}

export interface StoredSession {
  refreshToken: string;
  /** Null when the store does not keep access tokens (the next call refreshes). */
  access: { token: string; expiresAt: number } | null;
  user: SessionUser | null;
}

/** Where a session is kept. Synchronous stores make `restore()` take effect at once. */
export interface SessionStore {
  load(): StoredSession | null | Promise<StoredSession | null>;
  save(session: StoredSession): void | Promise<void>;
  clear(): void | Promise<void>;
}

export class SessionEndedError extends Error {
  constructor(message = 'Your session has ended; sign in again') {
    super(message);
    this.name = 'SessionEndedError';
  }
}

/** The server refused the refresh token itself (revoked, expired, rotated, malformed): the session is over. */
export function isSessionRefusal(err: unknown): boolean {
  if (err instanceof SessionEndedError) return true;
  if (!(err instanceof TRPCClientError)) return false;
  const code = (err.data as { code?: string } | undefined)?.code;
  return code === 'UNAUTHORIZED' || code === 'BAD_REQUEST' || code === 'FORBIDDEN';
}

export interface TokenSessionOptions {
  store: SessionStore;
  /** auth.refresh through a client without a token, so a refresh never waits on itself. */
  refresh: (refreshToken: string) => Promise<SessionTokens>;
  now?: () => number;
  /** Runs `fn` while no other holder refreshes (e.g. the Web Locks API across tabs). */
  lock?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Refresh this long before the access token expires. */
  leewayMs?: number;
  /** Refresh on a timer before expiry, not only when a call needs a token. */
  refreshAhead?: boolean;
  /** With refreshAhead: after a failed refresh that did not end the session (offline, rate limit), retry this late. */
  retryAfterMs?: number;
}

export interface SessionSnapshot {
  signedIn: boolean;
  user: SessionUser | null;
}

type Listener = (snapshot: SessionSnapshot) => void;

export class TokenSession {
  readonly #opts: Required<Omit<TokenSessionOptions, 'lock'>> & Pick<TokenSessionOptions, 'lock'>;
  #state: StoredSession | null = null;
  #loading: Promise<void> | null = null;
  #inflight: Promise<string | null> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #listeners = new Set<Listener>();

  constructor(opts: TokenSessionOptions) {
    this.#opts = { now: () => Date.now(), leewayMs: 60_000, refreshAhead: false, retryAfterMs: 30_000, ...opts };
  }

  get signedIn(): boolean {
    return this.#state !== null;
  }

  get user(): SessionUser | null {
    return this.#state?.user ?? null;
  }

  get refreshToken(): string | null {
    return this.#state?.refreshToken ?? null;
  }

  /** The access token held now, valid or not; tells whether a 401 came from a stale token. */
  get currentAccessToken(): string | null {
    return this.#state?.access?.token ?? null;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Loads the stored session once (app start); true when signed in. */
  restore(): Promise<boolean> {
    if (!this.#loading) {
      const loaded = this.#opts.store.load();
      if (loaded instanceof Promise) {
        this.#loading = loaded.then((s) => {
          this.#state ??= s;
        });
      } else {
        this.#state ??= loaded;
        this.#loading = Promise.resolve();
      }
    }
    return this.#loading.then(() => this.signedIn);
  }

  /** After sign-in, sign-up or a refresh. */
  async start(tokens: SessionTokens): Promise<void> {
    const wasSignedIn = this.signedIn;
    await this.#save(tokens, tokens.user ?? this.#state?.user ?? null);
    if (!wasSignedIn || tokens.user) this.#emit();
  }

  /** Forgets the session here; the caller revokes the refresh token on the server first when it can. */
  async end(): Promise<void> {
    const wasSignedIn = this.signedIn;
    clearTimeout(this.#timer);
    this.#state = null;
    this.#loading = Promise.resolve();
    await this.#opts.store.clear();
    if (wasSignedIn) this.#emit();
  }

  /** A valid access token, refreshing first when it is missing or about to expire; null when signed out. */
  async getAccessToken(): Promise<string | null> {
    await this.restore();
    const s = this.#state;
    if (!s) return null;
    if (s.access && s.access.expiresAt - this.#opts.now() > this.#opts.leewayMs) return s.access.token;
    return this.refresh();
  }

  /**
   * Refreshes once for everyone waiting. With `staleToken` (the token a request was refused with), a refresh that
   * already replaced that token is reused instead of rotating again.
   */
  refresh(staleToken?: string): Promise<string | null> {
    const access = this.#state?.access;
    if (staleToken && access && access.token !== staleToken && access.expiresAt > this.#opts.now()) {
      return Promise.resolve(access.token);
    }
    const run = () => this.#refreshLocked();
    this.#inflight ??= (this.#opts.lock ? this.#opts.lock(run) : run()).finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  async #refreshLocked(): Promise<string | null> {
    await this.restore();
    // Read again inside the lock: another tab may have rotated the token (or signed out) while this one waited.
    const refreshToken = (await this.#opts.store.load())?.refreshToken;
    if (!refreshToken || !this.#state) {
      await this.end();
      return null;
    }
    try {
      const tokens = await this.#opts.refresh(refreshToken);
      await this.#save(tokens, tokens.user ?? this.#state?.user ?? null);
      return tokens.accessToken;
    } catch (err) {
      if (isSessionRefusal(err)) {
        await this.end();
        return null;
      }
      // Offline or rate-limited: keep the session; the next call (or the timer) tries again.
      if (this.#opts.refreshAhead) this.#schedule(this.#opts.retryAfterMs);
      throw err;
    }
  }

  async #save(tokens: SessionTokens, user: SessionUser | null): Promise<void> {
    const expiresAt = new Date(tokens.accessTokenExpiresAt).getTime();
    this.#state = { refreshToken: tokens.refreshToken, access: { token: tokens.accessToken, expiresAt }, user };
    this.#loading = Promise.resolve();
    await this.#opts.store.save(this.#state);
    if (this.#opts.refreshAhead) this.#schedule(expiresAt - this.#opts.leewayMs - this.#opts.now());
  }

  #schedule(inMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        this.refresh().catch(() => undefined);
      },
      Math.max(1_000, inMs),
    );
  }

  #emit(): void {
    const snapshot = { signedIn: this.signedIn, user: this.user };
    for (const l of this.#listeners) l(snapshot);
  }
}

/**
 * Wraps fetch for API calls: a request that carried an access token and was answered 401 is sent once more after a
 * refresh. Calls without a token (sign-in, refresh itself) are never retried.
 */
export function withRefreshOnUnauthorized(
  session: Pick<TokenSession, 'refresh'>,
  baseFetch: typeof fetch,
): typeof fetch {
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

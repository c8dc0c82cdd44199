// The operator's signed-in session. Tokens live in secure storage (Keychain / Keystore through expo-secure-store),
// so the app stays signed in across launches. The access token is refreshed silently shortly before it expires and
// once after an UNAUTHORIZED answer; refreshes are single-flight, because refresh tokens rotate and presenting a
// rotated one revokes the whole session.
import { TRPCClientError } from '@arvlite/client';
import { readJson, serialized, writeJson, type KeyValueStore } from '../lib/key-value-store.ts';

export interface OperatorUser {
  id: string;
  email: string;
  name: string;
}

export interface SessionTokens {
  accessToken: string;
  accessTokenExpiresAt: Date | string;
  refreshToken: string;
  user?: OperatorUser;
}

interface Stored {
  accessToken: string;
  expiresAt: number;
  refreshToken: string;
  user: OperatorUser | null;
}

export class SessionEndedError extends Error {
  constructor(message = 'Your session has ended; sign in again') {
    super(message);
    this.name = 'SessionEndedError';
  }
}

export interface OperatorSessionOptions {
  secrets: KeyValueStore;
  /** auth.refresh through a client without a token. */
  refresh: (refreshToken: string) => Promise<SessionTokens>;
  now?: () => number;
  leewayMs?: number;
}

const KEY = 'operator.session';
const isStored = (v: unknown): v is Stored =>
  typeof v === 'object' && v !== null && typeof (v as Stored).refreshToken === 'string' && typeof (v as Stored).accessToken === 'string';

type Listener = (user: OperatorUser | null) => void;

export class OperatorSession {
  readonly #opts: Required<OperatorSessionOptions>;
  readonly #exclusive = serialized();
  #state: Stored | null = null;
  #loaded = false;
  #inflight: Promise<string | null> | null = null;
  readonly #listeners = new Set<Listener>();

  constructor(opts: OperatorSessionOptions) {
    this.#opts = { now: () => Date.now(), leewayMs: 60_000, ...opts };
  }

  get user(): OperatorUser | null {
    return this.#state?.user ?? null;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Loads the stored session (app launch); true when signed in. */
  async restore(): Promise<boolean> {
    if (!this.#loaded) {
      this.#state = await readJson(this.#opts.secrets, KEY, isStored);
      this.#loaded = true;
    }
    return this.#state !== null;
  }

  async start(tokens: SessionTokens): Promise<void> {
    await this.#save(tokens, tokens.user ?? this.#state?.user ?? null);
    this.#emit();
  }

  /** Forgets the session on this device; the caller revokes the refresh token on the server first when it can. */
  async end(): Promise<void> {
    this.#state = null;
    this.#loaded = true;
    await this.#opts.secrets.delete(KEY);
    this.#emit();
  }

  get refreshToken(): string | null {
    return this.#state?.refreshToken ?? null;
  }

  /** A valid access token, refreshing first when it is about to expire; null when signed out. */
  async getAccessToken(): Promise<string | null> {
    await this.restore();
    const s = this.#state;
    if (!s) return null;
    if (s.expiresAt - this.#opts.now() > this.#opts.leewayMs) return s.accessToken;
    return this.refresh();
  }

  /**
   * Refreshes once for everyone waiting. With `staleToken` (what a request was refused with), a refresh that already
   * replaced that token is reused instead of rotating again.
   */
  refresh(staleToken?: string): Promise<string | null> {
    const s = this.#state;
    if (staleToken && s && s.accessToken !== staleToken && s.expiresAt > this.#opts.now()) return Promise.resolve(s.accessToken);
    this.#inflight ??= this.#exclusive(() => this.#refresh()).finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  async #refresh(): Promise<string | null> {
    await this.restore();
    const s = this.#state;
    if (!s) return null;
    try {
      const tokens = await this.#opts.refresh(s.refreshToken);
      await this.#save(tokens, tokens.user ?? s.user);
      return tokens.accessToken;
    } catch (err) {
      if (err instanceof SessionEndedError || isRefusal(err)) {
        await this.end();
        return null;
      }
      // Offline or rate-limited: keep the session; the next request tries again.
      throw err;
    }
  }

  async #save(tokens: SessionTokens, user: OperatorUser | null): Promise<void> {
    this.#state = {
      accessToken: tokens.accessToken,
      expiresAt: new Date(tokens.accessTokenExpiresAt).getTime(),
      refreshToken: tokens.refreshToken,
      user,
    };
    this.#loaded = true;
    await writeJson(this.#opts.secrets, KEY, this.#state);
  }

  #emit(): void {
    for (const l of this.#listeners) l(this.user);
  }
}

function isRefusal(err: unknown): boolean {
  if (!(err instanceof TRPCClientError)) return false;
  const code = (err.data as { code?: string } | undefined)?.code;
  return code === 'UNAUTHORIZED' || code === 'BAD_REQUEST' || code === 'FORBIDDEN';
}

/**
 * Wraps fetch for API calls: a request that carried an access token and was answered 401 is sent once more after a
 * refresh. Calls without a token (sign-in, refresh itself) are never retried.
 */
export function withRefreshOnUnauthorized(session: OperatorSession, baseFetch: typeof fetch): typeof fetch {
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

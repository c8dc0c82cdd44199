import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REFRESH_TOKEN_KEY, Session, SessionEndedError, withRefreshOnUnauthorized, type SessionTokens } from './session.ts';

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    map: m,
  };
}

/** A stand-in for auth.refresh that rotates like the server: each refresh token works once. */
function rotatingServer(start = 0) {
  let n = start;
  const valid = new Set<string>();
  const issue = (): SessionTokens => {
    n += 1;
    const t = { accessToken: `access-${n}`, refreshToken: `refresh-${n}`, accessTokenExpiresAt: new Date(Date.now() + 15 * 60_000) };
    valid.add(t.refreshToken);
    return t;
  };
  const refresh = vi.fn(async (token: string) => {
    await Promise.resolve();
    if (!valid.delete(token)) throw new SessionEndedError();
    return issue();
  });
  return { issue, refresh };
}

describe('Session', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps the access token in memory and only the refresh token in storage', () => {
    const storage = memoryStorage();
    const server = rotatingServer();
    const s = new Session({ storage, refresh: server.refresh, lock: (fn) => fn() });
    s.start(server.issue());
    expect([...storage.map.entries()]).toEqual([[REFRESH_TOKEN_KEY, 'refresh-1']]);
    expect(s.signedIn).toBe(true);
  });

  it('returns the current token while it is fresh and refreshes once for concurrent callers when it is not', async () => {
    const storage = memoryStorage();
    const server = rotatingServer();
    const s = new Session({ storage, refresh: server.refresh, lock: (fn) => fn() });
    s.start(server.issue());
    expect(await s.getAccessToken()).toBe('access-1');
    expect(server.refresh).not.toHaveBeenCalled();

    vi.setSystemTime(Date.now() + 15 * 60_000); // expired
    const tokens = await Promise.all([s.getAccessToken(), s.getAccessToken(), s.getAccessToken()]);
    expect(tokens).toEqual(['access-2', 'access-2', 'access-2']);
    expect(server.refresh).toHaveBeenCalledTimes(1);
    expect(storage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-2');
  });

  it('refreshes on its own a minute before the access token expires', async () => {
    const server = rotatingServer();
    const s = new Session({ storage: memoryStorage(), refresh: server.refresh, lock: (fn) => fn() });
    s.start(server.issue());
    await vi.advanceTimersByTimeAsync(13 * 60_000);
    expect(server.refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(60_000 + 1_000);
    expect(server.refresh).toHaveBeenCalledTimes(1);
    expect(s.currentAccessToken).toBe('access-2');
  });

  it('after a reload, gets an access token from the stored refresh token', async () => {
    const storage = memoryStorage();
    const server = rotatingServer();
    storage.setItem(REFRESH_TOKEN_KEY, server.issue().refreshToken);
    const s = new Session({ storage, refresh: server.refresh, lock: (fn) => fn() });
    expect(s.currentAccessToken).toBeNull();
    expect(await s.getAccessToken()).toBe('access-2');
  });

  it('ends the session when the server refuses the refresh token, and tells listeners', async () => {
    const storage = memoryStorage();
    const server = rotatingServer();
    storage.setItem(REFRESH_TOKEN_KEY, 'revoked-token');
    const s = new Session({ storage, refresh: server.refresh, lock: (fn) => fn() });
    const seen: boolean[] = [];
    s.subscribe((v) => seen.push(v));
    expect(await s.getAccessToken()).toBeNull();
    expect(storage.getItem(REFRESH_TOKEN_KEY)).toBeNull();
    expect(seen).toEqual([false]);
  });

  it('keeps the session through a network failure and tries again later', async () => {
    const storage = memoryStorage();
    const server = rotatingServer();
    storage.setItem(REFRESH_TOKEN_KEY, server.issue().refreshToken);
    let offline = true;
    const refresh = vi.fn(async (t: string) => {
      if (offline) throw new TypeError('Failed to fetch');
      return server.refresh(t);
    });
    const s = new Session({ storage, refresh, lock: (fn) => fn(), retryAfterMs: 5_000 });
    await expect(s.getAccessToken()).rejects.toThrow('Failed to fetch');
    expect(s.signedIn).toBe(true);
    offline = false;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(s.currentAccessToken).toBe('access-2');
  });

  it('never presents a rotated token when two tabs refresh: each reads the latest one inside the lock', async () => {
    const storage = memoryStorage(); // localStorage is shared by the tabs
    const server = rotatingServer();
    storage.setItem(REFRESH_TOKEN_KEY, server.issue().refreshToken);
    let chain = Promise.resolve();
    const lock = <T>(fn: () => Promise<T>) => {
      const run = chain.then(fn);
      chain = run.then(() => undefined, () => undefined);
      return run;
    };
    const tabA = new Session({ storage, refresh: server.refresh, lock });
    const tabB = new Session({ storage, refresh: server.refresh, lock });
    const [a, b] = await Promise.all([tabA.getAccessToken(), tabB.getAccessToken()]);
    expect([a, b]).toEqual(['access-2', 'access-3']);
    expect(tabA.signedIn && tabB.signedIn).toBe(true);
    expect(storage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-3');
  });

  it('follows a sign-out in another tab', () => {
    const storage = memoryStorage();
    const server = rotatingServer();
    const s = new Session({ storage, refresh: server.refresh, lock: (fn) => fn() });
    s.start(server.issue());
    storage.removeItem(REFRESH_TOKEN_KEY);
    s.onStorageChange(REFRESH_TOKEN_KEY, null);
    expect(s.currentAccessToken).toBeNull();
  });
});

describe('withRefreshOnUnauthorized', () => {
  const ok = () => new Response('{}', { status: 200 });
  const unauthorized = () => new Response('{}', { status: 401 });

  it('refreshes once and resends a call that carried an expired token', async () => {
    const server = rotatingServer();
    const s = new Session({ storage: memoryStorage(), refresh: server.refresh, lock: (fn) => fn() });
    s.start(server.issue());
    const seen: (string | null)[] = [];
    const f = withRefreshOnUnauthorized(s, async (_input, init) => {
      const auth = new Headers(init?.headers).get('authorization');
      seen.push(auth);
      return auth === 'Bearer access-2' ? ok() : unauthorized();
    });
    const res = await f('/trpc/auth.me', { headers: { authorization: 'Bearer access-1' } });
    expect(res.status).toBe(200);
    expect(seen).toEqual(['Bearer access-1', 'Bearer access-2']);
    expect(server.refresh).toHaveBeenCalledTimes(1);
  });

  it('gives up after one retry, and never retries a call made without a token', async () => {
    const server = rotatingServer();
    const s = new Session({ storage: memoryStorage(), refresh: server.refresh, lock: (fn) => fn() });
    s.start(server.issue());
    const base = vi.fn(async () => unauthorized());
    const f = withRefreshOnUnauthorized(s, base);
    expect((await f('/trpc/video.list', { headers: { authorization: 'Bearer access-1' } })).status).toBe(401);
    expect(base).toHaveBeenCalledTimes(2);
    base.mockClear();
    expect((await f('/trpc/auth.login', { method: 'POST' })).status).toBe(401);
    expect(base).toHaveBeenCalledTimes(1);
  });

  it('reuses a refresh another request already made instead of rotating again', async () => {
    const server = rotatingServer();
    const s = new Session({ storage: memoryStorage(), refresh: server.refresh, lock: (fn) => fn() });
    s.start(server.issue());
    await s.refresh(); // access-2 now current
    const f = withRefreshOnUnauthorized(s, async (_i, init) => (new Headers(init?.headers).get('authorization') === 'Bearer access-2' ? ok() : unauthorized()));
    expect((await f('/trpc/x', { headers: { authorization: 'Bearer access-1' } })).status).toBe(200);
    expect(server.refresh).toHaveBeenCalledTimes(1);
  });
});

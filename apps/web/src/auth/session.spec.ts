// The dashboard's storage choices and the behaviour across tabs; the shared refresh logic is tested in
// packages/client/src/session.spec.ts.
import { SessionEndedError, type SessionTokens } from '@arvlite/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebSession, followOtherTabs, REFRESH_TOKEN_KEY } from './session.ts';

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
function rotatingServer() {
  let n = 0;
  const valid = new Set<string>();
  const issue = (): SessionTokens => {
    n += 1;
    const t = {
      accessToken: `access-${n}`,
      refreshToken: `refresh-${n}`,
      accessTokenExpiresAt: new Date(Date.now() + 15 * 60_000),
    };
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

describe('web session', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps the access token in memory and only the refresh token in storage', async () => {
    const storage = memoryStorage();
    const server = rotatingServer();
    const s = createWebSession({ storage, refresh: server.refresh, lock: (fn) => fn() });
    await s.start(server.issue());
    expect([...storage.map.entries()]).toEqual([[REFRESH_TOKEN_KEY, 'refresh-1']]);
    expect(s.signedIn).toBe(true);
  });

  it('is signed in at once after a reload, and gets an access token from the stored refresh token', async () => {
    const storage = memoryStorage();
    const server = rotatingServer();
    storage.setItem(REFRESH_TOKEN_KEY, server.issue().refreshToken);
    const s = createWebSession({ storage, refresh: server.refresh, lock: (fn) => fn() });
    expect(s.signedIn).toBe(true);
    expect(s.currentAccessToken).toBeNull();
    expect(await s.getAccessToken()).toBe('access-2');
  });

  it('refreshes on its own a minute before the access token expires', async () => {
    const server = rotatingServer();
    const s = createWebSession({ storage: memoryStorage(), refresh: server.refresh, lock: (fn) => fn() });
    await s.start(server.issue());
    await vi.advanceTimersByTimeAsync(13 * 60_000);
    expect(server.refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(60_000 + 1_000);
    expect(server.refresh).toHaveBeenCalledTimes(1);
    expect(s.currentAccessToken).toBe('access-2');
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
    const s = createWebSession({ storage, refresh, lock: (fn) => fn(), retryAfterMs: 5_000 });
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
      chain = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    };
    const tabA = createWebSession({ storage, refresh: server.refresh, lock });
    const tabB = createWebSession({ storage, refresh: server.refresh, lock });
    const [a, b] = await Promise.all([tabA.getAccessToken(), tabB.getAccessToken()]);
    expect([a, b]).toEqual(['access-2', 'access-3']);
    expect(tabA.signedIn && tabB.signedIn).toBe(true);
    expect(storage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-3');
  });

  it('follows a sign-out in another tab', async () => {
    const storage = memoryStorage();
    const server = rotatingServer();
    const s = createWebSession({ storage, refresh: server.refresh, lock: (fn) => fn() });
    await s.start(server.issue());
    const seen: boolean[] = [];
    s.subscribe(({ signedIn }) => seen.push(signedIn));
    storage.removeItem(REFRESH_TOKEN_KEY);
    followOtherTabs(s, REFRESH_TOKEN_KEY, null);
    await vi.runAllTicks();
    expect(s.currentAccessToken).toBeNull();
    expect(seen).toEqual([false]);
  });
});

// The refresh logic both apps share, with an in-memory store. The apps' own specs cover where they keep tokens.
import { describe, expect, it, vi } from 'vitest';
import {
  SessionEndedError,
  TokenSession,
  withRefreshOnUnauthorized,
  type SessionStore,
  type SessionTokens,
  type StoredSession,
} from './session.ts';

/** An asynchronous store, like secure storage on a phone. */
function memoryStore(initial: StoredSession | null = null) {
  let value = initial ? structuredClone(initial) : null;
  const store: SessionStore & { peek(): StoredSession | null } = {
    load: async () => (value ? structuredClone(value) : null),
    save: async (s) => void (value = structuredClone(s)),
    clear: async () => void (value = null),
    peek: () => value,
  };
  return store;
}

/** A stand-in for auth.refresh that rotates like the server: each refresh token works once. */
function rotatingServer(clock: { now: number }) {
  let n = 0;
  const valid = new Set<string>();
  const issue = (): SessionTokens => {
    n += 1;
    const t = {
      accessToken: `access-${n}`,
      refreshToken: `refresh-${n}`,
      accessTokenExpiresAt: new Date(clock.now + 15 * 60_000),
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

function setup(initial: StoredSession | null = null) {
  const clock = { now: 1_700_000_000_000 };
  const server = rotatingServer(clock);
  const store = memoryStore(initial);
  const session = new TokenSession({ store, refresh: server.refresh, now: () => clock.now });
  return { clock, server, store, session };
}

const user = { id: 'u1', email: 'ops@example.com', name: 'Ops' };

describe('TokenSession', () => {
  it('returns the current token while it is fresh and refreshes once for concurrent callers when it is not', async () => {
    const { clock, server, store, session } = setup();
    await session.start({ ...server.issue(), user });
    expect(await session.getAccessToken()).toBe('access-1');
    expect(server.refresh).not.toHaveBeenCalled();

    clock.now += 15 * 60_000; // expired
    const tokens = await Promise.all([session.getAccessToken(), session.getAccessToken(), session.getAccessToken()]);
    expect(tokens).toEqual(['access-2', 'access-2', 'access-2']);
    expect(server.refresh).toHaveBeenCalledTimes(1);
    // The user survives a refresh that does not name one.
    expect(store.peek()).toMatchObject({ refreshToken: 'refresh-2', access: { token: 'access-2' }, user });
  });

  it('restores a stored session (app restart) and uses its access token without refreshing', async () => {
    const first = setup();
    await first.session.start({ ...first.server.issue(), user });
    const restarted = new TokenSession({
      store: first.store,
      refresh: first.server.refresh,
      now: () => first.clock.now,
    });
    expect(restarted.signedIn).toBe(false);
    expect(await restarted.restore()).toBe(true);
    expect(restarted.user).toEqual(user);
    expect(await restarted.getAccessToken()).toBe('access-1');
    expect(first.server.refresh).not.toHaveBeenCalled();
  });

  it('ends the session when the server refuses the refresh token, and tells listeners', async () => {
    const { session, store } = setup({ refreshToken: 'revoked-token', access: null, user: null });
    const seen: unknown[] = [];
    session.subscribe((s) => seen.push(s));
    expect(await session.getAccessToken()).toBeNull();
    expect(store.peek()).toBeNull();
    expect(seen).toEqual([{ signedIn: false, user: null }]);
  });

  it('keeps the session through a network failure; the next call tries again', async () => {
    const { clock, server, session } = setup();
    await session.start(server.issue());
    clock.now += 15 * 60_000;
    server.refresh.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(session.getAccessToken()).rejects.toThrow('Failed to fetch');
    expect(session.signedIn).toBe(true);
    expect(await session.getAccessToken()).toBe('access-2');
  });

  it('signs out when the store was cleared elsewhere before a refresh', async () => {
    const { clock, server, store, session } = setup();
    await session.start(server.issue());
    await store.clear();
    clock.now += 15 * 60_000;
    expect(await session.getAccessToken()).toBeNull();
    expect(session.signedIn).toBe(false);
    expect(server.refresh).not.toHaveBeenCalled();
  });
});

describe('withRefreshOnUnauthorized', () => {
  const ok = () => new Response('{}', { status: 200 });
  const unauthorized = () => new Response('{}', { status: 401 });

  it('refreshes once and resends a call that carried an expired token', async () => {
    const { server, session } = setup();
    await session.start(server.issue());
    const seen: (string | null)[] = [];
    const f = withRefreshOnUnauthorized(session, async (_input, init) => {
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
    const { server, session } = setup();
    await session.start(server.issue());
    const base = vi.fn(async () => unauthorized());
    const f = withRefreshOnUnauthorized(session, base);
    expect((await f('/trpc/video.list', { headers: { authorization: 'Bearer access-1' } })).status).toBe(401);
    expect(base).toHaveBeenCalledTimes(2);
    base.mockClear();
    expect((await f('/trpc/auth.login', { method: 'POST' })).status).toBe(401);
    expect(base).toHaveBeenCalledTimes(1);
  });

  it('reuses a refresh another request already made instead of rotating again', async () => {
    const { server, session } = setup();
    await session.start(server.issue());
    await session.refresh(); // access-2 now current
    const f = withRefreshOnUnauthorized(session, async (_i, init) =>
      new Headers(init?.headers).get('authorization') === 'Bearer access-2' ? ok() : unauthorized(),
    );
    expect((await f('/trpc/x', { headers: { authorization: 'Bearer access-1' } })).status).toBe(200);
    expect(server.refresh).toHaveBeenCalledTimes(1);
  });
});

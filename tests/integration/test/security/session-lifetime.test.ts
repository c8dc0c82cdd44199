// Refresh sessions have an absolute lifetime (security review, finding 15): rotation renews the refresh token but
// never beyond AUTH_SESSION_MAX_DAYS from the sign-in that started the session.
import { createTestDeps } from '@arvlite/test-utils';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { callerAt, signUp } from '../../src/index.ts';

const DAY = 86_400_000;
let deps: Awaited<ReturnType<typeof createTestDeps>>;
beforeAll(async () => {
  deps = await createTestDeps({ AUTH_REFRESH_TOKEN_TTL_DAYS: '30', AUTH_SESSION_MAX_DAYS: '90' });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('refresh session lifetime', () => {
  it('rotation keeps a session alive only until its absolute end', async () => {
    const u = await signUp(deps);
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    const c = callerAt(deps, u.ip);
    let refreshToken = u.refreshToken;
    // Every 25 days, within the 30-day refresh lifetime: each rotation works until day 90.
    for (const day of [25, 50, 75, 89]) {
      vi.setSystemTime(start + day * DAY);
      refreshToken = (await c.auth.refresh({ refreshToken })).refreshToken;
    }
    vi.setSystemTime(start + 91 * DAY);
    const e = await c.auth.refresh({ refreshToken }).catch((err: unknown) => err as TRPCError);
    expect(e).toBeInstanceOf(TRPCError);
    expect((e as TRPCError).code).toBe('UNAUTHORIZED');
  });

  it('a new sign-in starts a new session with its own end', async () => {
    const u = await signUp(deps);
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: start + 200 * DAY });
    const c = callerAt(deps, u.ip);
    const s = await c.auth.login({ email: u.email, password: u.password });
    vi.setSystemTime(start + 225 * DAY);
    const next = await c.auth.refresh({ refreshToken: s.refreshToken });
    vi.setSystemTime(start + 250 * DAY);
    expect((await c.auth.refresh({ refreshToken: next.refreshToken })).user.id).toBe(u.userId);
  });
});

// A revoked session ends its access tokens at once, not when they expire: signing out, a password change elsewhere or
// a revoked session on the profile page must lock out whoever holds that session's access token (a stolen laptop).
import { createTestDeps } from '@arvlite/test-utils';
import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { callerAt, signUp } from '../../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
beforeAll(async () => {
  deps = await createTestDeps();
});

async function refused(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TRPCError);
  return (e as TRPCError).code;
}

describe('revoked sessions', () => {
  it('auth.logout ends the access token of that session at once', async () => {
    const u = await signUp(deps);
    expect((await u.caller.auth.me()).user.id).toBe(u.userId);
    await callerAt(deps, u.ip).auth.logout({ refreshToken: u.refreshToken });
    expect(await refused(u.caller.auth.me())).toBe('UNAUTHORIZED');
  });

  it('a session revoked from another device stops working; the device revoking it keeps working', async () => {
    const u = await signUp(deps);
    const other = await callerAt(deps, u.ip).auth.login({ email: u.email, password: u.password });
    const otherCaller = callerAt(deps, u.ip, other.accessToken);
    const sessions = await u.caller.auth.sessions();
    const victim = sessions.find((s) => !s.current);
    expect(victim).toBeDefined();
    await u.caller.auth.revokeSession({ sessionId: victim!.id });
    expect(await refused(otherCaller.auth.me())).toBe('UNAUTHORIZED');
    expect((await u.caller.auth.me()).user.id).toBe(u.userId);
  });
});

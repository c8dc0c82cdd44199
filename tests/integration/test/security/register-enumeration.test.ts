// auth.register does not tell whether an email has an account (security review, finding 14): a taken email gets
// the same answer as a new one and nothing changes for its account; the session comes from signing in.
import { RefreshToken, User } from '@arvlite/db';
import { createTestDeps } from '@arvlite/test-utils';
import type { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { callerAt, randomIp, signUp } from '../../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
beforeAll(async () => {
  deps = await createTestDeps();
});

describe('auth.register', () => {
  it('answers a taken email exactly as a new one, and leaves the account alone', async () => {
    const victim = await signUp(deps);
    const em = deps.orm.fork();
    const sessionsBefore = await em.count(RefreshToken, { user: victim.userId });
    const attacker = callerAt(deps, randomIp());
    const taken = await attacker.auth.register({
      email: victim.email.toUpperCase(),
      password: 'attackers-own-password-1',
      name: 'Mallory',
    });
    const fresh = await attacker.auth.register({
      email: `new-${Date.now()}@example.com`,
      password: 'attackers-own-password-1',
      name: 'Mallory',
    });
    expect(taken).toEqual(fresh);
    expect(JSON.stringify(taken)).not.toMatch(/token|user|id/i);

    const stored = await deps.orm.fork().findOneOrFail(User, { email: victim.email });
    expect(stored.name).toBe('Test User');
    expect(await deps.orm.fork().count(RefreshToken, { user: victim.userId })).toBe(sessionsBefore);
    // The owner's password still works, and the attacker's does not.
    expect(
      (await callerAt(deps, victim.ip).auth.login({ email: victim.email, password: victim.password })).user.id,
    ).toBe(victim.userId);
    const e = await attacker.auth
      .login({ email: victim.email, password: 'attackers-own-password-1' })
      .catch((err: unknown) => err as TRPCError);
    expect((e as TRPCError).code).toBe('UNAUTHORIZED');
  });

  it('a new email signs in right after registering, as the apps do', async () => {
    const u = await signUp(deps);
    expect((await u.caller.auth.me()).user.email).toBe(u.email);
  });
});

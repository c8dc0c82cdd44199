// Login lockout (security review, finding 11): failures, not attempts, are counted, per account and client address,
// so nobody can lock a victim out from elsewhere, and an attacker's own address is still stopped.
import { createTestDeps } from '@arvlite/test-utils';
import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { callerAt, signUp } from '../../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
beforeAll(async () => {
  deps = await createTestDeps();
});

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  return p.then(
    () => null,
    (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
  );
}

describe('login lockout', () => {
  it("failures from one address do not lock the account's owner out elsewhere", async () => {
    const victim = await signUp(deps, { ip: '10.20.0.1' });
    const attacker = callerAt(deps, '10.66.0.1');
    const codes: (string | null)[] = [];
    for (let i = 0; i < 15; i++) {
      codes.push(await codeOf(attacker.auth.login({ email: victim.email, password: `wrong-password-${i}` })));
    }
    // The attacker's address is stopped...
    expect(codes.at(-1)).toBe('TOO_MANY_REQUESTS');
    expect(codes.filter((c) => c === 'UNAUTHORIZED').length).toBeLessThanOrEqual(10);
    expect(await codeOf(attacker.auth.login({ email: victim.email, password: victim.password }))).toBe(
      'TOO_MANY_REQUESTS',
    );
    // ...while the owner, from their own address, signs in.
    const s = await callerAt(deps, '10.20.0.1').auth.login({ email: victim.email, password: victim.password });
    expect(s.user.id).toBe(victim.userId);
  });

  it('successful sign-ins do not count towards the lockout', async () => {
    const u = await signUp(deps, { ip: '10.21.0.1' });
    const c = callerAt(deps, '10.21.0.1');
    for (let i = 0; i < 15; i++) {
      expect(await codeOf(c.auth.login({ email: u.email, password: u.password }))).toBeNull();
    }
  });
});

// Tenant procedures check the caller live on every call, although an access token's signature and claims are
// verified once and cached for its lifetime (packages/api/src/auth/tokens.ts): each test first makes a successful
// call, so the token is in the cache, then changes what the token cannot know.
import { TRPCClientError, type AppRouter } from '@arvlite/client';
import { Membership, User } from '@arvlite/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform, type TestUser } from '../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  platform = await startTestPlatform();
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCClientError);
    return (e as TRPCClientError<AppRouter>).data?.code;
  }
  return 'OK';
}

/** A user with a company, after one successful tenant read (its token verified and cached). */
async function memberAfterOneRead(): Promise<{ u: TestUser; companyId: string }> {
  const u = await registerUser(platform.client);
  const company = await u.client.company.create.mutate({ name: 'Live Checks Ltd', timezone: 'UTC' });
  expect((await u.client.company.byId.query({ id: company.id })).id).toBe(company.id);
  expect((await u.client.project.list.query({ companyId: company.id })).items).toBeDefined();
  return { u, companyId: company.id };
}

describe('tenant procedures with a cached access token', () => {
  it('refuse it once its session is signed out', async () => {
    const { u, companyId } = await memberAfterOneRead();
    await platform.client().auth.logout.mutate({ refreshToken: u.refreshToken });
    expect(await codeOf(u.client.company.byId.query({ id: companyId }))).toBe('UNAUTHORIZED');
    expect(await codeOf(u.client.project.list.query({ companyId }))).toBe('UNAUTHORIZED');
  });

  it('refuse it once the user is disabled', async () => {
    const { u, companyId } = await memberAfterOneRead();
    await platform.deps.orm.fork().nativeUpdate(User, { id: u.userId }, { disabledAt: new Date() });
    expect(await codeOf(u.client.company.byId.query({ id: companyId }))).toBe('UNAUTHORIZED');
  });

  it('answer NOT_FOUND once the membership is gone', async () => {
    const { u, companyId } = await memberAfterOneRead();
    await platform.deps.orm.fork().nativeDelete(Membership, { user: u.userId, company: companyId });
    expect(await codeOf(u.client.company.byId.query({ id: companyId }))).toBe('NOT_FOUND');
    // The token itself is still good: the caller's own account answers, without the company.
    const me = await u.client.auth.me.query();
    expect(me.user.id).toBe(u.userId);
    expect(me.memberships.map((m) => m.companyId)).not.toContain(companyId);
  });
});

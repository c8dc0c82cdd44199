// Email verification (security review, finding 4): an OpenID Connect identity links only to an account whose email
// was verified, and only a verified email accepts an invitation. Tokens are long, random to anyone without the
// server's key, stored as SHA-256, single-use and short-lived; the outbox event carries ids, never the token.
import { OidcIdentity, OutboxEvent, User } from '@arvlite/db';
import { createTestDeps } from '@arvlite/test-utils';
import { TRPCError } from '@trpc/server';
import { OAuth2Server } from 'oauth2-mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerAt, issuedVerificationToken, randomIp, signUp, verifyEmailOf } from '../../src/index.ts';

const oidcServer = new OAuth2Server();
let nextClaims: Record<string, unknown> = {};
let deps: Awaited<ReturnType<typeof createTestDeps>>;

beforeAll(async () => {
  await oidcServer.issuer.keys.generate('RS256');
  await oidcServer.start(0, '127.0.0.1');
  oidcServer.service.on('beforeTokenSigning', (token) => Object.assign(token.payload, nextClaims));
  deps = await createTestDeps({
    OIDC_PROVIDERS: JSON.stringify([
      { id: 'mock', issuer: oidcServer.issuer.url, clientId: 'arvlite-web', clientSecret: 'shh', allowInsecure: true },
    ]),
  });
});
afterAll(async () => {
  await oidcServer.stop();
});

async function failure(p: Promise<unknown>): Promise<TRPCError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TRPCError);
  return e as TRPCError;
}
const reasonOf = (e: TRPCError) => (e.cause as { details?: { reason?: string } } | undefined)?.details?.reason;

/** Signs in with the mock provider, as a browser would, with the given ID-token claims. */
async function oidcSignIn(claims: Record<string, unknown>) {
  nextClaims = claims;
  const anon = callerAt(deps, randomIp());
  const started = (await anon.auth.oidcStart({
    provider: 'mock',
    redirectUri: `${deps.config.http.publicUrl}/auth/callback/mock`,
  })) as { authorizationUrl: string; binding?: string };
  const res = await fetch(started.authorizationUrl, { redirect: 'manual' });
  const callbackUrl = res.headers.get('location')!;
  return anon.auth.oidcCallback({
    provider: 'mock',
    callbackUrl,
    ...(started.binding ? { binding: started.binding } : {}),
  } as never);
}

describe('email verification', () => {
  it('an OIDC identity never lands in an unverified account that holds its email', async () => {
    // The attacker registers the victim's address first, with a password of their own.
    const squatted = await signUp(deps, { email: 'victim-1@example.com' });
    const e = await failure(oidcSignIn({ sub: 'victim-1', email: 'victim-1@example.com', email_verified: true }));
    expect(e.code).toBe('CONFLICT');
    expect(reasonOf(e)).toBe('ACCOUNT_EMAIL_UNVERIFIED');
    const em = deps.orm.fork();
    expect(await em.count(OidcIdentity, { subject: 'victim-1' })).toBe(0);
    expect(await em.count(User, { email: 'victim-1@example.com' })).toBe(1);

    // Once the address is verified (whoever proves the mailbox owns the account), the provider links to it.
    await verifyEmailOf(deps, squatted);
    const linked = await oidcSignIn({ sub: 'victim-1', email: 'victim-1@example.com', email_verified: true });
    expect(linked.user.id).toBe(squatted.userId);
  });

  it('a provider that asserts email_verified makes a new account verified', async () => {
    const s = await oidcSignIn({ sub: 'fresh-1', email: 'fresh-1@example.com', email_verified: true });
    expect(s.user.emailVerified).toBe(true);
    const row = await deps.orm.fork().findOneOrFail(User, { id: s.user.id });
    expect(row.emailVerifiedAt).toBeInstanceOf(Date);
  });

  it('accepting an invitation needs a verified email (PRECONDITION_FAILED, EMAIL_NOT_VERIFIED)', async () => {
    const owner = await signUp(deps);
    const invitee = await signUp(deps);
    const company = await owner.caller.company.create({ name: 'Verified Only' });
    const inv = await owner.caller.member.invite({ companyId: company.id, email: invitee.email, role: 'editor' });
    const e = await failure(invitee.caller.auth.acceptInvite({ token: inv.token }));
    expect(e.code).toBe('PRECONDITION_FAILED');
    expect(reasonOf(e)).toBe('EMAIL_NOT_VERIFIED');
    // The invitation is still good once the invitee has verified.
    await verifyEmailOf(deps, invitee);
    expect(await invitee.caller.auth.acceptInvite({ token: inv.token })).toMatchObject({ companyId: company.id });
  });

  it('a token is issued through the outbox by ids only, stored hashed, single-use and short-lived', async () => {
    const u = await signUp(deps);
    expect((await u.caller.auth.me()).user.emailVerified).toBe(false);
    await u.caller.auth.requestEmailVerification();
    const token = await issuedVerificationToken(deps, u.userId);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const em = deps.orm.fork();
    const [row] = await em.execute<{ id: string; token_hash: string; expires_at: Date; created_at: Date }[]>(
      'select id, token_hash, expires_at, created_at from email_verification_token where user_id = ? and used_at is null',
      [u.userId],
    );
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.token_hash).not.toContain(token);
    const lifetimeMs = new Date(row!.expires_at).getTime() - new Date(row!.created_at).getTime();
    expect(lifetimeMs).toBeGreaterThan(0);
    expect(lifetimeMs).toBeLessThanOrEqual(24 * 3_600_000);
    const events = await em.find(OutboxEvent, { type: 'user.verification-requested' });
    const mine = events.filter((ev) => ev.payload.userId === u.userId);
    expect(mine.at(-1)!.payload).toEqual({ type: 'user.verification-requested', userId: u.userId, tokenId: row!.id });
    expect(JSON.stringify(events.map((ev) => ev.payload))).not.toContain(token);

    const anon = callerAt(deps, randomIp());
    expect(await anon.auth.verifyEmail({ token })).toEqual({ ok: true });
    expect((await u.caller.auth.me()).user.emailVerified).toBe(true);
    const again = await failure(anon.auth.verifyEmail({ token }));
    expect(reasonOf(again)).toBe('EMAIL_VERIFICATION_INVALID');

    // An expired token is refused.
    const late = await signUp(deps);
    await late.caller.auth.requestEmailVerification();
    const lateToken = await issuedVerificationToken(deps, late.userId);
    await em.execute("update email_verification_token set expires_at = now() - interval '1 second' where user_id = ?", [
      late.userId,
    ]);
    expect(reasonOf(await failure(anon.auth.verifyEmail({ token: lateToken })))).toBe('EMAIL_VERIFICATION_INVALID');
    expect((await late.caller.auth.me()).user.emailVerified).toBe(false);
  });
});

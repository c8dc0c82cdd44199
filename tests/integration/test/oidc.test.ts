// OpenID Connect sign-in against a real local OIDC server (oauth2-mock-server), through the real HTTP client.
import { TRPCClientError, type AppRouter } from '@arvlite/client';
import { OidcIdentity, User } from '@arvlite/db';
import { OAuth2Server } from 'oauth2-mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform, verifyEmailOf } from '../src/index.ts';

const oidcServer = new OAuth2Server();
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let nextClaims: Record<string, unknown> = {};
let REDIRECT = '';

beforeAll(async () => {
  await oidcServer.issuer.keys.generate('RS256');
  await oidcServer.start(0, '127.0.0.1');
  oidcServer.service.on('beforeTokenSigning', (token) => {
    Object.assign(token.payload, nextClaims);
  });
  platform = await startTestPlatform({
    env: {
      OIDC_PROVIDERS: JSON.stringify([
        {
          id: 'mock',
          issuer: oidcServer.issuer.url,
          clientId: 'arvlite-web',
          clientSecret: 'shh',
          label: 'Mock ID',
          allowInsecure: true,
        },
      ]),
    },
  });
  REDIRECT = `${platform.baseUrl}/auth/callback/mock`;
});
afterAll(async () => {
  await oidcServer.stop();
});

/** Starts sign-in, follows the provider's redirect like a browser would, and finishes it. */
async function signIn(claims: Record<string, unknown>) {
  nextClaims = claims;
  const c = platform.client();
  const { authorizationUrl, binding } = await c.auth.oidcStart.mutate({ provider: 'mock', redirectUri: REDIRECT });
  const url = new URL(authorizationUrl);
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  expect(url.searchParams.get('code_challenge')).toBeTruthy();
  const res = await fetch(authorizationUrl, { redirect: 'manual' });
  const callbackUrl = res.headers.get('location')!;
  expect(callbackUrl.startsWith(REDIRECT)).toBe(true);
  return { callbackUrl, finish: () => c.auth.oidcCallback.mutate({ provider: 'mock', callbackUrl, binding }) };
}

describe('OpenID Connect sign-in', () => {
  it('lists the configured providers', async () => {
    expect(await platform.client().auth.oidcProviders.query()).toEqual([{ id: 'mock', label: 'Mock ID' }]);
  });

  it('creates an account from a verified email, then signs the same subject in again', async () => {
    const first = await (
      await signIn({ sub: 'subject-1', email: 'Oidc.User@Example.com', email_verified: true, name: 'Oidc User' })
    ).finish();
    expect(first.user.email).toBe('oidc.user@example.com');
    expect(first.user.emailVerified).toBe(true);
    const again = await (
      await signIn({ sub: 'subject-1', email: 'changed@example.com', email_verified: true })
    ).finish();
    expect(again.user.id).toBe(first.user.id);
    const me = await platform.client(() => again.accessToken).auth.me.query();
    expect(me.user.id).toBe(first.user.id);
  });

  it('links to an existing password account only by verified email (both the account and the provider)', async () => {
    const existing = await registerUser(platform.client);
    await verifyEmailOf(platform.deps, existing);
    const unverified = await signIn({ sub: 'subject-2', email: existing.email, email_verified: false });
    const err = await unverified.finish().catch((e: unknown) => e as TRPCClientError<AppRouter>);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<AppRouter>).data?.code).toBe('CONFLICT');
    expect(await platform.deps.orm.fork().count(OidcIdentity, { subject: 'subject-2' })).toBe(0);

    const verified = await (
      await signIn({ sub: 'subject-3', email: existing.email.toUpperCase(), email_verified: true })
    ).finish();
    expect(verified.user.id).toBe(existing.userId);
    expect(await platform.deps.orm.fork().count(User, { email: existing.email })).toBe(1);
  });

  it('refuses a replayed callback (state is single-use)', async () => {
    const flow = await signIn({ sub: 'subject-4', email: 'replay@example.com', email_verified: true });
    await flow.finish();
    const err = await flow.finish().catch((e: unknown) => e as TRPCClientError<AppRouter>);
    expect((err as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
  });

  it('refuses redirect URIs outside the allowed origins', async () => {
    const err = await platform
      .client()
      .auth.oidcStart.mutate({ provider: 'mock', redirectUri: 'https://evil.example/cb' })
      .catch((e: unknown) => e as TRPCClientError<AppRouter>);
    expect((err as TRPCClientError<AppRouter>).data?.code).toBe('NOT_FOUND');
  });
});

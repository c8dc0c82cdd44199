// OpenID Connect login CSRF (security review, finding 12): the callback is bound to the client that started the
// sign-in by a random value only that client holds (the row keeps its hash), and oidcStart is rate-limited per
// address, its rows bounded.
import { OidcLoginState } from '@arvlite/db';
import { createTestDeps } from '@arvlite/test-utils';
import { TRPCError } from '@trpc/server';
import { OAuth2Server } from 'oauth2-mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerAt, randomIp } from '../../src/index.ts';

const oidcServer = new OAuth2Server();
let deps: Awaited<ReturnType<typeof createTestDeps>>;
let redirectUri = '';

beforeAll(async () => {
  await oidcServer.issuer.keys.generate('RS256');
  await oidcServer.start(0, '127.0.0.1');
  oidcServer.service.on('beforeTokenSigning', (token) =>
    Object.assign(token.payload, { email: 'csrf-attacker@example.com', email_verified: true }),
  );
  deps = await createTestDeps({
    OIDC_PROVIDERS: JSON.stringify([
      { id: 'mock', issuer: oidcServer.issuer.url, clientId: 'arvlite-web', clientSecret: 'shh', allowInsecure: true },
    ]),
  });
  redirectUri = `${deps.config.http.publicUrl}/auth/callback/mock`;
});
afterAll(async () => {
  await oidcServer.stop();
});

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  return p.then(
    () => null,
    (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
  );
}

/** The attacker starts a sign-in with their own account and stops at the callback URL (code + state). */
async function attackerFlow() {
  const started = (await callerAt(deps, randomIp()).auth.oidcStart({ provider: 'mock', redirectUri })) as {
    authorizationUrl: string;
    binding?: string;
  };
  const res = await fetch(started.authorizationUrl, { redirect: 'manual' });
  return { callbackUrl: res.headers.get('location')!, binding: started.binding };
}

describe('OIDC login CSRF', () => {
  it("a victim's browser cannot finish a sign-in someone else started", async () => {
    const flow = await attackerFlow();
    // The victim's client has no binding for this flow (or only one of its own).
    const victim = callerAt(deps, randomIp());
    expect(await codeOf(victim.auth.oidcCallback({ provider: 'mock', callbackUrl: flow.callbackUrl } as never))).toBe(
      'BAD_REQUEST',
    );
    const other = await attackerFlow();
    const withOwn = await attackerFlow();
    expect(
      await codeOf(
        victim.auth.oidcCallback({
          provider: 'mock',
          callbackUrl: other.callbackUrl,
          binding: withOwn.binding,
        } as never),
      ),
    ).toBe('UNAUTHORIZED');
  });

  it('the client that started the sign-in finishes it', async () => {
    const flow = await attackerFlow();
    expect(flow.binding).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [row] = await deps.orm
      .fork()
      .execute<{ binding_hash: string }[]>(
        'select binding_hash from oidc_login_state order by expires_at desc limit 1',
      );
    expect(row!.binding_hash).toMatch(/^[0-9a-f]{64}$/);
    const session = await callerAt(deps, randomIp()).auth.oidcCallback({
      provider: 'mock',
      callbackUrl: flow.callbackUrl,
      binding: flow.binding,
    } as never);
    expect(session.user.email).toBe('csrf-attacker@example.com');
  });

  it('oidcStart is rate-limited per address, so one address cannot fill the table', async () => {
    const ip = randomIp();
    const c = callerAt(deps, ip);
    const before = await deps.orm.fork().count(OidcLoginState, {});
    const codes: (string | null)[] = [];
    for (let i = 0; i < 60; i++) codes.push(await codeOf(c.auth.oidcStart({ provider: 'mock', redirectUri })));
    expect(codes.at(-1)).toBe('TOO_MANY_REQUESTS');
    const written = codes.filter((x) => x === null).length;
    expect(written).toBeLessThanOrEqual(30);
    expect((await deps.orm.fork().count(OidcLoginState, {})) - before).toBeLessThanOrEqual(written);
  });
});

// OpenID Connect rules with no test before (issue 25): an expired state, a callback that does not match its start
// (state, nonce, redirect URI), and the Yandex preset read from a discovery document checked into the repository.
// Service level (createCaller, a fresh context per call) against a local OIDC server (oauth2-mock-server).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCaller, createContextInner, OIDC_PRESETS } from '@arvlite/api';
import { createTestDeps } from '@arvlite/test-utils';
import { TRPCError } from '@trpc/server';
import { OAuth2Server } from 'oauth2-mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintDiff, installationFingerprint } from '../src/db-fingerprint.ts';

const YANDEX_DOCUMENT = JSON.parse(
  readFileSync(new URL('../fixtures/yandex-openid-configuration.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const oidcServer = new OAuth2Server();
/** Claims the mock provider puts into its next ID tokens (a wrong nonce, say). */
let override: Record<string, unknown> = {};
let yandexServer: Server;
let yandexIssuer = '';
let deps: Awaited<ReturnType<typeof createTestDeps>>;
let redirectUri = '';

beforeAll(async () => {
  await oidcServer.issuer.keys.generate('RS256');
  await oidcServer.start(0, '127.0.0.1');
  oidcServer.service.on('beforeTokenSigning', (token) => Object.assign(token.payload, override));
  // The Yandex document served from here: only its issuer is this server's (discovery checks the issuer it asked),
  // every endpoint stays Yandex's.
  yandexServer = createServer((req, res) => {
    if (req.url !== '/.well-known/openid-configuration') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...YANDEX_DOCUMENT, issuer: yandexIssuer }));
  });
  await new Promise<void>((resolve) => yandexServer.listen(0, '127.0.0.1', resolve));
  yandexIssuer = `http://127.0.0.1:${(yandexServer.address() as AddressInfo).port}`;
  deps = await createTestDeps({
    OIDC_PROVIDERS: JSON.stringify([
      { id: 'mock', issuer: oidcServer.issuer.url, clientId: 'arvlite-web', clientSecret: 'shh', allowInsecure: true },
      {
        id: 'yandex',
        preset: 'yandex',
        issuer: yandexIssuer,
        clientId: 'ya-client',
        clientSecret: 'ya-secret',
        allowInsecure: true,
      },
    ]),
  });
  redirectUri = `${deps.config.http.publicUrl}/auth/callback/mock`;
});
afterAll(async () => {
  await oidcServer.stop();
  await new Promise((resolve) => yandexServer.close(resolve));
});

let ipCounter = 0;
/** A fresh context per call, each from its own address (oidcStart is rate-limited per address). */
const anon = () =>
  createCaller(createContextInner(deps, { requestId: 'oidc-rules', ip: `10.55.0.${++ipCounter % 250}` }));

function codeOf(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'OK',
    (e: unknown) => (e instanceof TRPCError ? e.code : `threw ${String(e)}`),
  );
}

/** Starts a sign-in and follows the provider's redirect as a browser would: the callback URL and the binding. */
async function started(claims: Record<string, unknown>) {
  override = claims;
  const { authorizationUrl, binding } = await anon().auth.oidcStart({ provider: 'mock', redirectUri });
  const res = await fetch(authorizationUrl, { redirect: 'manual' });
  const callbackUrl = res.headers.get('location')!;
  expect(callbackUrl.startsWith(redirectUri)).toBe(true);
  const state = new URL(callbackUrl).searchParams.get('state')!;
  expect(state.length).toBeGreaterThan(20);
  return { callbackUrl, binding, state };
}

/** The tables a sign-in writes: an account, an identity, a session. Each refusal must leave them as they were. */
const IGNORE = { ignoreTables: ['rate_limit', 'oidc_login_state'] };

async function refusedWithoutSignIn(call: () => Promise<unknown>) {
  const before = await installationFingerprint(deps, IGNORE);
  expect(await codeOf(call())).toBe('UNAUTHORIZED');
  expect(fingerprintDiff(before, await installationFingerprint(deps, IGNORE))).toEqual([]);
}

async function stateRows(state: string): Promise<number> {
  const [row] = await deps.orm
    .fork()
    .execute<{ n: number }[]>('select count(*)::int as n from oidc_login_state where state = ?', [state]);
  return row!.n;
}

describe('OIDC callback rules', () => {
  it('the flow these tests break works when nothing is broken', async () => {
    const flow = await started({ sub: 'rules-ok', email: 'rules-ok@example.com', email_verified: true });
    const session = await anon().auth.oidcCallback({
      provider: 'mock',
      callbackUrl: flow.callbackUrl,
      binding: flow.binding,
    });
    expect(session.user.email).toBe('rules-ok@example.com');
    expect(await stateRows(flow.state)).toBe(0);
  });

  it('an expired state is refused (UNAUTHORIZED), and consumed', async () => {
    const flow = await started({ sub: 'rules-expired', email: 'rules-expired@example.com', email_verified: true });
    await deps.orm
      .fork()
      .execute(`update oidc_login_state set expires_at = now() - interval '1 second' where state = ?`, [flow.state]);
    await refusedWithoutSignIn(() =>
      anon().auth.oidcCallback({ provider: 'mock', callbackUrl: flow.callbackUrl, binding: flow.binding }),
    );
    expect(await stateRows(flow.state)).toBe(0);
  });

  it('a state that was never issued is refused (UNAUTHORIZED), and the real one still works once', async () => {
    const flow = await started({ sub: 'rules-state', email: 'rules-state@example.com', email_verified: true });
    const forged = new URL(flow.callbackUrl);
    forged.searchParams.set('state', 'x'.repeat(43));
    await refusedWithoutSignIn(() =>
      anon().auth.oidcCallback({ provider: 'mock', callbackUrl: forged.href, binding: flow.binding }),
    );
    // Another sign-in's state with this one's binding: the binding does not match that state's row.
    const other = await started({ sub: 'rules-state', email: 'rules-state@example.com', email_verified: true });
    await refusedWithoutSignIn(() =>
      anon().auth.oidcCallback({ provider: 'mock', callbackUrl: other.callbackUrl, binding: flow.binding }),
    );
    expect(await stateRows(other.state)).toBe(0);
    const session = await anon().auth.oidcCallback({
      provider: 'mock',
      callbackUrl: flow.callbackUrl,
      binding: flow.binding,
    });
    expect(session.user.email).toBe('rules-state@example.com');
  });

  it('an ID token with another nonce is refused (UNAUTHORIZED): no account, identity or session', async () => {
    const flow = await started({
      sub: 'rules-nonce',
      email: 'rules-nonce@example.com',
      email_verified: true,
      nonce: 'a-nonce-this-sign-in-never-sent',
    });
    await refusedWithoutSignIn(() =>
      anon().auth.oidcCallback({ provider: 'mock', callbackUrl: flow.callbackUrl, binding: flow.binding }),
    );
    expect(await stateRows(flow.state)).toBe(0);
  });

  it('a callback on another path than the redirect URI it started with is refused (UNAUTHORIZED), and consumed', async () => {
    const flow = await started({ sub: 'rules-redirect', email: 'rules-redirect@example.com', email_verified: true });
    const elsewhere = new URL(flow.callbackUrl);
    elsewhere.pathname = '/auth/callback/other';
    await refusedWithoutSignIn(() =>
      anon().auth.oidcCallback({ provider: 'mock', callbackUrl: elsewhere.href, binding: flow.binding }),
    );
    // The state was used up by the refused attempt: the right URL no longer signs in either.
    await refusedWithoutSignIn(() =>
      anon().auth.oidcCallback({ provider: 'mock', callbackUrl: flow.callbackUrl, binding: flow.binding }),
    );
  });
});

describe('the Yandex preset', () => {
  it('matches Yandex’s discovery document: issuer, endpoints, scopes', async () => {
    // The preset's issuer is the document's: discovery against Yandex would accept it (openid-client checks it).
    expect(YANDEX_DOCUMENT.issuer).toBe(OIDC_PRESETS.yandex.issuer);
    const supported = YANDEX_DOCUMENT.scopes_supported as string[];
    for (const scope of OIDC_PRESETS.yandex.scopes) expect(supported).toContain(scope);
    expect(YANDEX_DOCUMENT.code_challenge_methods_supported).toContain('S256');

    expect(await anon().auth.oidcProviders()).toContainEqual({ id: 'yandex', label: 'Yandex ID' });
    const yandexRedirect = `${deps.config.http.publicUrl}/auth/callback/yandex`;
    const { authorizationUrl } = await anon().auth.oidcStart({ provider: 'yandex', redirectUri: yandexRedirect });
    const url = new URL(authorizationUrl);
    expect(url.origin + url.pathname).toBe(YANDEX_DOCUMENT.authorization_endpoint);
    expect(
      Object.fromEntries([...url.searchParams].filter(([k]) => !['state', 'nonce', 'code_challenge'].includes(k))),
    ).toEqual({
      client_id: 'ya-client',
      response_type: 'code',
      redirect_uri: yandexRedirect,
      scope: 'openid login:email login:info',
      code_challenge_method: 'S256',
    });
    for (const k of ['state', 'nonce', 'code_challenge']) expect(url.searchParams.get(k)?.length).toBeGreaterThan(20);
  });
});

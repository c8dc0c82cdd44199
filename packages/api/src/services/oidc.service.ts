// Sign-in with OpenID Connect (authorization code + PKCE via openid-client), bound to the client that started it;
// links an identity to an account only when both the provider and the account verified the email.
import { timingSafeEqual } from 'node:crypto';
import { OidcIdentity, OidcLoginState, User } from '@arvlite/db';
import * as oidc from 'openid-client';
import { actorOf, audit } from '../audit.ts';
import type { Context } from '../context.ts';
import { ConflictError, NotFoundError, ServiceUnavailableError, UnauthorizedError } from '../errors.ts';
import { AUTH_LIMITS, clientIpBucket, hitRateLimit } from '../auth/rate-limit.ts';
import { newOpaqueToken, sha256 } from '../auth/tokens.ts';
import { issueSession } from './auth.service.ts';

type Ctx = Pick<Context, 'em' | 'config' | 'requestId' | 'ip' | 'userAgent' | 'log'>;
type ProviderConfig = Ctx['config']['auth']['oidcProviders'][number];

/**
 * Known providers' settings; a provider entry with `preset` fills what it leaves out. Exported for the test that
 * checks a preset against its provider's discovery document (tests/integration/test/oidc-rules.test.ts).
 */
export const OIDC_PRESETS = {
  yandex: { issuer: 'https://oauth.yandex.ru', scopes: ['openid', 'login:email', 'login:info'], label: 'Yandex ID' },
} as const;

const STATE_TTL_MS = 10 * 60_000;

function resolve(p: ProviderConfig) {
  const preset = p.preset ? OIDC_PRESETS[p.preset] : undefined;
  const issuer = p.issuer ?? preset?.issuer;
  if (!issuer) throw new Error(`OIDC provider ${p.id} has neither issuer nor preset`);
  return {
    id: p.id,
    issuer,
    clientId: p.clientId,
    clientSecret: p.clientSecret,
    scopes: p.scopes ?? [...(preset?.scopes ?? ['openid', 'email', 'profile'])],
    label: p.label ?? preset?.label ?? p.id,
    allowInsecure: p.allowInsecure ?? false,
  };
}

const discovered = new Map<string, Promise<oidc.Configuration>>();

async function configuration(ctx: Ctx, providerId: string) {
  const p = ctx.config.auth.oidcProviders.find((x) => x.id === providerId);
  if (!p) throw new NotFoundError('Sign-in provider');
  const r = resolve(p);
  const cacheKey = JSON.stringify(r);
  let config = discovered.get(cacheKey);
  if (!config) {
    config = oidc.discovery(new URL(r.issuer), r.clientId, r.clientSecret, undefined, {
      execute: r.allowInsecure ? [oidc.allowInsecureRequests] : [],
      timeout: 10,
    });
    discovered.set(cacheKey, config);
    config.catch(() => discovered.delete(cacheKey));
  }
  try {
    return { provider: r, config: await config };
  } catch (e) {
    ctx.log.warn({ err: e, provider: r.id }, 'OIDC discovery failed');
    throw new ServiceUnavailableError(`${r.label} is unreachable; try again shortly`);
  }
}

export function listProviders(ctx: Ctx) {
  return ctx.config.auth.oidcProviders.map((p) => {
    const r = resolve(p);
    return { id: r.id, label: r.label };
  });
}

/**
 * Starts a sign-in. Besides the provider's URL it returns `binding`, a random value the client keeps (the dashboard
 * in sessionStorage) and sends with the callback; the row keeps only its hash. A callback URL alone (say, an
 * attacker's own, sent to a victim) therefore signs nobody in: login CSRF. Rate-limited per address, as every call
 * writes a row; rows expire in ten minutes and each start purges the expired ones.
 */
export async function start(ctx: Ctx, input: { provider: string; redirectUri: string }) {
  await hitRateLimit(ctx.em, { key: `oidc-start:ip:${clientIpBucket(ctx.ip)}`, ...AUTH_LIMITS.oidcStartPerIp });
  const { provider, config } = await configuration(ctx, input.provider);
  const allowed = new Set([new URL(ctx.config.http.publicUrl).origin, ...ctx.config.http.corsOrigins]);
  if (!allowed.has(new URL(input.redirectUri).origin)) throw new NotFoundError('Redirect URI');
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const binding = newOpaqueToken();
  await ctx.em.transactional(async (tem) => {
    await tem.nativeDelete(OidcLoginState, { expiresAt: { $lt: new Date() } });
    tem.create(OidcLoginState, {
      state,
      provider: provider.id,
      codeVerifier,
      nonce,
      redirectUri: input.redirectUri,
      bindingHash: sha256(binding),
      expiresAt: new Date(Date.now() + STATE_TTL_MS),
    });
  });
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: input.redirectUri,
    scope: provider.scopes.join(' '),
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { authorizationUrl: url.href, binding };
}

export async function callback(ctx: Ctx, input: { provider: string; callbackUrl: string; binding: string }) {
  const { provider, config } = await configuration(ctx, input.provider);
  const current = new URL(input.callbackUrl);
  const stateParam = current.searchParams.get('state') ?? '';
  // Single use: the state row is deleted whatever happens next.
  const pending = await ctx.em.transactional(async (tem) => {
    const row = await tem.findOne(OidcLoginState, { state: stateParam.slice(0, 128), provider: provider.id });
    if (row) tem.remove(row);
    return row;
  });
  if (!pending || pending.expiresAt < new Date())
    throw new UnauthorizedError('This sign-in link has expired; start again');
  if (!timingSafeEqual(Buffer.from(sha256(input.binding)), Buffer.from(pending.bindingHash))) {
    throw new UnauthorizedError('This sign-in was started elsewhere; start again here');
  }
  const redirect = new URL(pending.redirectUri);
  if (current.origin + current.pathname !== redirect.origin + redirect.pathname) {
    throw new UnauthorizedError('Sign-in callback does not match its redirect URI');
  }

  let claims: { sub: string; email?: string; email_verified?: boolean; name?: string } | undefined;
  try {
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    claims = tokens.claims() as typeof claims;
  } catch (e) {
    ctx.log.warn({ err: e, provider: provider.id }, 'OIDC code exchange failed');
    throw new UnauthorizedError(`${provider.label} sign-in failed; start again`);
  }
  if (!claims?.sub) throw new UnauthorizedError(`${provider.label} did not identify you`);
  const subject = claims.sub.slice(0, 255);
  const email = claims.email?.normalize('NFKC').trim().toLowerCase();
  const verified = claims.email_verified === true;

  return ctx.em.transactional(async (tem) => {
    const identity = await tem.findOne(OidcIdentity, { provider: provider.id, subject }, { populate: ['user'] });
    let user = identity?.user;
    if (!user) {
      if (!email || !verified) {
        throw new ConflictError(
          `${provider.label} did not confirm your email address, so it cannot be linked to an account`,
          { reason: 'OIDC_EMAIL_UNVERIFIED' },
        );
      }
      user = (await tem.findOne(User, { email })) ?? undefined;
      // Whoever registered this address first never proved it: linking would hand the provider's user to them.
      // Refused (no second account: emails are unique) until the address is verified through its mailbox.
      if (user && !user.emailVerifiedAt) {
        throw new ConflictError(
          'An account with this email exists but its address is not verified yet; sign in with its password and verify it first',
          { reason: 'ACCOUNT_EMAIL_UNVERIFIED' },
        );
      }
      if (!user) {
        user = tem.create(User, {
          email,
          name: (claims.name ?? email.split('@')[0] ?? 'User').slice(0, 100),
          // The provider asserted email_verified.
          emailVerifiedAt: new Date(),
          passwordHash: null,
        });
        audit(tem, actorOf(ctx, user.id), {
          action: 'user.register',
          targetType: 'user',
          targetId: user.id,
          changes: { provider: { from: null, to: provider.id } },
        });
      }
      tem.create(OidcIdentity, { provider: provider.id, subject, user });
      audit(tem, actorOf(ctx, user.id), {
        action: 'user.link-oidc',
        targetType: 'user',
        targetId: user.id,
        changes: { provider: { from: null, to: provider.id } },
      });
    }
    if (user.disabledAt) throw new UnauthorizedError('This account is disabled');
    audit(tem, actorOf(ctx, user.id), {
      action: 'user.login',
      targetType: 'user',
      targetId: user.id,
      changes: { provider: { from: null, to: provider.id } },
    });
    return issueSession(ctx, tem, user);
  });
}

// Access tokens: what the verified-claims cache may and may not remember. Each case below passes only because of a
// check the cache makes on a hit (expiry) or because the cache is keyed by the whole token and its settings.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  accessTokenClaims,
  accessTokenSessionId,
  CLAIMS_CACHE_MAX,
  claimsCacheSize,
  signAccessToken,
  verifyAccessToken,
  type AccessTokenSettings,
} from './tokens.ts';

const settings = (secret = 'a'.repeat(48)): AccessTokenSettings => ({
  jwtSecret: secret,
  issuer: 'https://arv.test',
  audience: 'arvlite',
  accessTokenTtlS: 900,
});

describe('access token claims cache', () => {
  it('refuses a cached token once it has expired', async () => {
    const s = settings();
    const userId = randomUUID();
    const sessionId = randomUUID();
    const { token, expiresAt } = await signAccessToken(s, userId, sessionId);
    const expS = Math.floor(expiresAt.getTime() / 1000);
    expect(accessTokenClaims(s, token)).toEqual({ userId, sessionId, expS });
    expect(claimsCacheSize(s)).toBe(1);
    // A hit one second before expiry still answers; at expiry and after, the cached entry is refused and dropped.
    expect(verifyAccessToken(s, token, expS - 1)).toBe(userId);
    expect(verifyAccessToken(s, token, expS)).toBeNull();
    expect(claimsCacheSize(s)).toBe(0);
    expect(verifyAccessToken(s, token, expS + 3600)).toBeNull();
  });

  it('never answers for a token whose payload differs from a cached one, even with the same signature', async () => {
    const s = settings();
    const { token } = await signAccessToken(s, randomUUID(), randomUUID());
    expect(verifyAccessToken(s, token)).not.toBeNull();
    const [h, p, sig] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: randomUUID() })).toString('base64url')}.${sig}`;
    expect(verifyAccessToken(s, forged)).toBeNull();
    expect(verifyAccessToken(s, `${token}x`)).toBeNull();
  });

  it('is per signing settings: a token cached under one secret is refused under another', async () => {
    const a = settings();
    const b = settings('b'.repeat(48));
    const { token } = await signAccessToken(a, randomUUID(), randomUUID());
    expect(verifyAccessToken(a, token)).not.toBeNull();
    expect(verifyAccessToken(b, token)).toBeNull();
    expect(claimsCacheSize(b)).toBe(0);
  });

  it('caches only accepted tokens, and reads the session id from the same entry', async () => {
    const s = settings();
    const sessionId = randomUUID();
    const { token } = await signAccessToken(s, randomUUID(), sessionId);
    expect(verifyAccessToken(s, 'not.a.token')).toBeNull();
    expect(claimsCacheSize(s)).toBe(0);
    expect(accessTokenSessionId(s, token)).toBe(sessionId);
    expect(accessTokenSessionId(s, null)).toBeNull();
    expect(claimsCacheSize(s)).toBe(1);
  });

  it('stays bounded: past CLAIMS_CACHE_MAX the oldest entry goes', async () => {
    const s = settings();
    const first = await signAccessToken(s, randomUUID(), randomUUID());
    expect(verifyAccessToken(s, first.token)).not.toBeNull();
    for (let i = 0; i < CLAIMS_CACHE_MAX; i++) {
      const { token } = await signAccessToken(s, randomUUID(), randomUUID());
      expect(verifyAccessToken(s, token)).not.toBeNull();
    }
    expect(claimsCacheSize(s)).toBe(CLAIMS_CACHE_MAX);
    // The first token was evicted, and is verified again from scratch (still valid, so cached again).
    expect(verifyAccessToken(s, first.token)).not.toBeNull();
    expect(claimsCacheSize(s)).toBe(CLAIMS_CACHE_MAX);
  });
});

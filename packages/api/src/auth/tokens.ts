// Access tokens (short-lived JWTs) and opaque refresh/invite tokens (stored only as SHA-256).
import { createHash, createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

const ALG = 'HS256';

export interface AccessTokenSettings {
  jwtSecret: string;
  issuer: string;
  audience: string;
  accessTokenTtlS: number;
}

const keys = new WeakMap<AccessTokenSettings, Uint8Array>();
function key(s: AccessTokenSettings): Uint8Array {
  let k = keys.get(s);
  if (!k) {
    k = new TextEncoder().encode(s.jwtSecret);
    keys.set(s, k);
  }
  return k;
}

export async function signAccessToken(
  s: AccessTokenSettings,
  userId: string,
  /** The session (refresh token family) it was issued in: lets the session list mark "this device". */
  sessionId?: string,
): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = new Date(Date.now() + s.accessTokenTtlS * 1000);
  const token = await new SignJWT(sessionId ? { sid: sessionId } : {})
    .setProtectedHeader({ alg: ALG, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(s.issuer)
    .setAudience(s.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .setJti(randomBytes(12).toString('base64url'))
    .sign(key(s));
  return { token, expiresAt };
}

function jsonPart(part: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const hmacKeys = new WeakMap<AccessTokenSettings, KeyObject>();
function hmacKey(s: AccessTokenSettings): KeyObject {
  let k = hmacKeys.get(s);
  if (!k) hmacKeys.set(s, (k = createSecretKey(key(s))));
  return k;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** What an access token says, once its signature and claims were checked. */
export interface AccessClaims {
  userId: string;
  /** The session (refresh-token family) it was issued in; every token signed since sessions exist names one. */
  sessionId: string | null;
  /** Its expiry, seconds since the epoch. */
  expS: number;
}

/**
 * Verifies signature, algorithm (pinned: never `none`), issuer, audience, expiry and not-before, and returns the
 * claims, or null. A synchronous HMAC (node:crypto) rather than jose's WebCrypto path; jose still signs, and the
 * checks are the ones jwtVerify made with the options we passed it.
 */
function verifyClaims(s: AccessTokenSettings, token: string, nowS: number): AccessClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [h, p, sig] = parts as [string, string, string];
  if (!BASE64URL.test(h) || !BASE64URL.test(p) || !BASE64URL.test(sig)) return null;
  const expected = createHmac('sha256', hmacKey(s)).update(`${h}.${p}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const header = jsonPart(h);
  // `crit` names extensions we do not implement, which a verifier must then refuse (RFC 7515 §4.1.11).
  if (!header || header.alg !== ALG || header.crit !== undefined) return null;
  const claims = jsonPart(p);
  if (!claims) return null;
  const { exp, iat, nbf, iss, aud, sub, sid } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= nowS) return null;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return null;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowS)) return null;
  if (iss !== s.issuer) return null;
  if (aud !== s.audience && !(Array.isArray(aud) && aud.includes(s.audience))) return null;
  if (typeof sub !== 'string') return null;
  return { userId: sub, sessionId: typeof sid === 'string' ? sid : null, expS: exp };
}

/** How many verified tokens a process remembers (per signing settings); about 200 bytes each. */
export const CLAIMS_CACHE_MAX = 10_000;
const claimsCaches = new WeakMap<AccessTokenSettings, Map<string, AccessClaims>>();

/**
 * verifyClaims, remembered for the token's remaining lifetime: every authenticated call presents the same token
 * until it expires, and its signature and claims cannot change. Keyed by the token's SHA-256, so the process keeps no
 * usable token; a hit is refused once the token expired (and dropped). Only accepted tokens are cached. Whatever can
 * change while a token lives (the user disabled, the session revoked, a membership) is not in here: callers check it
 * live on every call.
 */
export function accessTokenClaims(
  s: AccessTokenSettings,
  token: string,
  nowS = Math.floor(Date.now() / 1000),
): AccessClaims | null {
  if (token.length > 4096) return null;
  let cache = claimsCaches.get(s);
  if (!cache) claimsCaches.set(s, (cache = new Map()));
  const key = sha256(token);
  const hit = cache.get(key);
  if (hit) {
    if (hit.expS > nowS) return hit;
    cache.delete(key);
    return null;
  }
  const claims = verifyClaims(s, token, nowS);
  if (!claims) return null;
  // Bounded: past the limit the oldest entry goes (a Map iterates in insertion order).
  if (cache.size >= CLAIMS_CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, claims);
  return claims;
}

/** Entries in the claims cache of these settings (tests). */
export function claimsCacheSize(s: AccessTokenSettings): number {
  return claimsCaches.get(s)?.size ?? 0;
}

/** The user id of a valid access token, or null. */
export function verifyAccessToken(
  s: AccessTokenSettings,
  token: string,
  nowS = Math.floor(Date.now() / 1000),
): string | null {
  return accessTokenClaims(s, token, nowS)?.userId ?? null;
}

/** The session id (`sid`) of a valid access token, or null. */
export function accessTokenSessionId(s: AccessTokenSettings, token: string | null | undefined): string | null {
  return token ? (accessTokenClaims(s, token)?.sessionId ?? null) : null;
}

export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

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

/**
 * Verifies signature, algorithm (pinned: never `none`), issuer, audience, expiry and not-before. Returns the user id
 * or null. It runs on every authenticated call, so it is a synchronous HMAC (node:crypto) rather than jose's
 * WebCrypto path; jose still signs, and the checks are the ones jwtVerify made with the options we passed it.
 */
export function verifyAccessToken(
  s: AccessTokenSettings,
  token: string,
  nowS = Math.floor(Date.now() / 1000),
): string | null {
  if (token.length > 4096) return null;
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
  const { exp, iat, nbf, iss, aud, sub } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= nowS) return null;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return null;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowS)) return null;
  if (iss !== s.issuer) return null;
  if (aud !== s.audience && !(Array.isArray(aud) && aud.includes(s.audience))) return null;
  return typeof sub === 'string' ? sub : null;
}

/** The session id (`sid`) of a valid access token, or null. */
export function accessTokenSessionId(s: AccessTokenSettings, token: string | null | undefined): string | null {
  if (!token || !verifyAccessToken(s, token)) return null;
  const sid = jsonPart(token.split('.')[1]!)?.sid;
  return typeof sid === 'string' ? sid : null;
}

export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

// Access tokens (short-lived JWTs) and opaque refresh/invite tokens (stored only as SHA-256).
import { createHash, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

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

export async function signAccessToken(s: AccessTokenSettings, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = new Date(Date.now() + s.accessTokenTtlS * 1000);
  const token = await new SignJWT({})
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

/** Verifies signature, algorithm (pinned: never `none`), issuer, audience and expiry. Returns the user id or null. */
export async function verifyAccessToken(s: AccessTokenSettings, token: string): Promise<string | null> {
  if (token.length > 4096) return null;
  try {
    const { payload } = await jwtVerify(token, key(s), {
      algorithms: [ALG],
      issuer: s.issuer,
      audience: s.audience,
      requiredClaims: ['exp', 'sub', 'iat'],
    });
    return typeof payload.sub === 'string' ? payload.sub : null;
  } catch (e) {
    if (e instanceof errors.JOSEError) return null;
    throw e;
  }
}

export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

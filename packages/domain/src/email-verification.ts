// Email verification tokens. The raw token never travels in an event nor sits in the database: it is derived from
// the token row's id with a key only the servers and workers hold, so the API stores its SHA-256 and emits the id,
// and the mailer (consuming user.verification-requested) derives the same token to put in the link.
import { createHash, createHmac } from 'node:crypto';

/** How long a verification link works. */
export const EMAIL_VERIFICATION_TTL_MS = 24 * 3_600_000;

/** The token for a verification row: HMAC-SHA256(key, id), base64url (43 characters, 256 bits). */
export function emailVerificationToken(key: string, tokenId: string): string {
  return createHmac('sha256', key).update(`email-verification:${tokenId}`).digest('base64url');
}

/** What the row keeps: the token's SHA-256, hex. */
export function emailVerificationTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

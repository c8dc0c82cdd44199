// Tokens of the links mails carry (accept an invitation, reset a password). Like email verification tokens, they are
// derived from the row's id with a key only the servers and workers hold: the row keeps the token's SHA-256, the email
// log keeps the id, and the mailer derives the link at send time, so no usable token is ever stored.
import { createHmac } from 'node:crypto';

/** HMAC-SHA256(key, purpose:id), base64url (43 characters, 256 bits). */
function linkToken(key: string, purpose: string, id: string): string {
  return createHmac('sha256', key).update(`${purpose}:${id}`).digest('base64url');
}

/** The token of an invitation's accept link (`${PUBLIC_URL}/invite#<token>`). */
export function invitationToken(key: string, invitationId: string): string {
  return linkToken(key, 'invitation', invitationId);
}

/** The token of a password reset link (`${PUBLIC_URL}/reset-password#<token>`). */
export function passwordResetToken(key: string, requestId: string): string {
  return linkToken(key, 'password-reset', requestId);
}

/** The token of a customer upload link (`${PUBLIC_URL}/u#<token>`): one AR content item, one size, one time window. */
export function customerUploadToken(key: string, linkId: string): string {
  return linkToken(key, 'customer-upload', linkId);
}

/** The token of a document link (`${PUBLIC_URL}/d?token=<token>`): one invoice's PDF until the link expires. */
export function documentLinkToken(key: string, linkId: string): string {
  return linkToken(key, 'document-link', linkId);
}

// Standard Webhooks signing (the standardwebhooks package's own sign) and the endpoint secrets: made, shown once,
// kept encrypted with a key derived from the root secret, since signing needs them back.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new signing secret in the Standard Webhooks format: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** How long a rotated-out secret keeps signing next to the new one. */
export const SECRET_ROTATION_GRACE_MS = 24 * 3600 * 1000;

/**
 * Encrypts a secret at rest with AES-256-GCM. The endpoint id is the additional data, so a ciphertext copied onto
 * another endpoint's row does not decrypt. Format: `v1.<iv>.<ciphertext+tag>` (base64url).
 */
export function encryptSecret(key: string, endpointId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'base64url'), iv);
  cipher.setAAD(Buffer.from(endpointId));
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString('base64url')}.${ct.toString('base64url')}`;
}

export function decryptSecret(key: string, endpointId: string, stored: string): string {
  const [version, iv, body] = stored.split('.');
  if (version !== 'v1' || !iv || !body) throw new Error('unknown secret format');
  const data = Buffer.from(body, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key, 'base64url'), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(endpointId));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The Standard Webhooks headers for one attempt: `v1,<base64 HMAC-SHA256 of id.timestamp.body>` per secret, separated
 * by spaces (the current secret first, then one rotated out less than 24 hours ago).
 */
export function signHeaders(secrets: readonly string[], msgId: string, timestamp: Date, body: string): SignedHeaders {
  if (secrets.length === 0) throw new Error('no signing secret');
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(msgId, timestamp, body)).join(' '),
  };
}

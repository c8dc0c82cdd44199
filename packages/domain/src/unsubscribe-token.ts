// Unsubscribe links of notification mail: the token names a user, a kind and a channel and is signed with a key only the
// servers and workers hold, so nothing is stored and a token turns off exactly that one preference.
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  NOTIFICATION_CHANNELS,
  NOTIFICATION_KINDS,
  type NotificationChannel,
  type NotificationKind,
} from '@arvlite/contract';

export interface UnsubscribeScope {
  userId: string;
  kind: NotificationKind;
  channel: NotificationChannel;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function mac(key: string, body: string): string {
  return createHmac('sha256', key).update(`unsubscribe:${body}`).digest('base64url');
}

/** `<base64url(userId|kind|channel)>.<HMAC-SHA256, base64url>`: URL-safe, 256-bit signature. */
export function unsubscribeToken(key: string, scope: UnsubscribeScope): string {
  const body = Buffer.from(`${scope.userId}|${scope.kind}|${scope.channel}`).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The scope a token was made for, or null when it is malformed or not signed with `key`. */
export function verifyUnsubscribeToken(key: string, token: string): UnsubscribeScope | null {
  if (token.length > 300) return null;
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return null;
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const [userId, kind, channel] = Buffer.from(body, 'base64url').toString('utf8').split('|');
  if (!userId || !UUID.test(userId)) return null;
  if (!(NOTIFICATION_KINDS as readonly string[]).includes(kind ?? '')) return null;
  if (!(NOTIFICATION_CHANNELS as readonly string[]).includes(channel ?? '')) return null;
  return { userId, kind: kind as NotificationKind, channel: channel as NotificationChannel };
}

// Notifications: the kinds people hear about, the channels they arrive by, who gets each kind and what is on by default.
// Each kind comes from one outbox event (packages/jobs/src/outbox/notification.consumer.ts); preferences override the
// defaults per user, kind and channel.
import { z } from 'zod';
import { roleAtLeast, type Role } from './roles.ts';

export const NOTIFICATION_KINDS = [
  'video.ready',
  'video.failed',
  'marker.published',
  'marker.poor-score',
  'ar-content.expiring',
  'ar-content.expired',
  'quota.warning',
  'quota.full',
  'member.invited',
  'member.joined',
  'customer-upload.completed',
  'marker.awaiting-confirmation',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const notificationKindSchema = z.enum(NOTIFICATION_KINDS);

export const NOTIFICATION_CHANNELS = ['in-app', 'email', 'push'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
export const notificationChannelSchema = z.enum(NOTIFICATION_CHANNELS);

/** The lowest role that receives each kind (members below it never do, whatever their preferences). */
export const NOTIFICATION_MIN_ROLE: Record<NotificationKind, Role> = {
  'video.ready': 'editor',
  'video.failed': 'editor',
  'marker.published': 'editor',
  'marker.poor-score': 'editor',
  'ar-content.expiring': 'editor',
  'ar-content.expired': 'editor',
  'quota.warning': 'admin',
  'quota.full': 'admin',
  'member.invited': 'admin',
  'member.joined': 'admin',
  'customer-upload.completed': 'editor',
  'marker.awaiting-confirmation': 'editor',
};

/** Kinds that something went wrong or is about to: on for every channel for admins and owners. */
const ALERTS: ReadonlySet<NotificationKind> = new Set([
  'video.failed',
  'marker.poor-score',
  'ar-content.expiring',
  'ar-content.expired',
  'quota.warning',
  'quota.full',
  'marker.awaiting-confirmation',
]);

/**
 * Whether a channel is on for a kind when the user has not chosen: alerts on everywhere for admins and owners (in-app
 * and push for editors); good news (ready, published) in-app only; membership changes in-app and by email.
 */
export function defaultNotificationPreference(
  kind: NotificationKind,
  channel: NotificationChannel,
  role: Role,
): boolean {
  if (channel === 'in-app') return true;
  if (ALERTS.has(kind)) return roleAtLeast(role, 'admin') || channel === 'push';
  if (kind === 'member.invited' || kind === 'member.joined') return channel === 'email';
  // A customer's video waits for someone to approve it: in the app and by email.
  if (kind === 'customer-upload.completed') return channel === 'email';
  return false;
}

/** Whether a member with `role` receives `kind` at all. */
export function receivesNotification(kind: NotificationKind, role: Role): boolean {
  return roleAtLeast(role, NOTIFICATION_MIN_ROLE[kind]);
}

/** What an in-app notification carries besides its kind: ids to link to and the few values its text needs. */
export const notificationParamsSchema = z.strictObject({
  projectId: z.uuid().optional(),
  videoId: z.uuid().optional(),
  arContentId: z.uuid().optional(),
  invitationId: z.uuid().optional(),
  /** The video's or item's title, or the invitee's/new member's name or address, as it was when it happened. */
  title: z.string().max(300).optional(),
  reason: z.string().max(64).optional(),
  score: z.int().min(0).max(100).optional(),
  days: z.int().min(0).max(366).optional(),
  /** A marker revision (marker.awaiting-confirmation). */
  revision: z.int().min(1).optional(),
  expiresAt: z.string().max(40).optional(),
  percent: z.int().min(0).max(1000).optional(),
  role: z.string().max(16).optional(),
});
export type NotificationParams = z.output<typeof notificationParamsSchema>;

/** Days before an item's end date when its expiry reminders go out, unless the company chose others. */
export const DEFAULT_EXPIRY_REMINDER_DAYS = [30, 7, 1] as const;
export const expiryReminderDaysSchema = z
  .array(z.int().min(1).max(365))
  .max(5)
  .transform((days) => [...new Set(days)].sort((a, b) => b - a));

/**
 * A published marker whose measured detection score (markerDetectionScore) is below this is announced as poorly
 * detected (`marker.poor-score`) once its report is measured; the dashboard shows such scores in orange or red.
 */
export const POOR_DETECTION_SCORE = 50;

/** The Expo push token shape (ExponentPushToken[…] or ExpoPushToken[…]). */
export const expoPushTokenSchema = z
  .string()
  .max(255)
  .regex(/^Expo(nent)?PushToken\[[A-Za-z0-9_-]{8,200}\]$/);

/** Live events on `notification.onChange`. */
export type NotificationChange = { type: 'created'; id: string } | { type: 'read' } | { type: 'sync' };

// Notifications: what a user sees in the dashboard's notification centre, what they chose to hear by which channel,
// and the phones their push notifications go to.
import { NOTIFICATION_CHANNELS } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { CompanySchema } from './company.entity.ts';
import { UserSchema } from './user.entity.ts';

/** One in-app notification of one user (written by the notifications outbox consumer, once per event and user). */
export const NotificationSchema = defineEntity({
  name: 'Notification',
  tableName: 'notification',
  indexes: [{ properties: ['user', 'createdAt'] }],
  uniques: [{ properties: ['user', 'eventId', 'kind'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    user: () => p.manyToOne(UserSchema).deleteRule('cascade'),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    /** A NotificationKind of the contract. */
    kind: p.string().length(40),
    /** Ids to link to and the values its text needs (NotificationParams); no personal data beyond names shown to members. */
    params: p.json<Record<string, unknown>>(),
    /** The outbox event it came from. */
    eventId: p.bigint('string'),
    readAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Notification extends NotificationSchema.class {}
NotificationSchema.setClass(Notification);

/** A user's choice for one kind on one channel; without a row the contract's default applies. */
export const NotificationPreferenceSchema = defineEntity({
  name: 'NotificationPreference',
  tableName: 'notification_preference',
  uniques: [{ properties: ['user', 'kind', 'channel'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    user: () => p.manyToOne(UserSchema).deleteRule('cascade'),
    kind: p.string().length(40),
    channel: p.enum(NOTIFICATION_CHANNELS),
    enabled: p.boolean(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class NotificationPreference extends NotificationPreferenceSchema.class {}
NotificationPreferenceSchema.setClass(NotificationPreference);

/** An Expo push token of one device, registered after sign-in and removed on sign-out or when Expo says it is dead. */
export const PushTokenSchema = defineEntity({
  name: 'PushToken',
  tableName: 'push_token',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    user: () => p.manyToOne(UserSchema).deleteRule('cascade').index(),
    /** ExponentPushToken[…]; one device answers to one user (a new sign-in takes the token over). */
    token: p.string().length(255).unique(),
    platform: p.string().length(16).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().nullable(),
  },
});
export class PushToken extends PushTokenSchema.class {}
PushTokenSchema.setClass(PushToken);

/**
 * One event's push to one user, recorded by the notifications consumer in the delivering transaction: a redelivered
 * event finds it and queues nothing, and `push:send` claims it (sentAt) before sending, so a retry never pushes twice.
 */
export const PushDeliverySchema = defineEntity({
  name: 'PushDelivery',
  tableName: 'push_delivery',
  uniques: [{ properties: ['eventId', 'user'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    /** The outbox event it announces. */
    eventId: p.bigint('string'),
    user: () => p.manyToOne(UserSchema).deleteRule('cascade'),
    createdAt: p.datetime().onCreate(() => new Date()),
    /** Set when `push:send` takes it; null while queued (or after a send that failed and will be retried). */
    sentAt: p.datetime().nullable(),
  },
});
export class PushDelivery extends PushDeliverySchema.class {}
PushDeliverySchema.setClass(PushDelivery);

import {
  DEFAULT_EXPIRY_REMINDER_DAYS,
  expiryReminderDaysSchema,
  expoPushTokenSchema,
  notificationChannelSchema,
  notificationKindSchema,
} from '@arvlite/contract';
import { z } from 'zod';
import * as notifications from '../services/notification.service.ts';
import { router, selfProcedure, tenantProcedure } from '../trpc.ts';
import { id, pageInput } from '../validators.ts';

/** The caller's own notifications, preferences and push devices (self-scoped: no company id is taken). */
export const notificationRouter = router({
  list: selfProcedure
    .input(z.strictObject({ ...pageInput, unreadOnly: z.boolean().optional() }))
    .query(({ ctx, input }) => notifications.listNotifications(ctx, ctx.user.id, input)),

  unreadCount: selfProcedure.query(async ({ ctx }) => ({
    unread: await notifications.unreadCount(ctx.em, ctx.user.id),
  })),

  markRead: selfProcedure
    .input(z.strictObject({ ids: z.array(id).min(1).max(100) }))
    .mutation(({ ctx, input }) => notifications.markRead(ctx, ctx.user.id, input.ids)),

  markAllRead: selfProcedure.mutation(({ ctx }) => notifications.markAllRead(ctx, ctx.user.id)),

  /** One stream per user: the unread count and the newest notification, live across server processes. */
  onChange: selfProcedure.subscription(({ ctx, signal }) => notifications.watchNotifications(ctx, ctx.user.id, signal)),

  preferences: selfProcedure.query(({ ctx }) => notifications.getPreferences(ctx, ctx.user.id)),

  setPreference: selfProcedure
    .input(z.strictObject({ kind: notificationKindSchema, channel: notificationChannelSchema, enabled: z.boolean() }))
    .mutation(({ ctx, input }) => notifications.setPreference(ctx.em, ctx.user.id, input)),

  /** Days before an item's end date when the company's expiry reminders go out. */
  expiryReminderDays: tenantProcedure('viewer')
    .input(z.strictObject({ companyId: id }))
    .query(async ({ ctx, input }) => {
      const { company } = await ctx.access.company(input.companyId);
      return { days: company.expiryReminderDays ?? [...DEFAULT_EXPIRY_REMINDER_DAYS] };
    }),

  setExpiryReminderDays: tenantProcedure('admin')
    .input(z.strictObject({ companyId: id, days: expiryReminderDaysSchema }))
    .mutation(async ({ ctx, input }) => {
      const { company } = await ctx.access.company(input.companyId);
      await ctx.em.execute('update company set expiry_reminder_days = ?::jsonb where id = ?', [
        JSON.stringify(input.days),
        company.id,
      ]);
      return { days: input.days };
    }),

  registerPushToken: selfProcedure
    .input(z.strictObject({ token: expoPushTokenSchema, platform: z.enum(['ios', 'android']).nullable().optional() }))
    .mutation(({ ctx, input }) => notifications.registerPushToken(ctx.em, ctx.user.id, input)),

  unregisterPushToken: selfProcedure
    .input(z.strictObject({ token: expoPushTokenSchema }))
    .mutation(({ ctx, input }) => notifications.unregisterPushToken(ctx.em, ctx.user.id, input.token)),
});

// Notifications from events: each event becomes one notification kind, fanned out to the company's members who should
// hear it (by role, read from live memberships at delivery time) on each channel their preferences leave on:
// an in-app row (+ NOTIFY for the live stream), a mail with an unsubscribe link, a push job.
import {
  defaultNotificationPreference,
  isLanguage,
  POOR_DETECTION_SCORE,
  receivesNotification,
  type DomainEvent,
  type NotificationChannel,
  type NotificationKind,
  type NotificationParams,
  type Role,
} from '@arvlite/contract';
import type { EntityManager } from '@arvlite/db';
import { enqueue } from '../enqueue.ts';
import { queueMail } from '../mail/queue-mail.ts';
import { notificationText } from '../notifications/texts.ts';
import type { OutboxConsumer } from './consumer.ts';

/** The channel the API's notification stream listens on: `{ userId, type }` per change. */
export const NOTIFICATION_CHANNEL = 'arvlite_notification';

interface Resolved {
  kind: NotificationKind;
  companyId: string;
  params: NotificationParams;
  /** The page of the dashboard it leads to. */
  path: string;
  /** Members who caused it and need not hear it. */
  exclude?: string[];
}

async function one<T>(tem: EntityManager, sql: string, params: unknown[]): Promise<T | undefined> {
  return (await tem.execute<T[]>(sql, params))[0];
}

/** The notification an event makes, or null (none for this event, or what it concerns is gone). */
async function resolve(tem: EntityManager, event: DomainEvent): Promise<Resolved | null> {
  switch (event.type) {
    case 'video.ready':
    case 'video.failed': {
      const v = await one<{ title: string }>(tem, 'select title from video where id = ? and deleted_at is null', [
        event.videoId,
      ]);
      if (!v) return null;
      return {
        kind: event.type,
        companyId: event.companyId,
        params: {
          projectId: event.projectId,
          videoId: event.videoId,
          title: v.title,
          ...(event.type === 'video.failed' ? { reason: event.reason } : {}),
        },
        path: `/c/${event.companyId}/videos/${event.videoId}`,
      };
    }
    case 'marker.published':
    case 'marker.measured':
    case 'marker.awaiting-confirmation':
    case 'ar-content.expiring':
    case 'ar-content.expired': {
      // Never for archived or deleted items, whatever the event says.
      const c = await one<{ title: string; expires_at: Date | null }>(
        tem,
        `select title, expires_at from ar_content
          where id = ? and deleted_at is null and archived_at is null and status <> 'ARCHIVED'`,
        [event.arContentId],
      );
      if (!c) return null;
      const base = { projectId: event.projectId, arContentId: event.arContentId, title: c.title };
      const path = `/c/${event.companyId}/ar/${event.arContentId}`;
      if (event.type === 'marker.awaiting-confirmation') {
        return {
          kind: 'marker.awaiting-confirmation',
          companyId: event.companyId,
          params: { ...base, revision: event.revision },
          path,
        };
      }
      // Published: announced at once, without a score (the ORB feature score does not predict detection). Whether it
      // detects poorly is said once it is measured, with the measured score.
      if (event.type === 'marker.published') {
        return { kind: 'marker.published', companyId: event.companyId, params: base, path };
      }
      if (event.type === 'marker.measured') {
        if (event.detectionScore >= POOR_DETECTION_SCORE) return null;
        return {
          kind: 'marker.poor-score',
          companyId: event.companyId,
          params: { ...base, score: event.detectionScore },
          path,
        };
      }
      // A reminder for an end date that has since moved is stale: the cron announces the new one.
      if (!c.expires_at || new Date(c.expires_at).getTime() !== new Date(event.expiresAt).getTime()) return null;
      return {
        kind: event.type,
        companyId: event.companyId,
        params: {
          ...base,
          expiresAt: event.expiresAt,
          ...(event.type === 'ar-content.expiring' ? { days: event.thresholdDays ?? 7 } : {}),
        },
        path,
      };
    }
    case 'quota.warning':
      return {
        kind: event.thresholdPercent >= 100 ? 'quota.full' : 'quota.warning',
        companyId: event.companyId,
        params: { percent: event.thresholdPercent },
        path: `/c/${event.companyId}/settings`,
      };
    case 'member.invited': {
      const i = await one<{ email: string }>(tem, 'select email from invitation where id = ?', [event.invitationId]);
      if (!i) return null;
      return {
        kind: 'member.invited',
        companyId: event.companyId,
        params: { invitationId: event.invitationId, title: i.email, role: event.role },
        path: `/c/${event.companyId}/members`,
        exclude: [event.invitedByUserId],
      };
    }
    case 'member.joined': {
      const u = await one<{ name: string; email: string }>(tem, 'select name, email from app_user where id = ?', [
        event.userId,
      ]);
      if (!u) return null;
      return {
        kind: 'member.joined',
        companyId: event.companyId,
        params: { invitationId: event.invitationId, title: u.name || u.email, role: event.role },
        path: `/c/${event.companyId}/members`,
        exclude: [event.userId],
      };
    }
    case 'customer-upload.completed': {
      const c = await one<{ title: string }>(
        tem,
        `select title from ar_content where id = ? and deleted_at is null and archived_at is null`,
        [event.arContentId],
      );
      if (!c) return null;
      return {
        kind: 'customer-upload.completed',
        companyId: event.companyId,
        params: { projectId: event.projectId, arContentId: event.arContentId, videoId: event.videoId, title: c.title },
        path: `/c/${event.companyId}/ar/${event.arContentId}`,
      };
    }
    default:
      return null;
  }
}

const ACCEPTED: ReadonlySet<DomainEvent['type']> = new Set([
  'video.ready',
  'video.failed',
  'marker.published',
  'marker.measured',
  'marker.awaiting-confirmation',
  'ar-content.expiring',
  'ar-content.expired',
  'quota.warning',
  'member.invited',
  'member.joined',
  'customer-upload.completed',
]);

interface Recipient {
  user_id: string;
  role: Role;
  email: string;
  language: string;
  company_name: string;
  has_push: boolean;
}

export const notificationConsumer: OutboxConsumer = {
  name: 'notifications',
  accepts: (event) => ACCEPTED.has(event.type),
  async deliver(tem, { id, event }, log) {
    const n = await resolve(tem, event);
    if (!n) {
      log.debug({ type: event.type }, 'nothing to notify');
      return;
    }
    // Live memberships only: someone removed from the company is not in this list from the moment they are removed.
    const members = await tem.execute<Recipient[]>(
      `select m.user_id::text as user_id, m.role, u.email, u.language, c.name as company_name,
              exists (select 1 from push_token t where t.user_id = m.user_id) as has_push
         from membership m join app_user u on u.id = m.user_id join company c on c.id = m.company_id
        where m.company_id = ? and u.disabled_at is null`,
      [n.companyId],
    );
    const recipients = members.filter((m) => receivesNotification(n.kind, m.role) && !n.exclude?.includes(m.user_id));
    if (recipients.length === 0) return;
    const prefs = await tem.execute<{ user_id: string; channel: NotificationChannel; enabled: boolean }[]>(
      `select user_id::text as user_id, channel, enabled from notification_preference where kind = ? and user_id::text in (select jsonb_array_elements_text(?::jsonb))`,
      [n.kind, JSON.stringify(recipients.map((r) => r.user_id))],
    );
    const chosen = new Map(prefs.map((p) => [`${p.user_id}:${p.channel}`, p.enabled]));
    for (const r of recipients) {
      const on = (channel: NotificationChannel) =>
        chosen.get(`${r.user_id}:${channel}`) ?? defaultNotificationPreference(n.kind, channel, r.role);
      const language = isLanguage(r.language) ? r.language : 'en';
      const text = notificationText(n.kind, n.params, language, r.company_name);
      if (on('in-app')) {
        const rows = await tem.execute<{ id: string }[]>(
          `insert into notification (id, user_id, company_id, kind, params, event_id, created_at)
             values (gen_random_uuid(), ?, ?, ?, ?::jsonb, ?::bigint, now())
             on conflict do nothing returning id::text as id`,
          [r.user_id, n.companyId, n.kind, JSON.stringify(n.params), id],
        );
        if (rows[0]) {
          await tem.execute(`select pg_notify('${NOTIFICATION_CHANNEL}', ?)`, [
            JSON.stringify({ userId: r.user_id, type: 'created', id: rows[0].id }),
          ]);
        }
      }
      if (on('email')) {
        await queueMail(tem, {
          kind: 'notification',
          to: r.email,
          language,
          companyId: n.companyId,
          params: {
            subject: text.title.slice(0, 200),
            paragraphs: [text.body],
            action: { label: text.action, path: n.path },
            // The token is derived from this scope at send time: the email log keeps no token.
            unsubscribe: { userId: r.user_id, kind: n.kind, channel: 'email' },
          },
          dedupeKey: `outbox:${id}:notification:${n.kind}:${r.user_id}`,
        });
      }
      if (on('push') && r.has_push) {
        // Recorded in the delivering transaction: a redelivered event finds the row and queues no second push.
        const claimed = await tem.execute<{ id: string }[]>(
          `insert into push_delivery (id, event_id, user_id, created_at) values (gen_random_uuid(), ?::bigint, ?, now())
             on conflict (event_id, user_id) do nothing returning id::text as id`,
          [id, r.user_id],
        );
        if (claimed.length === 0) continue;
        await enqueue(
          tem,
          'push:send',
          {
            eventId: id,
            userId: r.user_id,
            companyId: n.companyId,
            title: text.title.slice(0, 200),
            body: text.body.slice(0, 1000),
            data: { kind: n.kind, path: n.path },
          },
          { maxAttempts: 5 },
        );
      }
    }
  },
};

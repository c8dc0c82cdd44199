// The caller's own notifications (in-app list, unread count, mark-read, the live stream), their preferences per kind
// and channel, and their devices' push tokens. Only companies the caller is a member of now are shown.
import {
  defaultNotificationPreference,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_KINDS,
  receivesNotification,
  roleRank,
  type NotificationChannel,
  type NotificationKind,
  type Role,
} from '@arvlite/contract';
import type { ServiceConfig } from '@arvlite/config';
import type { EntityManager, Orm } from '@arvlite/db';
import { verifyUnsubscribeToken } from '@arvlite/domain';
import { NOTIFICATION_CHANNEL } from '@arvlite/jobs';
import type { Logger } from 'pino';
import { NotFoundError } from '../errors.ts';
import { changeEvents } from '../change-events.ts';
import { decodeCursor, encodeCursor } from '../paginate.ts';

interface Ctx {
  em: EntityManager;
  orm: Orm;
  config: ServiceConfig;
  log: Logger;
}

interface Row {
  id: string;
  company_id: string;
  company_name: string;
  kind: string;
  params: Record<string, unknown>;
  read_at: Date | null;
  created_at: Date;
}

const LIVE = `exists (select 1 from membership m where m.user_id = n.user_id and m.company_id = n.company_id)`;

export async function listNotifications(
  ctx: Ctx,
  userId: string,
  input: { cursor?: string; limit: number; unreadOnly?: boolean },
) {
  const after = decodeCursor(input.cursor);
  const rows = await ctx.em.execute<Row[]>(
    `select n.id::text as id, n.company_id::text as company_id, c.name as company_name, n.kind, n.params, n.read_at,
            n.created_at
       from notification n join company c on c.id = n.company_id
      where n.user_id = ? and ${LIVE} ${input.unreadOnly ? 'and n.read_at is null' : ''}
        and (?::timestamptz is null or (n.created_at, n.id) < (?::timestamptz, ?::uuid))
      order by n.created_at desc, n.id desc limit ?`,
    [
      userId,
      after?.createdAt.toISOString() ?? null,
      after?.createdAt.toISOString() ?? null,
      after?.id ?? null,
      input.limit + 1,
    ],
  );
  const items = rows.slice(0, input.limit).map((r) => ({
    id: r.id,
    companyId: r.company_id,
    companyName: r.company_name,
    kind: r.kind as NotificationKind,
    params: r.params,
    readAt: r.read_at ? new Date(r.read_at) : null,
    createdAt: new Date(r.created_at),
  }));
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

export async function unreadCount(em: EntityManager, userId: string): Promise<number> {
  const [row] = await em.execute<{ n: number }[]>(
    `select count(*)::int as n from notification n where n.user_id = ? and n.read_at is null and ${LIVE}`,
    [userId],
  );
  return row?.n ?? 0;
}

async function notifyRead(em: EntityManager, userId: string) {
  await em.execute(`select pg_notify('${NOTIFICATION_CHANNEL}', ?)`, [JSON.stringify({ userId, type: 'read' })]);
}

export async function markRead(ctx: Ctx, userId: string, ids: string[]) {
  // Someone else's id (or one of a company the caller has left) is not found, whatever its state.
  const wanted = [...new Set(ids)];
  const [own] = await ctx.em.execute<{ n: number }[]>(
    `select count(*)::int as n from notification n
      where n.user_id = ? and n.id::text in (select jsonb_array_elements_text(?::jsonb)) and ${LIVE}`,
    [userId, JSON.stringify(wanted)],
  );
  if ((own?.n ?? 0) < wanted.length) throw new NotFoundError('Notification');
  const rows = await ctx.em.execute<{ id: string }[]>(
    `update notification set read_at = now() where user_id = ? and id::text in (select jsonb_array_elements_text(?::jsonb))
        and read_at is null returning id`,
    [userId, JSON.stringify(ids)],
  );
  if (rows.length > 0) await notifyRead(ctx.em, userId);
  return { updated: rows.length, unread: await unreadCount(ctx.em, userId) };
}

export async function markAllRead(ctx: Ctx, userId: string) {
  const rows = await ctx.em.execute<{ id: string }[]>(
    `update notification set read_at = now() where user_id = ? and read_at is null returning id`,
    [userId],
  );
  if (rows.length > 0) await notifyRead(ctx.em, userId);
  return { updated: rows.length, unread: 0 };
}

/**
 * The caller's live notification state: the unread count and the newest notification, on subscribe and after every
 * change (a notification delivered by a worker, a mark-read on any server), through Postgres NOTIFY.
 */
export async function* watchNotifications(ctx: Ctx, userId: string, signal: AbortSignal | undefined) {
  const events = changeEvents(ctx.config.database.url, ctx.log);
  await events.ready();
  let wake: (() => void) | undefined;
  let dirty = true;
  const unsubscribe = events.subscribe('user', userId, () => {
    dirty = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    let last = '';
    while (!signal?.aborted) {
      if (!dirty) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      if (signal?.aborted || !dirty) continue;
      dirty = false;
      const em = ctx.orm.fork();
      const [unread, latest] = await Promise.all([
        unreadCount(em, userId),
        listNotifications({ ...ctx, em: ctx.orm.fork() }, userId, { limit: 1 }),
      ]);
      const snapshot = { unread, latest: latest.items[0] ?? null };
      const key = JSON.stringify(snapshot);
      if (key !== last) {
        last = key;
        yield snapshot;
      }
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The caller's highest role in any company: the defaults the preferences page shows (delivery uses each company's). */
async function highestRole(em: EntityManager, userId: string): Promise<Role | null> {
  const rows = await em.execute<{ role: Role }[]>('select role from membership where user_id = ?', [userId]);
  return rows.reduce<Role | null>((best, r) => (!best || roleRank(r.role) > roleRank(best) ? r.role : best), null);
}

export async function getPreferences(ctx: Ctx, userId: string) {
  const role = (await highestRole(ctx.em, userId)) ?? 'viewer';
  const rows = await ctx.em.execute<{ kind: string; channel: NotificationChannel; enabled: boolean }[]>(
    'select kind, channel, enabled from notification_preference where user_id = ?',
    [userId],
  );
  const chosen = new Map(rows.map((r) => [`${r.kind}:${r.channel}`, r.enabled]));
  return {
    role,
    kinds: NOTIFICATION_KINDS.map((kind) => ({
      kind,
      /** False when no membership of the caller's receives this kind (the page greys it out). */
      applies: receivesNotification(kind, role),
      channels: Object.fromEntries(
        NOTIFICATION_CHANNELS.map((channel) => [
          channel,
          {
            enabled: chosen.get(`${kind}:${channel}`) ?? defaultNotificationPreference(kind, channel, role),
            isDefault: !chosen.has(`${kind}:${channel}`),
          },
        ]),
      ) as Record<NotificationChannel, { enabled: boolean; isDefault: boolean }>,
    })),
  };
}

export async function setPreference(
  em: EntityManager,
  userId: string,
  input: { kind: NotificationKind; channel: NotificationChannel; enabled: boolean },
) {
  await em.execute(
    `insert into notification_preference (id, user_id, kind, channel, enabled, updated_at)
       values (gen_random_uuid(), ?, ?, ?, ?, now())
       on conflict (user_id, kind, channel) do update set enabled = excluded.enabled, updated_at = now()`,
    [userId, input.kind, input.channel, input.enabled],
  );
  return { ok: true as const };
}

/** `GET/POST /unsubscribe?token=…`: the preference a valid token names, turned off (idempotent). */
export async function unsubscribe(deps: { orm: Orm; config: ServiceConfig }, token: string) {
  const scope = verifyUnsubscribeToken(deps.config.notifications.unsubscribeKey, token);
  if (!scope) return null;
  const em = deps.orm.fork();
  const [user] = await em.execute<{ id: string }[]>('select id from app_user where id = ?', [scope.userId]);
  if (!user) return null;
  await setPreference(em, scope.userId, { ...scope, enabled: false });
  return scope;
}

/** Checks an unsubscribe token without changing anything (the GET confirm page). */
export function checkUnsubscribeToken(config: ServiceConfig, token: string) {
  return verifyUnsubscribeToken(config.notifications.unsubscribeKey, token);
}

/** One device's Expo push token, now the caller's (a device signed in by someone else before is taken over). */
export async function registerPushToken(
  em: EntityManager,
  userId: string,
  input: { token: string; platform?: string | null },
) {
  await em.execute(
    `insert into push_token (id, user_id, token, platform, created_at) values (gen_random_uuid(), ?, ?, ?, now())
       on conflict (token) do update set user_id = excluded.user_id, platform = excluded.platform, created_at = now()`,
    [userId, input.token, input.platform ?? null],
  );
  return { ok: true as const };
}

export async function unregisterPushToken(em: EntityManager, userId: string, token: string) {
  const rows = await em.execute<{ id: string }[]>(
    'delete from push_token where user_id = ? and token = ? returning id',
    [userId, token],
  );
  return { removed: rows.length > 0 };
}

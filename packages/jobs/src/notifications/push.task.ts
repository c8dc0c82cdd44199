// push:send and push:receipts: one event's push to one user's devices through the push port (Expo), then, later, the
// receipts; tokens Expo calls DeviceNotRegistered are removed at either step.
import { defineTask } from '../define-task.ts';
import { enqueue } from '../enqueue.ts';
import { ExpoPushSender, type PushSender, type PushTicket } from './push-sender.ts';
import type { TaskDeps } from '../define-task.ts';

function senderOf(deps: TaskDeps): PushSender {
  const n = deps.config.notifications;
  return new ExpoPushSender({ baseUrl: n.expoPushUrl, accessToken: n.expoAccessToken });
}

const DEAD = 'DeviceNotRegistered';

export const pushSend = defineTask('push:send', async ({ em, payload, deps, log }) => {
  // Resolved now, not when the event was delivered: a member removed since gets nothing.
  const tokens = await em.execute<{ token: string }[]>(
    `select t.token from push_token t
      where t.user_id = ? and exists (select 1 from membership m where m.user_id = t.user_id and m.company_id = ?)`,
    [payload.userId, payload.companyId],
  );
  if (tokens.length === 0) return;
  // Claimed before sending: a job that runs again after a send (a crash, a duplicate job) finds it taken. A crash
  // between the claim and the send loses that push, which beats pushing twice.
  const claim = await em.execute<{ id: string }[]>(
    `update push_delivery set sent_at = now() where event_id = ?::bigint and user_id = ? and sent_at is null
      returning id::text as id`,
    [payload.eventId, payload.userId],
  );
  if (claim.length === 0) {
    log.debug({ eventId: payload.eventId }, 'push already sent (or never recorded); skipped');
    return;
  }
  let tickets: PushTicket[];
  try {
    tickets = await senderOf(deps).send(
      tokens.map((t) => ({ to: t.token, title: payload.title, body: payload.body, data: payload.data })),
    );
  } catch (e) {
    // Nothing went out: release the claim so the retry sends.
    await em.execute('update push_delivery set sent_at = null where id = ?', [claim[0]!.id]);
    throw e;
  }
  const dead = tickets.filter((t) => t.status === 'error' && t.error === DEAD).map((t) => t.token);
  const ok = tickets.flatMap((t) => (t.status === 'ok' ? [{ id: t.id, token: t.token }] : []));
  await em.transactional(async (tem) => {
    if (dead.length > 0)
      await tem.execute('delete from push_token where token in (select jsonb_array_elements_text(?::jsonb))', [
        JSON.stringify(dead),
      ]);
    if (ok.length > 0) {
      await tem.execute(
        'update push_token set last_used_at = now() where token in (select jsonb_array_elements_text(?::jsonb))',
        [JSON.stringify(ok.map((t) => t.token))],
      );
      const delay = deps.config.notifications.pushReceiptDelayS;
      await enqueue(tem, 'push:receipts', { tickets: ok }, { delayS: delay, maxAttempts: 5 });
    }
  });
  const failed = tickets.filter((t) => t.status === 'error' && t.error !== DEAD);
  if (dead.length > 0) log.info({ count: dead.length }, 'push tokens no longer registered; removed');
  if (failed.length > 0) log.warn({ errors: failed.map((t) => t.status === 'error' && t.error) }, 'pushes refused');
});

export const pushReceipts = defineTask('push:receipts', async ({ em, payload, deps, log }) => {
  const receipts = await senderOf(deps).receipts(payload.tickets.map((t) => t.id));
  const dead = payload.tickets.filter((t) => {
    const r = receipts[t.id];
    return r?.status === 'error' && r.error === DEAD;
  });
  if (dead.length === 0) return;
  await em.execute('delete from push_token where token in (select jsonb_array_elements_text(?::jsonb))', [
    JSON.stringify(dead.map((t) => t.token)),
  ]);
  log.info({ count: dead.length }, 'push tokens no longer registered (receipts); removed');
});

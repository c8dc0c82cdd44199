// Crons that notice facts no single change makes: content about to expire, and a company's usage crossing a quota share.
import { defineTask } from '../define-task.ts';
import { emit } from './emit.ts';
import { checkQuotaWarnings } from './quota-warning.ts';

/** How far ahead ar-content.expiring warns. */
const EXPIRING_WITHIN_DAYS = 7;

/** Cron: one ar-content.expiring per item and expiry date (the event's dedupe key), for live items ending within a week. */
export const arContentExpiring = defineTask('ar-content:expiring', async ({ em, log }) => {
  const rows = await em.execute<{ id: string; company_id: string; project_id: string; expires_at: Date }[]>(
    `select c.id, c.company_id, c.project_id, c.expires_at from ar_content c
      where c.deleted_at is null and c.expired_at is null and c.status <> 'ARCHIVED'
        and c.expires_at > now() and c.expires_at <= now() + make_interval(days => ?)
        and not exists (select 1 from outbox_event e where e.dedupe_key = 'ar-content.expiring:' || c.id || ':'
              || to_char(c.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      order by c.expires_at limit 500`,
    [EXPIRING_WITHIN_DAYS],
  );
  let emitted = 0;
  await em.transactional(async (tem) => {
    for (const r of rows) {
      const done = await emit(tem, {
        type: 'ar-content.expiring',
        companyId: r.company_id,
        projectId: r.project_id,
        arContentId: r.id,
        expiresAt: new Date(r.expires_at).toISOString(),
      });
      if (done) emitted++;
    }
  });
  if (emitted > 0) log.info({ count: emitted }, 'AR content expiring soon announced');
});

/** Cron: catches every usage change (uploads, deletes, outputs) that did not check the quota itself. */
export const quotaWarn = defineTask('quota:warn', async ({ em, log }) => {
  const warned = await em.transactional((tem) => checkQuotaWarnings(tem));
  if (warned > 0) log.info({ count: warned }, 'quota warnings announced');
});

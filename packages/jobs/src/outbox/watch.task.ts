// Crons that notice facts no single change makes: content about to expire, and a company's usage crossing a quota share.
import { DEFAULT_EXPIRY_REMINDER_DAYS } from '@arvlite/contract';
import { defineTask } from '../define-task.ts';
import { emit } from './emit.ts';
import { checkQuotaWarnings } from './quota-warning.ts';

/**
 * Cron: for each live item (not archived, not deleted, not yet expired), the smallest of its company's reminder
 * thresholds (DEFAULT_EXPIRY_REMINDER_DAYS unless the company chose others) that its end date is now within, announced
 * once per item, expiry date and threshold (the event's dedupe key, so worker restarts and overlapping runs announce
 * nothing twice). A threshold skipped over (an item created 5 days before its end) is not announced late.
 */
export const arContentExpiring = defineTask('ar-content:expiring', async ({ em, log }) => {
  const rows = await em.execute<
    { id: string; company_id: string; project_id: string; expires_at: Date; threshold: number }[]
  >(
    `select c.id, c.company_id, c.project_id, c.expires_at, t.threshold
       from ar_content c join company co on co.id = c.company_id
       cross join lateral (
         select min(d::int) as threshold
           from jsonb_array_elements_text(coalesce(co.expiry_reminder_days, ?::jsonb)) d
          where c.expires_at <= now() + make_interval(days => d::int)
       ) t
      where c.deleted_at is null and c.archived_at is null and c.expired_at is null and c.status <> 'ARCHIVED'
        and c.expires_at > now() and t.threshold is not null
        and not exists (select 1 from outbox_event e where e.dedupe_key = 'ar-content.expiring:' || c.id || ':'
              || to_char(c.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || ':' || t.threshold || 'd')
      order by c.expires_at limit 500`,
    [JSON.stringify(DEFAULT_EXPIRY_REMINDER_DAYS)],
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
        thresholdDays: r.threshold,
      });
      if (done) emitted++;
    }
  });
  if (emitted > 0) log.info({ count: emitted }, 'AR content expiry reminders announced');
});

/** Cron: catches every usage change (uploads, deletes, outputs) that did not check the quota itself. */
export const quotaWarn = defineTask('quota:warn', async ({ em, log }) => {
  const warned = await em.transactional((tem) => checkQuotaWarnings(tem));
  if (warned > 0) log.info({ count: warned }, 'quota warnings announced');
});

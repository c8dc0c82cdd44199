// Crons that notice facts no single change makes: content about to expire, and a company's usage crossing a quota share.
import type { EntityManager } from '@arvlite/db';
import { defineTask } from '../define-task.ts';
import { emit } from './emit.ts';

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

/**
 * Raises company.quota_warning_percent to the highest share (80 or 95) its stored bytes have reached and emits one
 * quota.warning per raise; lowers it silently when usage falls, so the next crossing warns again. Call it in the
 * transaction that changed the usage (one company), or without a company from the cron (all that changed).
 */
export async function checkQuotaWarnings(tem: EntityManager, companyId?: string): Promise<number> {
  const level = `case when storage_quota_bytes > 0 and storage_used_bytes::numeric * 100 >= storage_quota_bytes::numeric * 95 then 95
                      when storage_quota_bytes > 0 and storage_used_bytes::numeric * 100 >= storage_quota_bytes::numeric * 80 then 80
                      else 0 end`;
  // FOR UPDATE re-reads a row another transaction just changed, so two racing checks cannot both warn.
  const rows = await tem.execute<{ id: string; old: number; level: number; used: string; quota: string }[]>(
    `with changed as (
       select id, quota_warning_percent as old, ${level} as level, storage_used_bytes as used, storage_quota_bytes as quota
         from company where (?::uuid is null or id = ?::uuid) and quota_warning_percent <> ${level}
         for update
     )
     update company c set quota_warning_percent = changed.level from changed where c.id = changed.id
     returning c.id, changed.old, changed.level, changed.used::text as used, changed.quota::text as quota`,
    [companyId ?? null, companyId ?? null],
  );
  let warned = 0;
  for (const r of rows) {
    if (r.level <= r.old) continue;
    await emit(tem, {
      type: 'quota.warning',
      companyId: r.id,
      thresholdPercent: r.level as 80 | 95,
      usedBytes: Number(r.used),
      quotaBytes: Number(r.quota),
    });
    warned++;
  }
  return warned;
}

/** Cron: catches every usage change (uploads, deletes, outputs) that did not check the quota itself. */
export const quotaWarn = defineTask('quota:warn', async ({ em, log }) => {
  const warned = await em.transactional((tem) => checkQuotaWarnings(tem));
  if (warned > 0) log.info({ count: warned }, 'quota warnings announced');
});

// quota.warning: once per upward crossing of 80 % or 100 % of a company's quota.
import type { EntityManager } from '@arvlite/db';
import { emit } from './emit.ts';

/**
 * Raises company.quota_warning_percent to the highest share (80 or 100) its stored bytes have reached and emits one
 * quota.warning per raise; lowers it silently when usage falls, so the next crossing warns again. Call it in the
 * transaction that changed the usage (one company), or without a company from the cron (all that changed).
 */
export async function checkQuotaWarnings(tem: EntityManager, companyId?: string): Promise<number> {
  const level = `case when storage_quota_bytes > 0 and storage_used_bytes::numeric >= storage_quota_bytes::numeric then 100
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
      thresholdPercent: r.level as 80 | 100,
      usedBytes: Number(r.used),
      quotaBytes: Number(r.quota),
    });
    warned++;
  }
  return warned;
}
